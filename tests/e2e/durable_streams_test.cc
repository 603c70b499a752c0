// Durable Streams on the real scribed, beyond what the conformance suite
// checks (tests/node/conformance): everything a stream is — bytes, JSON
// messages, producers' state, Stream-Seq, closure, forks, deletion, TTL —
// survives a kill -9; long-poll readers wake on appends; and every job's
// output reads as a stream whose offsets are its byte offsets.
#include <Poco/Net/HTTPClientSession.h>

#include <future>
#include <thread>

#include "tests/e2e/host_fixture.h"

namespace scribe::testing {
namespace {

constexpr char kText[] = "text/plain";
constexpr char kJson[] = "application/json";

std::string Token(int64_t position) {
  std::string digits = std::to_string(position);
  return "0000000000000000_" + std::string(16 - digits.size(), '0') + digits;
}

std::map<std::string, std::string> Producer(const std::string& id, int epoch, int seq) {
  return {{"Producer-Id", id},
          {"Producer-Epoch", std::to_string(epoch)},
          {"Producer-Seq", std::to_string(seq)}};
}

class DurableStreamsTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--long-poll-timeout-ms", "20000"}; }

  HttpResponse Put(const std::string& name, const std::string& body,
                   const std::string& type = kText,
                   const std::map<std::string, std::string>& headers = {}) {
    return Http(port(), "PUT", "/v1/stream/" + name, body, type, headers);
  }
  HttpResponse Post(const std::string& name, const std::string& body,
                    const std::string& type = kText,
                    const std::map<std::string, std::string>& headers = {}) {
    return Http(port(), "POST", "/v1/stream/" + name, body, type, headers);
  }
  HttpResponse Get(const std::string& name, const std::string& query = "offset=-1") {
    return Http(port(), "GET", "/v1/stream/" + name + "?" + query);
  }
};

TEST_F(DurableStreamsTest, EverythingAStreamIsSurvivesAKill) {
  ASSERT_EQ(Put("notes", "first ", kText, {{"Stream-TTL", "3600"}}).status, 201);
  ASSERT_EQ(Post("notes", "second ", kText, Producer("writer", 0, 0)).status, 200);
  ASSERT_EQ(Post("notes", "third ", kText, Producer("writer", 0, 1)).status, 200);
  ASSERT_EQ(Post("notes", "fourth ", kText, {{"Stream-Seq", "0005"}}).status, 204);
  ASSERT_EQ(Put("events", R"([{"n":1},{"n":2,"s":"a,b\nc"}])", kJson).status, 201);
  ASSERT_EQ(Put("done", "all of it", kText, {{"Stream-Closed", "true"}}).status, 201);
  HttpResponse source_head = Http(port(), "HEAD", "/v1/stream/notes");
  const std::string fork_at = source_head.Header("stream-next-offset");
  ASSERT_EQ(Put("branch", "", kText,
                {{"Stream-Forked-From", "/v1/stream/notes"}, {"Stream-Fork-Offset", fork_at}})
                .status,
            201);
  ASSERT_EQ(Post("branch", "own", kText).status, 204);
  ASSERT_EQ(Post("notes", "fifth", kText).status, 204);  // after the fork: not the branch's
  ASSERT_EQ(Http(port(), "DELETE", "/v1/stream/notes").status, 204);  // kept for the branch

  host_->Kill();  // SIGKILL: no shutdown code runs
  ASSERT_TRUE(host_->Start());

  // Bytes, messages, closure and forks are as they were.
  EXPECT_EQ(Get("notes").status, 410);
  HttpResponse branch = Get("branch");
  EXPECT_EQ(branch.status, 200);
  EXPECT_EQ(branch.body, "first second third fourth own");
  EXPECT_EQ(branch.Header("stream-ttl"), "");  // HEAD only
  EXPECT_EQ(Http(port(), "HEAD", "/v1/stream/branch").Header("stream-ttl"), "3600");
  HttpResponse events = Get("events");
  EXPECT_EQ(nlohmann::json::parse(events.body),
            nlohmann::json::parse(R"([{"n":1},{"n":2,"s":"a,b\nc"}])"));
  HttpResponse done = Get("done");
  EXPECT_EQ(done.body, "all of it");
  EXPECT_EQ(done.Header("stream-closed"), "true");
  HttpResponse refused = Post("done", "more");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.Header("stream-closed"), "true");

  // The producer's state and Stream-Seq carried over (onto the fork, too).
  ASSERT_EQ(Put("log", "", kText).status, 201);
  ASSERT_EQ(Post("log", "a", kText, Producer("p", 3, 0)).status, 200);
  ASSERT_EQ(Post("log", "b", kText, Producer("p", 3, 1)).status, 200);
  ASSERT_EQ(Post("log", "c", kText, {{"Stream-Seq", "m"}}).status, 204);
  host_->Kill();
  ASSERT_TRUE(host_->Start());
  EXPECT_EQ(Post("log", "b", kText, Producer("p", 3, 1)).status, 204);  // a retry: not stored
  HttpResponse stale = Post("log", "x", kText, Producer("p", 2, 0));
  EXPECT_EQ(stale.status, 403);
  EXPECT_EQ(stale.Header("producer-epoch"), "3");
  HttpResponse gap = Post("log", "x", kText, Producer("p", 3, 5));
  EXPECT_EQ(gap.status, 409);
  EXPECT_EQ(gap.Header("producer-expected-seq"), "2");
  EXPECT_EQ(Post("log", "d", kText, Producer("p", 3, 2)).status, 200);
  EXPECT_EQ(Post("log", "x", kText, {{"Stream-Seq", "l"}}).status, 409);
  EXPECT_EQ(Get("log").body, "abcd");
}

TEST_F(DurableStreamsTest, ALargeAnswerIsWholeAndTheConnectionGoesOn) {
  // 2,000 appends of ~600 bytes: answers of 1 MiB, written past the stream
  // buffer (Exchange), read in turn on one keep-alive connection.
  ASSERT_EQ(Put("big", "").status, 201);
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    std::string append =
        std::to_string(i) + ":" + std::string(600, static_cast<char>('a' + i % 26));
    ASSERT_EQ(Post("big", append).status, 204);
    text += append;
  }
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port()));
  session.setKeepAlive(true);
  std::string read, offset = "-1";
  for (int guard = 0; guard < 10; ++guard) {
    HttpResponse answer = Http(session, "GET", "/v1/stream/big?offset=" + offset);
    ASSERT_EQ(answer.status, 200);
    read += answer.body;
    offset = answer.Header("stream-next-offset");
    if (answer.Header("stream-up-to-date") == "true") break;
  }
  EXPECT_EQ(read, text);
}

TEST_F(DurableStreamsTest, LongPollAnswersWhenDataArrives) {
  HttpResponse created = Put("live", "start");
  ASSERT_EQ(created.status, 201);
  const std::string tail = created.Header("stream-next-offset");
  auto waiting = std::async(std::launch::async,
                            [&] { return Get("live", "offset=" + tail + "&live=long-poll"); });
  // The reader waits (the host's timeout is 20 s) until the append commits.
  ASSERT_EQ(waiting.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  ASSERT_EQ(Post("live", " more").status, 204);
  HttpResponse answer = waiting.get();
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, " more");
  EXPECT_EQ(answer.Header("stream-next-offset"), Token(10));
  EXPECT_FALSE(answer.Header("stream-cursor").empty());

  // Closing wakes a reader at the tail too: 204 with Stream-Closed.
  auto closing = std::async(std::launch::async,
                            [&] { return Get("live", "offset=" + Token(10) + "&live=long-poll"); });
  ASSERT_EQ(closing.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  ASSERT_EQ(Http(port(), "POST", "/v1/stream/live", "", kText, {{"Stream-Closed", "true"}}).status,
            204);
  HttpResponse closed = closing.get();
  EXPECT_EQ(closed.status, 204);
  EXPECT_EQ(closed.Header("stream-closed"), "true");
}

TEST_F(DurableStreamsTest, AJsonStreamIsReadFromMessagesOnly) {
  ASSERT_EQ(Put("numbers", "[10,20,30]", kJson).status, 201);  // stored as "10\n20\n30\n"
  EXPECT_EQ(Get("numbers", "offset=" + Token(3)).body, "[20,30]");
  HttpResponse inside = Get("numbers", "offset=" + Token(4));
  EXPECT_EQ(inside.status, 400);
  EXPECT_EQ(inside.Json()["error"]["code"], "invalid_offset");
  // A fork's first append is in its source's type even when the PUT names none.
  ASSERT_EQ(Http(port(), "PUT", "/v1/stream/more-numbers", "[40]", "",
                 {{"Stream-Forked-From", "/v1/stream/numbers"}})
                .status,
            201);
  EXPECT_EQ(Get("more-numbers").body, "[10,20,30,40]");
  // Past the tail: nothing, and the tail to go on from.
  HttpResponse past = Get("numbers", "offset=" + Token(50));
  EXPECT_EQ(past.status, 200);
  EXPECT_EQ(past.body, "[]");
  EXPECT_EQ(past.Header("stream-next-offset"), Token(9));
}

TEST_F(DurableStreamsTest, AJobReadsAsAStreamAtItsByteOffsets) {
  std::string id = SubmitOffline(port(), Document(2), 0);
  WaitForState(port(), id, {"succeeded"});
  const std::string output = Output(id);
  ASSERT_GT(output.size(), 100u);
  const std::string url = "/api/jobs/" + id + "/stream";

  HttpResponse whole = Http(port(), "GET", url + "?offset=-1");
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, output);
  EXPECT_EQ(whole.Header("stream-next-offset"), Token(static_cast<int64_t>(output.size())));
  EXPECT_EQ(whole.Header("stream-closed"), "true");  // it succeeded: nothing more will come
  // Offset tokens are the job's byte offsets (here after a heading's first line).
  size_t from = output.find('\n') + 1;
  HttpResponse rest = Http(port(), "GET", url + "?offset=" + Token(static_cast<int64_t>(from)));
  EXPECT_EQ(rest.body, output.substr(from));
  HttpResponse head = Http(port(), "HEAD", url);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("stream-next-offset"), Token(static_cast<int64_t>(output.size())));
  // Read-only: the job is its only writer.
  EXPECT_EQ(Http(port(), "POST", url, "x", kText).status, 405);
  EXPECT_EQ(Http(port(), "GET", "/api/jobs/job_missing/stream?offset=-1").status, 404);
  EXPECT_EQ(Http(port(), "GET", url + "?offset=12").status, 400);  // not a token
}

}  // namespace
}  // namespace scribe::testing
