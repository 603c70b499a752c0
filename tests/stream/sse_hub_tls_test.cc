// The SSE hub writing to an HTTPS viewer whose socket fills up: the host's
// send buffer is fixed small and the viewer reads nothing for a while, so
// the hub's non-blocking TLS writes stop part way and must resume exactly
// where they stopped. Runs the real hub over loopback with the listener's
// own TLS settings.
#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <gtest/gtest.h>

#include <thread>

#include "host/http/tls.h"
#include "host/stream/sse_hub.h"
#include "tests/support/clients.h"
#include "tests/support/host_process.h"

namespace scribe::testing {
namespace {

class TextLog : public stream::LogSource {
 public:
  explicit TextLog(std::string text) : text_(std::move(text)) {}
  Result<std::string> ReadLog(const std::string&, int64_t offset, int64_t max_bytes) override {
    return text_.substr(static_cast<size_t>(offset), static_cast<size_t>(max_bytes));
  }

 private:
  const std::string text_;
};

TEST(SseHubTlsTest, AViewerWhoseSocketFillsUpGetsEveryByteInOrder) {
  TempDir dir;
  const std::string cert = MakeCertificate(dir);
  Poco::Net::SecureServerSocket listener(http::ServerTlsContext(cert, dir.File("key.pem")));
  listener.bind(Poco::Net::SocketAddress("127.0.0.1", 0));
  listener.listen();

  Poco::Net::initializeSSL();
  Poco::Net::Context::Ptr trust = new Poco::Net::Context(
      Poco::Net::Context::TLS_CLIENT_USE, cert, Poco::Net::Context::VERIFY_RELAXED, 9, false);
  Poco::Net::SecureStreamSocket viewer(trust);
  std::thread connect([&] { viewer.connect(listener.address()); });  // handshakes
  Poco::Net::SecureStreamSocket accepted(listener.acceptConnection());
  accepted.completeHandshake();
  connect.join();
  accepted.setSendBufferSize(4096);  // fixed: no autotuning

  std::string text;
  for (int i = 0; text.size() < (1 << 19); ++i) {
    text += "Sentence " + std::to_string(i) + " — ünïcödé ✓, on its way to the viewer.\n";
  }
  TextLog log(text);
  stream::SseHub hub(log, stream::HubOptions{});
  ASSERT_TRUE(hub.Start().ok());
  stream::JobView view;
  view.state = "succeeded";
  view.end = static_cast<int64_t>(text.size());
  view.outcome = stream::JobView::Outcome::kSucceeded;
  ASSERT_TRUE(hub.Admit("job_tls", "").ok());
  hub.Attach(accepted, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n", "job_tls", "",
             0, view);

  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the hub runs into a full socket
  std::string received;
  char buffer[16384];
  viewer.setReceiveTimeout(Poco::Timespan(20, 0));
  try {
    for (int n; (n = viewer.receiveBytes(buffer, sizeof buffer)) > 0;) received.append(buffer, n);
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "the stream ended with " << e.displayText() << " after " << received.size()
                  << " bytes";
  }
  hub.Stop();

  const size_t head_end = received.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  SseClient parser;
  parser.Feed(received.substr(head_end + 4));
  EXPECT_EQ(parser.Text(), text);
  ASSERT_FALSE(parser.events().empty());
  EXPECT_EQ(parser.events().back().event, "complete");
  EXPECT_GT(hub.bytes_sent(), static_cast<int64_t>(text.size()));
}

}  // namespace
}  // namespace scribe::testing
