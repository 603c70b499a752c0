// The SSE hub serving Durable Streams readers over loopback: every `data`
// event is followed by a `control` event; a JSON stream's events hold whole
// messages however small the hub's reads and window are; a reader at the
// tail of an open stream is told it is up to date at once; the end of a
// closed stream ends the response; a deleted one ends its readers.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "host/stream/sse_hub.h"
#include "tests/support/clients.h"

namespace scribe::testing {
namespace {

// Messages one per line; reads end at a line's end (as the store's do for
// a JSON stream), after at least one message.
class LinesLog : public stream::LogSource {
 public:
  std::string text;
  Result<std::string> ReadLog(const std::string&, int64_t offset, int64_t max_bytes) override {
    size_t end = text.find('\n', static_cast<size_t>(offset + std::max<int64_t>(max_bytes, 1) - 1));
    end = end == std::string::npos ? text.size() : end + 1;
    return text.substr(static_cast<size_t>(offset), end - static_cast<size_t>(offset));
  }
};

class SseHubDurableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_.bind(Poco::Net::SocketAddress("127.0.0.1", 0));
    listener_.listen();
    stream::HubOptions options;
    options.read_bytes = 64;     // many small events
    options.window_bytes = 256;  // and a window that keeps only a few messages
    options.idle_tail_ms = 100;
    hub_ = std::make_unique<stream::SseHub>(log_, options);
    ASSERT_TRUE(hub_->Start().ok());
  }
  void TearDown() override { hub_->Stop(); }

  // A reader connected to the hub from `offset`; returns its socket.
  Poco::Net::StreamSocket Attach(const std::string& path, int64_t offset, stream::JobView view,
                                 stream::SseEncoding encoding, bool chunked = false) {
    Poco::Net::StreamSocket reader;
    reader.connect(listener_.address());
    Poco::Net::StreamSocket accepted = listener_.acceptConnection();
    EXPECT_TRUE(hub_->Admit(path, "").ok());
    accepted_.push_back(accepted);
    hub_->Attach(accepted, "HTTP/1.1 200 OK\r\n\r\n", path, "", offset, std::move(view),
                 stream::DurableFraming{encoding, "42", chunked});
    reader.setReceiveTimeout(Poco::Timespan(10, 0));
    return reader;
  }

  // Every byte the reader gets (after the head) until the hub closes.
  static std::string Raw(Poco::Net::StreamSocket& reader) {
    std::string received;
    char buffer[4096];
    try {
      for (int n; (n = reader.receiveBytes(buffer, sizeof buffer)) > 0;) received.append(buffer, n);
    } catch (const Poco::Exception&) {
    }
    if (received.rfind("HTTP/1.1 200", 0) == 0) received.erase(0, received.find("\r\n\r\n") + 4);
    return received;
  }

  // The events the reader gets (after the head, the first time) until the
  // hub closes or `count` of them (0: all) arrived.
  static std::vector<SseEvent> Events(Poco::Net::StreamSocket& reader, size_t count = 0) {
    std::string received;
    char buffer[4096];
    auto complete = [&] {
      size_t ends = 0;
      for (size_t at = received.find("\n\n"); at != std::string::npos;
           at = received.find("\n\n", at + 2)) {
        ++ends;
      }
      return ends;
    };
    try {
      for (int n; (n = reader.receiveBytes(buffer, sizeof buffer)) > 0;) {
        received.append(buffer, n);
        if (count > 0 && complete() >= count) break;
      }
    } catch (const Poco::Exception&) {
    }
    if (received.rfind("HTTP/1.1 200", 0) == 0) received.erase(0, received.find("\r\n\r\n") + 4);
    SseClient parser;
    parser.Feed(received);
    return parser.events();
  }

  static stream::JobView View(int64_t end, bool closed) {
    stream::JobView view;
    view.state = closed ? "closed" : "running";
    view.end = end;
    view.outcome = closed ? stream::JobView::Outcome::kSucceeded : stream::JobView::Outcome::kNone;
    return view;
  }

  Poco::Net::ServerSocket listener_;
  LinesLog log_;
  std::unique_ptr<stream::SseHub> hub_;
  // The test's copies of the sockets it handed to the hub, released only
  // after the hub's thread stopped: Poco's reference count is not visible
  // to ThreadSanitizer where Poco's own code drops it, so a last release
  // here while the hub still ran would be reported as a race.
  std::vector<Poco::Net::StreamSocket> accepted_;
};

TEST_F(SseHubDurableTest, AClosedJsonStreamArrivesInWholeMessagesThenEnds) {
  nlohmann::json expected = nlohmann::json::array();
  for (int i = 0; i < 200; ++i) {
    nlohmann::json message = {{"n", i}, {"text", "message " + std::to_string(i) + " ✓"}};
    expected.push_back(message);
    log_.text += message.dump() + "\n";
  }
  const auto end = static_cast<int64_t>(log_.text.size());
  Poco::Net::StreamSocket reader =
      Attach("/v1/stream/json", 0, View(end, true), stream::SseEncoding::kJson);
  std::vector<SseEvent> events = Events(reader);  // the hub closes at the end

  nlohmann::json received = nlohmann::json::array();
  ASSERT_GE(events.size(), 4u);
  ASSERT_EQ(events.size() % 2, 0u);
  for (size_t i = 0; i < events.size(); i += 2) {
    ASSERT_EQ(events[i].event, "data");
    nlohmann::json batch = nlohmann::json::parse(events[i].data);  // whole messages
    ASSERT_TRUE(batch.is_array());
    for (auto& message : batch) received.push_back(message);
    ASSERT_EQ(events[i + 1].event, "control");
    nlohmann::json control = nlohmann::json::parse(events[i + 1].data);
    const bool last = i + 2 == events.size();
    EXPECT_EQ(control.contains("streamClosed"), last);
    EXPECT_EQ(control.contains("upToDate"), last);
    EXPECT_EQ(control.contains("streamCursor"), !last);
  }
  EXPECT_EQ(received, expected);
  EXPECT_EQ(nlohmann::json::parse(events.back().data)["streamNextOffset"],
            stream::FormatStreamOffset(end));
}

TEST_F(SseHubDurableTest, AReaderAtTheTailIsUpToDateAtOnceAndFollowsAppends) {
  log_.text = "first\n";
  Poco::Net::StreamSocket reader =
      Attach("/v1/stream/live", 6, View(6, false), stream::SseEncoding::kText);
  std::vector<SseEvent> first = Events(reader, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].event, "control");
  nlohmann::json control = nlohmann::json::parse(first[0].data);
  EXPECT_EQ(control["upToDate"], true);
  EXPECT_EQ(control["streamCursor"], "42");

  log_.text += "second\r\nline";
  hub_->OnAppended("/v1/stream/live", 6, "second\r\nline");
  std::vector<SseEvent> next = Events(reader, 2);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].event, "data");
  EXPECT_EQ(next[0].data, "second\nline");  // CRLF split into two data lines
  EXPECT_EQ(nlohmann::json::parse(next[1].data)["streamNextOffset"],
            stream::FormatStreamOffset(18));

  // Deleted: the hub ends the response without another event.
  stream::JobView gone = View(18, false);
  gone.state = "gone";
  gone.outcome = stream::JobView::Outcome::kCancelled;
  hub_->OnJobChanged("/v1/stream/live", gone);
  EXPECT_TRUE(Events(reader).empty());
}

TEST_F(SseHubDurableTest, ATailNobodyWatchesIsDropped) {
  log_.text = "abc";
  hub_->OnAppended("/v1/stream/unwatched", 0, "abc");  // an open stream with no reader
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (hub_->tails() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(hub_->tails(), 1);
  while (hub_->tails() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(hub_->tails(), 0);
}

TEST_F(SseHubDurableTest, AChunkedBodyEndsWithItsLastChunk) {
  log_.text = "done";
  Poco::Net::StreamSocket reader =
      Attach("/v1/stream/chunked", 0, View(4, true), stream::SseEncoding::kText, /*chunked=*/true);
  std::string raw = Raw(reader);
  ASSERT_GE(raw.size(), 5u);
  EXPECT_EQ(raw.substr(raw.size() - 5), "0\r\n\r\n");
  // Unframed: each chunk is its size in hex, CRLF, the bytes, CRLF.
  std::string body;
  for (size_t at = 0;;) {
    size_t eol = raw.find("\r\n", at);
    ASSERT_NE(eol, std::string::npos);
    size_t size = std::stoul(raw.substr(at, eol - at), nullptr, 16);
    if (size == 0) break;
    body += raw.substr(eol + 2, size);
    ASSERT_EQ(raw.substr(eol + 2 + size, 2), "\r\n");
    at = eol + 4 + size;
  }
  SseClient parser;
  parser.Feed(body);
  ASSERT_EQ(parser.events().size(), 2u);
  EXPECT_EQ(parser.events()[0].data, "done");
}

TEST_F(SseHubDurableTest, AParkedLongPollIsAnsweredWhenDataArrivesOrItsTimeIsUp) {
  log_.text = "abc";
  auto steady_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  auto park = [&](const std::string& path, int64_t deadline_ms, std::atomic<int>& answered) {
    Poco::Net::StreamSocket reader;
    reader.connect(listener_.address());
    Poco::Net::StreamSocket accepted = listener_.acceptConnection();
    EXPECT_TRUE(hub_->Admit(path, "").ok());
    hub_->Park(accepted, path, "", 3, View(3, false), deadline_ms, [&answered](bool timed_out) {
      answered = timed_out ? 2 : 1;
      return std::string(timed_out ? "timed out" : "data");
    });
    reader.setReceiveTimeout(Poco::Timespan(10, 0));
    return reader;
  };
  std::atomic<int> first{0};
  Poco::Net::StreamSocket waiting = park("/v1/stream/poll", steady_ms() + 20000, first);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(first, 0);  // nothing yet: it waits
  log_.text += "d";
  hub_->OnAppended("/v1/stream/poll", 3, "d");
  EXPECT_EQ(Raw(waiting), "data");  // answered, then closed
  EXPECT_EQ(first, 1);

  std::atomic<int> second{0};
  Poco::Net::StreamSocket idle = park("/v1/stream/idle", steady_ms() + 150, second);
  EXPECT_EQ(Raw(idle), "timed out");
  EXPECT_EQ(second, 2);
}

TEST_F(SseHubDurableTest, BinaryStreamsTravelAsBase64) {
  log_.text = std::string("\x00\x01\xfe\xff", 4);
  Poco::Net::StreamSocket reader =
      Attach("/v1/stream/bytes", 0, View(4, true), stream::SseEncoding::kBase64);
  std::vector<SseEvent> events = Events(reader);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "AAH+/w==");
  EXPECT_EQ(nlohmann::json::parse(events[1].data)["streamClosed"], true);
}

TEST_F(SseHubDurableTest, AReaderThatTakesNothingHoldsABoundedBufferAndOthersGetEverything) {
  for (int i = 0; log_.text.size() < (1 << 20); ++i) {
    log_.text += "line " + std::to_string(i) + " of a log far larger than any socket buffer\n";
  }
  const auto end = static_cast<int64_t>(log_.text.size());
  // A reader that never reads: the hub's socket to it keeps the send buffer
  // it was given rather than growing to megabytes of kernel memory.
  Poco::Net::StreamSocket stalled;
  stalled.connect(listener_.address());
  Poco::Net::StreamSocket stalled_accepted = listener_.acceptConnection();
  ASSERT_TRUE(hub_->Admit("/v1/stream/big", "").ok());
  accepted_.push_back(stalled_accepted);
  hub_->Attach(stalled_accepted, "HTTP/1.1 200 OK\r\n\r\n", "/v1/stream/big", "", 0,
               View(end, true), stream::DurableFraming{stream::SseEncoding::kText, "42", false});
  // Another reader of the same stream gets all of it meanwhile.
  Poco::Net::StreamSocket reader =
      Attach("/v1/stream/big", 0, View(end, true), stream::SseEncoding::kText);
  std::string text;
  for (const SseEvent& event : Events(reader)) {
    if (event.event == "data") text += event.data;
  }
  EXPECT_EQ(text.size(), log_.text.size());
  EXPECT_TRUE(text == log_.text);  // (not EXPECT_EQ: no diff of megabytes)
  // Linux reports twice the size set (its bookkeeping included).
  EXPECT_LE(stalled_accepted.getSendBufferSize(),
            2 * static_cast<int>(stream::HubOptions{}.socket_send_buffer_bytes));
}

}  // namespace
}  // namespace scribe::testing
