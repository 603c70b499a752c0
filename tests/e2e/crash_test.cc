// The host dies mid-generation — kill -9, or a graceful stop — and comes
// back on the same database: the job continues from its last committed byte
// and a viewer that resumes with its last offset ends with exactly the bytes
// of an uninterrupted run.
#include "tests/e2e/host_fixture.h"

namespace scribe::testing {
namespace {

class CrashTest : public HostTest {
 protected:
  // Watches `id` until it has seen text past `offset`; returns its text and
  // last event id.
  void WatchPast(const std::string& id, int64_t offset, std::string& text, std::string& last_id) {
    SseClient viewer;
    ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
    ASSERT_TRUE(viewer.ReadUntil(
        [&](const SseEvent& e) { return e.event == "token" && std::stoll(e.id) > offset; }));
    text = viewer.Text();
    last_id = viewer.last_id();
  }

  // Resumes at `last_id` on the restarted host and reads to the end.
  std::string ResumeToEnd(const std::string& id, const std::string& last_id) {
    SseClient viewer;
    EXPECT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events", last_id));
    EXPECT_EQ(viewer.status(), 200) << viewer.error_body();
    EXPECT_TRUE(viewer.ReadToEnd(std::chrono::seconds(60)));
    EXPECT_FALSE(viewer.events().empty());
    if (!viewer.events().empty()) {
      EXPECT_EQ(viewer.events().back().event, "complete");
    }
    return viewer.Text();
  }
};

TEST_F(CrashTest, KillNineMidGenerationThenRestartFinishesTheExactText) {
  std::string id = SubmitOffline(port(), Document(6), 200);
  ASSERT_FALSE(id.empty());
  std::string before, last_id;
  WatchPast(id, 400, before, last_id);
  host_->Kill();  // SIGKILL: no shutdown code runs

  ASSERT_TRUE(host_->Start());
  std::string after = ResumeToEnd(id, last_id);
  EXPECT_EQ(before + after, Script(6));
  EXPECT_EQ(Output(id), Script(6));
  nlohmann::json job = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_EQ(job["state"], "succeeded");
  ASSERT_GE(job["history"]["attempts"].size(), 2u);
  EXPECT_EQ(job["history"]["attempts"][0]["state"], "interrupted");
  bool noted = false;
  for (const auto& e : job["history"]["events"]) noted |= e["state"] == "interrupted";
  EXPECT_TRUE(noted);
}

TEST_F(CrashTest, RepeatedKillsNeverLoseOrRepeatAByte) {
  std::string id = SubmitOffline(port(), Document(8), 300);
  std::string received, last_id = "0";
  for (int kill = 0; kill < 3; ++kill) {
    SseClient viewer;
    ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events", last_id));
    int64_t target = std::stoll(last_id) + 150;
    viewer.ReadUntil([&](const SseEvent& e) { return IsTerminal(e) || std::stoll(e.id) > target; });
    received += viewer.Text();
    if (!viewer.last_id().empty()) last_id = viewer.last_id();
    host_->Kill();
    ASSERT_TRUE(host_->Start());
  }
  received += ResumeToEnd(id, last_id);
  EXPECT_EQ(received, Script(8));
  EXPECT_EQ(Output(id), Script(8));
}

TEST_F(CrashTest, AGracefulStopInterruptsAndTheNextStartContinues) {
  std::string id = SubmitOffline(port(), Document(4), 200);
  std::string before, last_id;
  WatchPast(id, 200, before, last_id);
  EXPECT_EQ(host_->Stop(), 0);
  ASSERT_TRUE(host_->Start());
  std::string after = ResumeToEnd(id, last_id);
  EXPECT_EQ(before + after, Script(4));
  nlohmann::json job = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_EQ(job["history"]["attempts"][0]["state"], "interrupted");
}

}  // namespace
}  // namespace scribe::testing
