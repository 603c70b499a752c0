// Two real scribed hosts on one PostgreSQL database of the test cluster, as
// behind a load balancer: a job submitted on A is watched on B; A is killed
// with SIGKILL mid-generation; B takes the job over once A's lease expires
// and finishes it; every viewer (one that resumes from A to B, one on B all
// along) receives exactly the bytes of an uninterrupted run. Cancel,
// continue and idempotency keys work whichever host gets the request,
// scribectl reads and keys the shared database by its URL, and a restart of
// the database server costs a generation an attempt, never a byte.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "tests/e2e/host_fixture.h"
#include "tests/support/postgres.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

using Clock = std::chrono::steady_clock;

class MultiHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = NewPostgresDatabase();
    ASSERT_FALSE(url_.empty());
  }
  void TearDown() override {
    if (!::testing::Test::HasFailure()) return;
    if (a_) std::cerr << "host A log:\n" << a_->Log();
    if (b_) std::cerr << "host B log:\n" << b_->Log();
  }

  std::unique_ptr<HostProcess> StartHost() {
    auto host = std::make_unique<HostProcess>(
        url_, std::vector<std::string>{"--lease-ms", "1000", "--workers", "4"});
    EXPECT_TRUE(host->Start());
    return host;
  }

  static int64_t Metric(int port, const std::string& name) {
    std::string body = Http(port, "GET", "/metrics").body;
    size_t at = body.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stoll(body.substr(at + name.size() + 2));
  }

  std::string url_;
  std::unique_ptr<HostProcess> a_, b_;
};

TEST_F(MultiHostTest, AJobWhoseHostDiesFinishesOnAnotherAndViewersMissNothing) {
  a_ = StartHost();
  const std::string document = HostTest::Document(5);
  const std::string expected = HostTest::Script(5);
  std::string id = SubmitOffline(a_->port(), document, 60);
  ASSERT_FALSE(id.empty());
  WaitForState(a_->port(), id, {"running"});
  b_ = StartHost();  // after A claimed the job, so that A is the one running it

  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
  ResumingViewer moving, on_b;
  std::thread moving_thread([&] { moving.Run({a_->port(), b_->port()}, id, deadline); });
  std::thread on_b_thread([&] { on_b.Run(b_->port(), id, deadline); });

  // Once B's viewer follows A's generation live, A dies mid-generation.
  for (auto until = Clock::now() + std::chrono::seconds(20);
       Clock::now() < until &&
       Http(b_->port(), "GET", "/api/jobs/" + id).Json().value("output_bytes", 0) < 200;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  nlohmann::json before = Http(b_->port(), "GET", "/api/jobs/" + id).Json();
  ASSERT_EQ(before["state"], "running") << before.dump();
  ASSERT_LT(before.value("output_bytes", 0), static_cast<int64_t>(expected.size()));
  a_->Kill();

  nlohmann::json done =
      WaitForState(b_->port(), id, {"succeeded", "failed", "cancelled"}, std::chrono::seconds(30));
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["attempts"], 2) << done.dump();
  moving_thread.join();
  on_b_thread.join();
  EXPECT_EQ(Http(b_->port(), "GET", "/api/jobs/" + id + "/output").body, expected);
  EXPECT_EQ(on_b.text, expected);
  EXPECT_EQ(on_b.end_event, "complete");
  EXPECT_EQ(moving.text, expected);
  EXPECT_EQ(moving.end_event, "complete");
  ASSERT_FALSE(moving.ports_used.empty());
  EXPECT_EQ(moving.ports_used.front(), a_->port());
  EXPECT_EQ(moving.ports_used.back(), b_->port());

  // The history says who ran what: A's attempt interrupted, B's succeeded.
  nlohmann::json history = Http(b_->port(), "GET", "/api/jobs/" + id).Json()["history"];
  ASSERT_EQ(history["attempts"].size(), 2u) << history.dump();
  EXPECT_EQ(history["attempts"][0]["state"], "interrupted");
  EXPECT_EQ(history["attempts"][1]["state"], "succeeded");
  EXPECT_EQ(history["attempts"][1]["start_offset"], history["attempts"][0]["end_offset"]);
}

// A host that hung past its lease (SIGSTOP) finds its job taken over when
// it wakes: its generation stops, and the job ends with exactly the text.
TEST_F(MultiHostTest, AHostThatHungPastItsLeaseStopsTheGenerationItLost) {
  a_ = StartHost();
  std::string id = SubmitOffline(a_->port(), HostTest::Document(5), 40);
  ASSERT_FALSE(id.empty());
  WaitForState(a_->port(), id, {"running"});
  b_ = StartHost();
  kill(a_->pid(), SIGSTOP);
  for (auto until = Clock::now() + std::chrono::seconds(10);
       Clock::now() < until &&
       Http(b_->port(), "GET", "/api/jobs/" + id).Json().value("attempts", 0) < 2;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(a_->pid(), SIGCONT);
  int64_t running = -1;
  for (auto until = Clock::now() + std::chrono::seconds(5); Clock::now() < until;
       std::this_thread::sleep_for(std::chrono::milliseconds(20))) {
    running = Metric(a_->port(), "scribe_generations_running");
    if (running == 0) break;
  }
  EXPECT_EQ(running, 0);
  nlohmann::json done = WaitForState(b_->port(), id, {"succeeded", "failed"});
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(Http(b_->port(), "GET", "/api/jobs/" + id + "/output").body, HostTest::Script(5));
}

TEST_F(MultiHostTest, ACancelSentToOneHostStopsTheGenerationOnTheOther) {
  a_ = StartHost();
  const std::string document = HostTest::Document(6);
  std::string id = SubmitOffline(a_->port(), document, 40);
  ASSERT_FALSE(id.empty());
  WaitForState(a_->port(), id, {"running"});
  b_ = StartHost();
  ASSERT_EQ(Metric(a_->port(), "scribe_generations_running"), 1);

  HttpResponse cancelled = Http(b_->port(), "POST", "/api/jobs/" + id + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.Json()["state"], "cancelled");
  // A hears of it and ends its generation promptly.
  int64_t running = -1;
  for (auto until = Clock::now() + std::chrono::seconds(5); Clock::now() < until;
       std::this_thread::sleep_for(std::chrono::milliseconds(20))) {
    running = Metric(a_->port(), "scribe_generations_running");
    if (running == 0) break;
  }
  EXPECT_EQ(running, 0);
  std::string kept = Http(a_->port(), "GET", "/api/jobs/" + id + "/output").body;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Http(b_->port(), "GET", "/api/jobs/" + id + "/output").body, kept);

  // Continued on B, it ends with the whole text, the kept bytes first.
  HttpResponse continued = Http(b_->port(), "POST", "/api/jobs/" + id + "/continue");
  ASSERT_EQ(continued.status, 200) << continued.body;
  nlohmann::json done = WaitForState(a_->port(), id, {"succeeded", "failed"});
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(Http(a_->port(), "GET", "/api/jobs/" + id + "/output").body, HostTest::Script(6));
}

TEST_F(MultiHostTest, AnIdempotencyKeyNamesOneJobWhicheverHostGetsIt) {
  a_ = StartHost();
  b_ = StartHost();
  nlohmann::json body = {{"content", "# Title\n\nSome text."}, {"provider", "offline"}};
  std::map<std::string, std::string> key = {{"Idempotency-Key", "same-request"}};
  HttpResponse first = Http(a_->port(), "POST", "/api/jobs", body.dump(), "application/json", key);
  HttpResponse again = Http(b_->port(), "POST", "/api/jobs", body.dump(), "application/json", key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(first.Json()["id"], again.Json()["id"]);
  body["content"] = "# Other\n\nText.";
  EXPECT_EQ(Http(b_->port(), "POST", "/api/jobs", body.dump(), "application/json", key).status,
            409);
}

TEST_F(MultiHostTest, ScribectlWorksOnTheSharedDatabase) {
  a_ = StartHost();
  std::string id = SubmitOffline(a_->port(), "# Title\n\nSome text.", 0);
  WaitForState(a_->port(), id, {"succeeded"});
  ProcessResult jobs = RunProcess({BinDir() + "/scribectl", "--db", url_, "jobs", "--json"});
  EXPECT_EQ(jobs.exit_code, 0) << jobs.err;
  EXPECT_NE(jobs.out.find(id), std::string::npos) << jobs.out;
  // A key made with scribectl works on every host at once.
  ProcessResult key = RunProcess(
      {BinDir() + "/scribectl", "--db", url_, "keys", "create", "--name", "ops", "--admin"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  std::string secret = key.out.substr(0, key.out.find('\n'));
  b_ = std::make_unique<HostProcess>(url_, std::vector<std::string>{"--auth", "on"});
  ASSERT_TRUE(b_->Start());
  EXPECT_EQ(Http(b_->port(), "GET", "/api/jobs/" + id).status, 401);
  HttpResponse seen = Http(b_->port(), "GET", "/api/jobs/" + id, "", "application/json",
                           {{"Authorization", "Bearer " + secret}});
  EXPECT_EQ(seen.status, 200) << seen.body;
  // Checking and compacting are SQLite's: refused with a reason.
  ProcessResult check = RunProcess({BinDir() + "/scribectl", "--db", url_, "db", "check"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("PostgreSQL"), std::string::npos) << check.err;
}

// The server restarts (its own cluster: the shared one serves other tests)
// while a generation streams: the host reconnects by itself; the attempt
// that lost text fails as a storage error (or, if no write fell in the
// outage, goes on), a continue finishes it, and the log is exactly the text
// of an uninterrupted run.
TEST_F(MultiHostTest, ADatabaseRestartCostsAnAttemptNotAByte) {
  TempDir dir;
  const std::string cluster = dir.File("cluster");
  const std::string script = std::string(SCRIBE_TEST_SOURCE_DIR) + "/tools/pg_cluster.sh";
  ProcessResult started = RunProcess({script, "start", cluster});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  url_ = started.out.substr(0, started.out.find('\n'));
  a_ = StartHost();
  const std::string expected = HostTest::Script(4);
  std::string id = SubmitOffline(a_->port(), HostTest::Document(4), 40);
  ASSERT_FALSE(id.empty());
  for (auto until = Clock::now() + std::chrono::seconds(20);
       Clock::now() < until &&
       Http(a_->port(), "GET", "/api/jobs/" + id).Json().value("output_bytes", 0) < 200;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ProcessResult restarted = RunProcess({script, "restart", cluster});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;

  nlohmann::json ended = WaitForState(a_->port(), id, {"succeeded", "failed"});
  if (ended["state"] == "failed") {
    EXPECT_EQ(ended["error"]["code"], "storage_error") << ended.dump();
    HttpResponse continued = Http(a_->port(), "POST", "/api/jobs/" + id + "/continue");
    ASSERT_EQ(continued.status, 200) << continued.body;
    ended = WaitForState(a_->port(), id, {"succeeded", "failed"});
  }
  EXPECT_EQ(ended["state"], "succeeded") << ended.dump();
  EXPECT_EQ(Http(a_->port(), "GET", "/api/jobs/" + id + "/output").body, expected);
  // And the host goes on serving new work.
  std::string next = SubmitOffline(a_->port(), "# Again\n\nMore text.", 0);
  EXPECT_EQ(WaitForState(a_->port(), next, {"succeeded", "failed"})["state"], "succeeded");
  a_->Stop();
  RunProcess({script, "stop", cluster});
}

}  // namespace
}  // namespace scribe::testing
