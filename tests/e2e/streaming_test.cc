// Watching jobs live over SSE and resuming from byte offsets, against the
// real host and the real offline plugin.
#include <thread>

#include "tests/e2e/host_fixture.h"

namespace scribe::testing {
namespace {

class StreamingTest : public HostTest {};

int64_t IdOf(const SseEvent& e) { return std::stoll(e.id); }

TEST_F(StreamingTest, AViewerReceivesTheWholeScriptThenTheCompleteEvent) {
  std::string id = SubmitOffline(port(), Document(2), 0);
  ASSERT_FALSE(id.empty());
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  EXPECT_EQ(viewer.status(), 200);
  EXPECT_NE(viewer.head().find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(viewer.head().find("Cache-Control: no-cache"), std::string::npos);
  EXPECT_NE(viewer.head().find("X-Accel-Buffering: no"), std::string::npos);
  ASSERT_TRUE(viewer.ReadToEnd());
  EXPECT_EQ(viewer.retry(), "2000");
  ASSERT_FALSE(viewer.events().empty());
  const SseEvent& last = viewer.events().back();
  ASSERT_EQ(last.event, "complete");
  std::string script = Script(2);
  EXPECT_EQ(viewer.Text(), script);
  // The complete event's script is the log cleaned for listening (here:
  // without its final newline); the log itself stays byte-exact.
  EXPECT_EQ(last.Json()["script"], script.substr(0, script.size() - 1));
  EXPECT_EQ(last.Json()["model_used"], "narrator");
  EXPECT_EQ(IdOf(last), static_cast<int64_t>(script.size()));
  EXPECT_EQ(Output(id), script);
  // Every id is the offset just after the text delivered so far.
  int64_t offset = 0;
  for (const SseEvent& e : viewer.events()) {
    if (e.event == "token")
      offset += static_cast<int64_t>(e.Json()["content"].get<std::string>().size());
    EXPECT_EQ(IdOf(e), offset) << e.event;
  }
}

TEST_F(StreamingTest, ADroppedViewerResumesWithLastEventIdWithoutRepeatsOrGaps) {
  std::string id = SubmitOffline(port(), Document(6), 400);
  ASSERT_FALSE(id.empty());
  SseClient uninterrupted;
  ASSERT_TRUE(uninterrupted.Open(port(), "/api/jobs/" + id + "/events"));

  SseClient first;
  ASSERT_TRUE(first.Open(port(), "/api/jobs/" + id + "/events"));
  ASSERT_TRUE(first.ReadUntil(
      [](const SseEvent& e) { return e.event == "token" && std::stoll(e.id) > 300; }));
  std::string received = first.Text();
  std::string resume_at = first.last_id();
  first.Close();  // mid-stream
  ASSERT_LT(std::stoll(resume_at), static_cast<int64_t>(Script(6).size()));

  SseClient second;
  ASSERT_TRUE(second.Open(port(), "/api/jobs/" + id + "/events", resume_at));
  ASSERT_TRUE(second.ReadToEnd());
  ASSERT_EQ(second.events().back().event, "complete");
  received += second.Text();

  ASSERT_TRUE(uninterrupted.ReadToEnd());
  EXPECT_EQ(received, uninterrupted.Text());
  EXPECT_EQ(received, Output(id));
  EXPECT_EQ(received, Script(6));
}

TEST_F(StreamingTest, OffsetQueryResumesLikeLastEventId) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  std::string script = Script(1);
  // An offset on a character boundary in the middle of the script.
  size_t middle = script.find(' ', script.size() / 2);
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events?offset=" + std::to_string(middle)));
  ASSERT_TRUE(viewer.ReadToEnd());
  EXPECT_EQ(viewer.Text(), script.substr(middle));
  // Last-Event-ID wins over ?offset= (an EventSource reconnecting to its URL).
  SseClient both;
  ASSERT_TRUE(both.Open(port(), "/api/jobs/" + id + "/events?offset=0", std::to_string(middle)));
  ASSERT_TRUE(both.ReadToEnd());
  EXPECT_EQ(both.Text(), script.substr(middle));
}

TEST_F(StreamingTest, TwentyViewersOnOneJobReceiveIdenticalText) {
  std::string id = SubmitOffline(port(), Document(3), 300);
  ASSERT_FALSE(id.empty());
  std::vector<std::unique_ptr<SseClient>> viewers;
  for (int i = 0; i < 20; ++i) {
    viewers.push_back(std::make_unique<SseClient>());
    ASSERT_TRUE(viewers.back()->Open(port(), "/api/jobs/" + id + "/events"));
  }
  for (auto& viewer : viewers) ASSERT_TRUE(viewer->ReadToEnd());
  for (auto& viewer : viewers) {
    EXPECT_EQ(viewer->Text(), Script(3));
    EXPECT_EQ(viewer->events().back().event, "complete");
  }
}

TEST_F(StreamingTest, ResumingAtTheFinalOffsetResendsTheTerminalEvent) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  std::string end = std::to_string(Script(1).size());
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events", end));
  ASSERT_TRUE(viewer.ReadToEnd());
  ASSERT_EQ(viewer.events().size(), 1u);
  EXPECT_EQ(viewer.events()[0].event, "complete");
  EXPECT_EQ(viewer.events()[0].id, end);
  EXPECT_TRUE(viewer.Text().empty());
}

TEST_F(StreamingTest, ClosingTheViewerDoesNotCancelTheJob) {
  std::string id = SubmitOffline(port(), Document(2), 300);
  {
    SseClient viewer;
    ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
    ASSERT_TRUE(viewer.ReadUntil([](const SseEvent& e) { return e.event == "token"; }));
  }  // gone
  nlohmann::json job = WaitForState(port(), id, {"succeeded", "failed", "cancelled"});
  EXPECT_EQ(job["state"], "succeeded");
  EXPECT_EQ(Output(id), Script(2));
}

TEST_F(StreamingTest, AViewerOfAQueuedOrRunningJobSeesItsStatus) {
  std::string id = SubmitOffline(port(), Document(1), 200);
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  ASSERT_TRUE(viewer.ReadToEnd());
  bool saw_status = false;
  for (const SseEvent& e : viewer.events()) {
    if (e.event != "status") continue;
    saw_status = true;
    nlohmann::json data = e.Json();
    EXPECT_EQ(data["type"], "status");
    EXPECT_TRUE(data["status"] == "queued" || data["status"] == "running");
    EXPECT_GE(data["attempt"].get<int>(), 0);
  }
  EXPECT_TRUE(saw_status);
}

TEST_F(StreamingTest, OutputServesBytesFromAnOffsetOrARange) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  std::string script = Script(1);
  HttpResponse all = Http(port(), "GET", "/api/jobs/" + id + "/output");
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(all.body, script);
  EXPECT_EQ(all.Header("x-scribe-job-state"), "succeeded");
  EXPECT_EQ(all.Header("x-scribe-next-offset"), std::to_string(script.size()));
  HttpResponse tail = Http(port(), "GET", "/api/jobs/" + id + "/output?offset=10");
  EXPECT_EQ(tail.body, script.substr(10));
  HttpResponse range =
      Http(port(), "GET", "/api/jobs/" + id + "/output", "", "", {{"Range", "bytes=5-14"}});
  EXPECT_EQ(range.status, 206);
  EXPECT_EQ(range.body, script.substr(5, 10));
  EXPECT_EQ(range.Header("content-range"), "bytes 5-14/" + std::to_string(script.size()));
  HttpResponse last =
      Http(port(), "GET", "/api/jobs/" + id + "/output", "", "", {{"Range", "bytes=-20"}});
  EXPECT_EQ(last.status, 206);
  EXPECT_EQ(last.body, script.substr(script.size() - 20));
}

class HeartbeatTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--heartbeat-ms", "100"}; }
};

TEST_F(HeartbeatTest, ASilentStreamGetsHeartbeatComments) {
  // Two chunks a second: long silences between events.
  std::string id = SubmitOffline(port(), Document(1), 2);
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  viewer.ReadUntil([](const SseEvent&) { return false; }, std::chrono::milliseconds(1200));
  int heartbeats = 0;
  for (const std::string& c : viewer.comments())
    heartbeats += c.find("keep-alive") != std::string::npos;
  EXPECT_GE(heartbeats, 2);
  HttpResponse cancel = Http(port(), "POST", "/api/jobs/" + id + "/cancel");
  EXPECT_EQ(cancel.status, 200);
}

}  // namespace
}  // namespace scribe::testing
