// The crash soak: many jobs (offline at mixed paces and sizes, some on the
// fake Gemini server) with a resuming SSE viewer each, while the host is
// killed with SIGKILL again and again — mid-commit, during start-up
// recovery, right after a cancel — and restarted on the same port. In the
// end every job not cancelled succeeded with exactly the uninterrupted
// text, every viewer received exactly the stored bytes, and the database
// passes `scribectl db check` (SQLite's integrity check and Scribe's own).
//
// Size: SCRIBE_SOAK_JOBS (default 40) and SCRIBE_SOAK_KILLS (default 15);
// docs/RELIABILITY.md has a larger run.
#include <atomic>
#include <cstdlib>
#include <random>
#include <thread>

#include "tests/e2e/fake_provider_fixture.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

struct SoakJob {
  std::string id;
  std::string expected;  // what an uninterrupted run produces
  bool cancel_sent = false;
  ResumingViewer viewer;
  std::thread watcher;
};

class CrashSoakTest : public FakeProviderTest {
 protected:
  std::string Provider() const override { return "gemini"; }
  nlohmann::json PluginConfig() override {
    return {{"GEMINI_BASE_URL", fake_.base_url()},
            {"GOOGLE_API_KEY", "test-key"},
            {"GEMINI_IDLE_TIMEOUT_MS", "3000"}};
  }
};

TEST_F(CrashSoakTest, NoByteIsLostDuplicatedOrSkippedAcrossRepeatedKills) {
  const int job_count = EnvInt("SCRIBE_SOAK_JOBS", 40);
  const int kill_count = EnvInt("SCRIBE_SOAK_KILLS", 15);
  std::mt19937 random(EnvInt("SCRIBE_SOAK_SEED", 7));
  const Clock::time_point deadline = Clock::now() + std::chrono::minutes(10);

  std::vector<std::unique_ptr<SoakJob>> jobs;
  for (int i = 0; i < job_count; ++i) {
    auto job = std::make_unique<SoakJob>();
    if (i % 5 == 4) {  // one in five on the fake Gemini server, streamed over 2 s
      std::string document = std::string(kDocument) + " Variant " + std::to_string(i) + ".";
      nlohmann::json body = {
          {"content", document}, {"provider", "gemini"}, {"model", "fake-slow-0-2"}};
      job->id = Http(port(), "POST", "/api/jobs", body.dump()).Json().value("id", "");
      job->expected = FakeScript(document);
    } else {
      const double paces[] = {0, 60, 150, 400};
      int sections = 1 + i % 6;
      job->id = SubmitOffline(port(), Document(sections), paces[i % 4]);
      job->expected = Script(sections);
    }
    ASSERT_FALSE(job->id.empty());
    SoakJob* raw = job.get();
    const int viewer_port = port();
    job->watcher = std::thread(
        [raw, viewer_port, deadline] { raw->viewer.Run(viewer_port, raw->id, deadline); });
    jobs.push_back(std::move(job));
  }

  int kills_during_recovery = 0;
  int kills_after_cancel = 0;
  for (int kill = 0; kill < kill_count; ++kill) {
    switch (random() % 4) {
      case 0: {  // a crash during start-up recovery, then a clean start
        host_->Kill();
        host_->StartAndKillAfter(std::chrono::microseconds(random() % 30'000));
        ++kills_during_recovery;
        break;
      }
      case 1: {  // a crash right after a cancel was sent
        SoakJob& target = *jobs[random() % jobs.size()];
        target.cancel_sent = true;
        std::thread cancel([&] { Http(port(), "POST", "/api/jobs/" + target.id + "/cancel"); });
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 5000));
        host_->Kill();
        cancel.join();
        ++kills_after_cancel;
        break;
      }
      default:  // a crash while jobs stream and commit
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 300));
        host_->Kill();
    }
    ASSERT_TRUE(host_->Start());
  }

  int64_t bytes_checked = 0;
  int cancelled = 0;
  for (auto& job : jobs) {
    job->watcher.join();
    nlohmann::json state = WaitForState(port(), job->id, {"succeeded", "failed", "cancelled"},
                                        std::chrono::seconds(60));
    std::string stored = Output(job->id);
    if (state["state"] == "cancelled") {
      ++cancelled;
      EXPECT_TRUE(job->cancel_sent) << job->id << " was cancelled by nobody";
      EXPECT_EQ(stored, job->expected.substr(0, stored.size())) << job->id;
      EXPECT_EQ(job->viewer.end_event, "cancelled") << job->id;
    } else {
      EXPECT_EQ(state["state"], "succeeded") << state.dump();
      EXPECT_EQ(stored, job->expected) << job->id;
      EXPECT_EQ(job->viewer.end_event, "complete") << job->id;
    }
    EXPECT_EQ(job->viewer.text, stored)
        << job->id << " after " << job->viewer.connections << " connections";
    bytes_checked += static_cast<int64_t>(stored.size() + job->viewer.text.size());
  }

  ASSERT_EQ(host_->Stop(), 0);
  ProcessResult check =
      RunProcess({BinDir() + "/scribectl", "--db", dir_.File("scribe.db"), "db", "check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  std::cout << "[ soak     ] " << kill_count << " kills survived (" << kills_during_recovery
            << " during start-up recovery, " << kills_after_cancel << " right after a cancel), "
            << job_count << " jobs (" << cancelled << " cancelled), " << bytes_checked
            << " bytes verified (stored and received), db check: " << check.out;
}

}  // namespace
}  // namespace scribe::testing
