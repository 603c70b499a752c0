// scribectl against the real host and real database files: each command's
// output and exit code, and tail -f across dropped connections and a host
// killed and restarted mid-generation.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <thread>

#include "tests/e2e/host_fixture.h"
#include "tests/support/flaky_proxy.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

class ScribectlTest : public HostTest {
 protected:
  std::vector<std::string> Args(const std::vector<std::string>& args) const {
    std::vector<std::string> full = {BinDir() + "/scribectl"};
    full.insert(full.end(), args.begin(), args.end());
    return full;
  }
  // scribectl with --url pointing at the test's host.
  ProcessResult Ctl(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--url", host_->base_url()});
    return RunProcess(Args(args), input);
  }
  // scribectl reading the database file.
  ProcessResult CtlDb(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_path()});
    return RunProcess(Args(args));
  }
  std::string db_path() const { return dir_.File("scribe.db"); }

  std::string SubmitFinished(int sections) {
    std::string id = SubmitOffline(port(), Document(sections), 0);
    EXPECT_EQ(WaitForState(port(), id, {"succeeded"})["state"], "succeeded");
    return id;
  }
};

std::string Describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

// ---- jobs

TEST_F(ScribectlTest, JobsListsNewestFirstInAlignedColumnsAndFilters) {
  std::string first = SubmitFinished(1);
  std::string second = SubmitFinished(2);
  std::string cancelled = SubmitOffline(port(), Document(5), 5);
  ASSERT_EQ(Ctl({"cancel", cancelled}).exit_code, 0);

  ProcessResult all = Ctl({"jobs"});
  ASSERT_EQ(all.exit_code, 0) << Describe(all);
  EXPECT_EQ(all.out.find("\033["), std::string::npos) << "no colour into a pipe";
  std::istringstream lines(all.out);
  std::string header, row1, row2, row3;
  std::getline(lines, header);
  std::getline(lines, row1);
  std::getline(lines, row2);
  std::getline(lines, row3);
  EXPECT_EQ(header.rfind("ID", 0), 0u);
  for (const char* column : {"STATE", "PROVIDER/MODEL", "OUTPUT", "ATTEMPTS", "AGE", "ERROR"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column;
  }
  EXPECT_EQ(row1.rfind(cancelled, 0), 0u);
  EXPECT_EQ(row2.rfind(second, 0), 0u);
  EXPECT_EQ(row3.rfind(first, 0), 0u);
  // Aligned: each row's state starts under the STATE header.
  size_t state_column = header.find("STATE");
  EXPECT_EQ(row1.find("cancelled"), state_column);
  EXPECT_EQ(row2.find("succeeded"), state_column);
  EXPECT_NE(row2.find("offline/narrator"), std::string::npos);

  ProcessResult only = Ctl({"jobs", "--state", "cancelled"});
  EXPECT_NE(only.out.find(cancelled), std::string::npos);
  EXPECT_EQ(only.out.find(first), std::string::npos);
  ProcessResult limited = Ctl({"jobs", "--limit", "1", "--json"});
  ASSERT_EQ(limited.exit_code, 0) << Describe(limited);
  nlohmann::json listed = nlohmann::json::parse(limited.out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], cancelled);
  EXPECT_EQ(nlohmann::json::parse(Ctl({"jobs", "--json", "--since", "1h"}).out).size(), 3u);
  EXPECT_EQ(
      nlohmann::json::parse(Ctl({"jobs", "--json", "--since", "2999-01-01T00:00:00Z"}).out).size(),
      0u);
  ProcessResult none = Ctl({"jobs", "--provider", "gemini"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out, "");
  EXPECT_NE(none.err.find("no jobs"), std::string::npos);
}

TEST_F(ScribectlTest, BadArgumentsUnknownJobsAndAnAbsentHostHaveTheirExitCodes) {
  EXPECT_EQ(Ctl({"jobs", "--state", "sleeping"}).exit_code, 2);
  EXPECT_EQ(Ctl({"jobs", "--limit", "zero"}).exit_code, 2);
  EXPECT_EQ(Ctl({"jobs", "--since", "yesterday"}).exit_code, 2);
  EXPECT_EQ(Ctl({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Ctl({"show"}).exit_code, 2);
  EXPECT_EQ(Ctl({"show", "a", "b"}).exit_code, 2);
  EXPECT_EQ(Ctl({"tail", "x", "--from", "12abc"}).exit_code, 2);
  EXPECT_EQ(Ctl({"jobs", "--bogus"}).exit_code, 2);
  ProcessResult unknown = Ctl({"show", "job_missing"});
  EXPECT_EQ(unknown.exit_code, 4);
  EXPECT_NE(unknown.err.find("no job with id 'job_missing'"), std::string::npos) << unknown.err;
  EXPECT_EQ(Ctl({"cancel", "job_missing"}).exit_code, 4);
  EXPECT_EQ(Ctl({"tail", "job_missing"}).exit_code, 4);

  ProcessResult away = RunProcess(Args({"--url", "http://127.0.0.1:1", "jobs"}));
  EXPECT_EQ(away.exit_code, 3);
  EXPECT_NE(away.err.find("cannot reach the host at http://127.0.0.1:1"), std::string::npos);
  ProcessResult from_env = RunProcess(Args({"jobs"}), "", {"SCRIBE_URL=" + host_->base_url()});
  EXPECT_EQ(from_env.exit_code, 0) << Describe(from_env);
  EXPECT_EQ(RunProcess(Args({"--url", "ftp://x", "jobs"})).exit_code, 2);

  ProcessResult help = RunProcess(Args({"--help"}));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes:"), std::string::npos);
  EXPECT_NE(help.out.find("  4  no such job"), std::string::npos);
  ProcessResult tail_help = RunProcess(Args({"tail", "--help"}));
  EXPECT_NE(tail_help.out.find("--from -N"), std::string::npos);
}

// ---- show

TEST_F(ScribectlTest, ShowTellsEverythingAboutAJob) {
  nlohmann::json body = {{"content", Document(1)},
                         {"title", "Guide"},
                         {"provider", "offline"},
                         {"prompt", "Read it aloud.\nSlowly."},
                         {"params", {{"chunks_per_second", 0}}}};
  std::string parent = Http(port(), "POST", "/api/jobs", body.dump()).Json()["id"];
  WaitForState(port(), parent, {"succeeded"});
  std::string child = Ctl({"retry", parent}).out;
  child.erase(child.find_last_not_of('\n') + 1);
  WaitForState(port(), child, {"succeeded"});

  ProcessResult shown = Ctl({"show", parent});
  ASSERT_EQ(shown.exit_code, 0) << Describe(shown);
  for (const std::string& expected :
       {std::string("Job        ") + parent, std::string("succeeded after 1 attempt"),
        std::string("Guide"), std::string("offline/narrator"),
        std::string("{\"chunks_per_second\":0}"), std::string("  Read it aloud."),
        std::string("  Slowly."), std::string("Children   ") + child, std::string("Attempts"),
        std::string("History"), std::string("submitted"), std::string("tokens")}) {
    EXPECT_NE(shown.out.find(expected), std::string::npos) << expected << "\n" << shown.out;
  }
  EXPECT_NE(Ctl({"show", child}).out.find("Parent     " + parent), std::string::npos);

  nlohmann::json json = nlohmann::json::parse(Ctl({"show", parent, "--json"}).out);
  EXPECT_EQ(json["id"], parent);
  EXPECT_EQ(json["history"]["attempts"].size(), 1u);
  EXPECT_EQ(json["history"]["children"][0], child);
}

// ---- tail

TEST_F(ScribectlTest, TailPrintsTheOutputFromAnOffsetOrItsLastBytes) {
  std::string id = SubmitFinished(2);
  const std::string script = Script(2);
  ProcessResult all = Ctl({"tail", id});
  ASSERT_EQ(all.exit_code, 0) << Describe(all);
  EXPECT_EQ(all.out, script);
  EXPECT_EQ(Ctl({"tail", id, "--from", "100"}).out, script.substr(100));
  // The last N bytes start at the next character boundary.
  std::string last = Ctl({"tail", id, "--from", "-300"}).out;
  ASSERT_LE(last.size(), 300u);
  EXPECT_GE(last.size(), 297u);
  EXPECT_EQ(last, script.substr(script.size() - last.size()));
  EXPECT_EQ(Ctl({"tail", id, "--from", "-0"}).out, "");
  ProcessResult past = Ctl({"tail", id, "--from", std::to_string(script.size() + 1)});
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_NE(past.err.find("past the end"), std::string::npos) << past.err;
}

TEST_F(ScribectlTest, TailFollowStreamsToTheEndAndExitsByHowTheJobEnded) {
  std::string id = SubmitOffline(port(), Document(2), 400);
  ProcessResult followed = Ctl({"tail", id, "-f"});
  ASSERT_EQ(followed.exit_code, 0) << Describe(followed);
  EXPECT_EQ(followed.out, Script(2));
  EXPECT_NE(followed.err.find("succeeded: job " + id), std::string::npos) << followed.err;

  // From the middle with -f: the text from there, once.
  std::string later = SubmitOffline(port(), Document(2), 400);
  WaitForState(port(), later, {"running"});
  ProcessResult tail = Ctl({"tail", later, "-f", "--from", "-50"});
  ASSERT_EQ(tail.exit_code, 0) << Describe(tail);
  EXPECT_GE(tail.out.size(), 47u);
  EXPECT_EQ(tail.out, Script(2).substr(Script(2).size() - tail.out.size()));
}

class ScribectlNoAutoContinueTest : public ScribectlTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--auto-continues", "0"}; }
};

TEST_F(ScribectlNoAutoContinueTest, FollowingAFailedOrCancelledJobExitsNonZero) {
  std::string failing = SubmitOffline(port(), Document(3), 0, {{"fail_after_bytes", 300}});
  ProcessResult failed = Ctl({"tail", failing, "-f"});
  EXPECT_EQ(failed.exit_code, 6) << Describe(failed);
  EXPECT_EQ(failed.out, Output(failing));
  EXPECT_NE(failed.err.find("failed: job " + failing), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("provider_unavailable"), std::string::npos);
  EXPECT_NE(failed.err.find("scribectl continue " + failing), std::string::npos);

  std::string slow = SubmitOffline(port(), Document(5), 20);
  BackgroundProcess follower(Args({"--url", host_->base_url(), "tail", slow, "-f"}));
  WaitForState(port(), slow, {"running"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(Ctl({"cancel", slow}).exit_code, 0);
  EXPECT_EQ(follower.Wait(30), 7) << follower.Err();
  EXPECT_EQ(follower.Out(), Output(slow));
  EXPECT_NE(follower.Err().find("cancelled"), std::string::npos);
}

TEST_F(ScribectlTest, TailFollowResumesAcrossDroppedConnectionsWithoutLossOrRepeats) {
  std::string id = SubmitOffline(port(), Document(4), 300);
  // Each of the first 6 connections is cut after 200..3000 bytes of the
  // answer: inside the head, an event, or a character.
  FlakyProxy proxy(port(), 6, 200, 3000, 42);
  ProcessResult followed = RunProcess(
      Args({"--url", "http://127.0.0.1:" + std::to_string(proxy.port()), "tail", id, "-f"}));
  ASSERT_EQ(followed.exit_code, 0) << Describe(followed);
  EXPECT_EQ(proxy.cut(), 6);
  EXPECT_EQ(followed.out, Script(4));
  EXPECT_EQ(followed.out, Output(id));
  EXPECT_NE(followed.err.find("reconnecting"), std::string::npos) << followed.err;
  EXPECT_NE(followed.err.find("6 reconnects"), std::string::npos) << followed.err;
}

TEST_F(ScribectlTest, TailFollowRidesThroughAHostKilledAndRestarted) {
  std::string id = SubmitOffline(port(), Document(6), 150);
  BackgroundProcess follower(Args({"--url", host_->base_url(), "tail", id, "-f"}));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (follower.Out().size() < 400 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(follower.Out().size(), 400u);
  host_->Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // the follower finds no host
  ASSERT_TRUE(host_->Start());  // same port; the job is interrupted, then continued
  ASSERT_EQ(follower.Wait(60), 0) << follower.Err();
  EXPECT_EQ(follower.Out(), Script(6));
  EXPECT_EQ(follower.Out(), Output(id));
  EXPECT_NE(follower.Err().find("reconnecting"), std::string::npos);
}

// ---- submit and steering

TEST_F(ScribectlTest, SubmitFromAFileOrStdinAndFollow) {
  std::string path = dir_.File("notes.md");
  std::ofstream(path) << Document(1);
  ProcessResult submitted = Ctl({"submit", "--file", path, "--provider", "offline", "--param",
                                 "chunks_per_second=0", "--prompt", "Be brief."});
  ASSERT_EQ(submitted.exit_code, 0) << Describe(submitted);
  std::string id = submitted.out.substr(0, submitted.out.find('\n'));
  nlohmann::json job = WaitForState(port(), id, {"succeeded"});
  EXPECT_EQ(job["title"], "notes.md");
  EXPECT_EQ(job["prompt"], "Be brief.");
  EXPECT_EQ(job["params"]["chunks_per_second"], 0);
  EXPECT_EQ(Output(id), offline::Narrate("notes.md", Document(1)));

  ProcessResult followed = Ctl({"submit", "--file", "-", "--param", "chunks_per_second=300",
                                "--follow", "--title", "From stdin"},
                               Document(2));
  ASSERT_EQ(followed.exit_code, 0) << Describe(followed);
  EXPECT_EQ(followed.out, offline::Narrate("From stdin", Document(2)));
  EXPECT_NE(followed.err.find("submitted"), std::string::npos);

  // The same idempotency key gives the same job.
  ProcessResult once = Ctl({"submit", "--file", path, "--idempotency-key", "k-1"});
  ProcessResult twice = Ctl({"submit", "--file", path, "--idempotency-key", "k-1"});
  EXPECT_FALSE(once.out.empty());
  EXPECT_EQ(once.out, twice.out);

  EXPECT_EQ(Ctl({"submit"}).exit_code, 2);
  EXPECT_EQ(Ctl({"submit", "--file", dir_.File("missing.md")}).exit_code, 2);
  ProcessResult bad_provider = Ctl({"submit", "--file", path, "--provider", "nobody"});
  EXPECT_EQ(bad_provider.exit_code, 2) << Describe(bad_provider);
  EXPECT_NE(bad_provider.err.find("nobody"), std::string::npos);
}

TEST_F(ScribectlTest, CancelContinueRetryAndDeleteSteerJobs) {
  std::string id = SubmitOffline(port(), Document(4), 80);
  WaitForState(port(), id, {"running"});
  EXPECT_EQ(Ctl({"delete", id}).exit_code, 5) << "a running job cannot be deleted";
  ProcessResult cancelled = Ctl({"cancel", id});
  ASSERT_EQ(cancelled.exit_code, 0) << Describe(cancelled);
  EXPECT_NE(cancelled.out.find("is cancelled"), std::string::npos) << cancelled.out;
  EXPECT_EQ(Ctl({"cancel", id}).exit_code, 5) << "already finished";

  ProcessResult continued = Ctl({"continue", id, "--json"});
  ASSERT_EQ(continued.exit_code, 0) << Describe(continued);
  EXPECT_EQ(nlohmann::json::parse(continued.out)["state"], "queued");
  EXPECT_EQ(Ctl({"tail", id, "-f", "--no-progress"}).out, Script(4));

  ProcessResult retried = Ctl({"retry", id});
  ASSERT_EQ(retried.exit_code, 0) << Describe(retried);
  std::string child = retried.out.substr(0, retried.out.find('\n'));
  EXPECT_EQ(WaitForState(port(), child, {"queued", "running", "succeeded"})["parent_id"], id);

  ProcessResult deleted = Ctl({"delete", id});
  EXPECT_EQ(deleted.exit_code, 0) << Describe(deleted);
  EXPECT_EQ(Ctl({"show", id}).exit_code, 4);
}

TEST_F(ScribectlTest, ProvidersAndStatsDescribeTheHost) {
  SubmitFinished(1);
  ProcessResult providers = Ctl({"providers"});
  ASSERT_EQ(providers.exit_code, 0) << Describe(providers);
  EXPECT_NE(providers.out.find("NAME"), std::string::npos);
  EXPECT_NE(providers.out.find("offline"), std::string::npos);
  EXPECT_NE(providers.out.find("gemini"), std::string::npos);
  nlohmann::json listed = nlohmann::json::parse(Ctl({"providers", "--json"}).out);
  EXPECT_GE(listed.size(), 3u);

  // A job streams while stats measures: the throughput is not zero.
  std::string running = SubmitOffline(port(), Document(6), 400);
  WaitForState(port(), running, {"running"});
  ProcessResult stats = Ctl({"stats", "--json", "--interval", "500ms"});
  ASSERT_EQ(stats.exit_code, 0) << Describe(stats);
  nlohmann::json json = nlohmann::json::parse(stats.out);
  EXPECT_GE(json["jobs"]["succeeded"].get<int>(), 1);
  EXPECT_GT(json["bytes_appended"].get<int64_t>(), 0);
  EXPECT_GT(json["throughput"]["bytes_per_second"].get<double>(), 0);
  EXPECT_GE(json["providers"]["offline"]["attempts"].get<int>(), 1);
  ProcessResult text = Ctl({"stats", "--interval", "0s"});
  EXPECT_NE(text.out.find("Jobs"), std::string::npos);
  EXPECT_NE(text.out.find("succeeded"), std::string::npos);
  EXPECT_NE(text.out.find("offline"), std::string::npos);
}

// ---- --db and db maintenance

TEST_F(ScribectlTest, DatabaseModeShowsTheSameWhileTheHostIsDown) {
  std::string id = SubmitFinished(2);
  std::string from_host_jobs = Ctl({"jobs", "--json"}).out;
  std::string from_host_show = Ctl({"show", id, "--json"}).out;
  ASSERT_EQ(host_->Stop(), 0);

  ProcessResult jobs = CtlDb({"jobs", "--json"});
  ASSERT_EQ(jobs.exit_code, 0) << Describe(jobs);
  EXPECT_EQ(jobs.out, from_host_jobs);
  EXPECT_EQ(CtlDb({"show", id, "--json"}).out, from_host_show);
  EXPECT_EQ(CtlDb({"tail", id}).out, Script(2));
  std::string last = CtlDb({"tail", id, "--from", "-300"}).out;
  EXPECT_EQ(last, Script(2).substr(Script(2).size() - last.size()));
  EXPECT_NE(CtlDb({"stats"}).out.find("succeeded 1"), std::string::npos);
  EXPECT_EQ(CtlDb({"show", "job_missing"}).exit_code, 4);
  EXPECT_EQ(CtlDb({"tail", id, "-f"}).exit_code, 2);
  EXPECT_EQ(CtlDb({"cancel", id}).exit_code, 2);

  ProcessResult missing = RunProcess(Args({"--db", dir_.File("none.db"), "jobs"}));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("no database at"), std::string::npos);
  EXPECT_FALSE(std::ifstream(dir_.File("none.db")).good()) << "a reader never creates a file";
}

TEST_F(ScribectlTest, DbCheckVacuumAndPurgeMaintainTheFileSafely) {
  std::string kept = SubmitOffline(port(), Document(1), 400);  // paced: many chunks
  WaitForState(port(), kept, {"succeeded"});
  std::string cancelled = SubmitOffline(port(), Document(4), 20);
  WaitForState(port(), cancelled, {"running"});
  ASSERT_EQ(Ctl({"cancel", cancelled}).exit_code, 0);
  std::string continued = SubmitOffline(port(), Document(2), 0, {{"fail_after_bytes", 200}});
  WaitForState(port(), continued, {"succeeded"});

  // Beside the running host: check reads a snapshot, vacuum refuses.
  ProcessResult check = CtlDb({"db", "check"});
  EXPECT_EQ(check.exit_code, 0) << Describe(check);
  EXPECT_NE(check.out.find("3 jobs"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("\nok\n"), std::string::npos) << check.out;
  ProcessResult refused = CtlDb({"db", "vacuum"});
  EXPECT_EQ(refused.exit_code, 5);
  EXPECT_NE(refused.err.find("in use by another scribed"), std::string::npos) << refused.err;

  // Purge beside the running host: only what matches, dry run first.
  EXPECT_EQ(CtlDb({"db", "purge"}).exit_code, 2) << "--older-than is required";
  EXPECT_EQ(CtlDb({"db", "purge", "--older-than", "0s", "--state", "running"}).exit_code, 2);
  ProcessResult dry =
      CtlDb({"db", "purge", "--older-than", "0s", "--state", "cancelled", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << Describe(dry);
  EXPECT_EQ(dry.out, cancelled + "\n");
  EXPECT_EQ(Ctl({"show", cancelled}).exit_code, 0) << "a dry run deletes nothing";
  EXPECT_EQ(CtlDb({"db", "purge", "--older-than", "1d"}).out, "") << "nothing that old";
  ProcessResult purged = CtlDb({"db", "purge", "--older-than", "0s", "--state", "cancelled"});
  EXPECT_EQ(purged.out, cancelled + "\n") << Describe(purged);
  EXPECT_EQ(Ctl({"show", cancelled}).exit_code, 4);
  EXPECT_EQ(Ctl({"show", kept}).exit_code, 0);
  EXPECT_EQ(Output(continued), Script(2)) << "the host still serves the rest";

  ASSERT_EQ(host_->Stop(), 0);
  ProcessResult vacuum = CtlDb({"db", "vacuum"});
  EXPECT_EQ(vacuum.exit_code, 0) << Describe(vacuum);
  EXPECT_EQ(CtlDb({"db", "check"}).exit_code, 0);

  // A hole in a log is found and named.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  std::string hole = "DELETE FROM chunks WHERE job_id = '" + kept +
                     "' AND seq = (SELECT seq FROM chunks WHERE job_id = '" + kept +
                     "' ORDER BY seq LIMIT 1 OFFSET 1)";
  ASSERT_EQ(sqlite3_exec(db, hole.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ProcessResult broken = CtlDb({"db", "check"});
  EXPECT_EQ(broken.exit_code, 8) << Describe(broken);
  EXPECT_NE(broken.out.find("job " + kept + "'s log has a gap"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("job " + kept + " says"), std::string::npos) << broken.out;
  ASSERT_TRUE(host_->Start()) << "the host starts after a vacuum";
}

// ---- terminals

TEST_F(ScribectlTest, ColourAndTheProgressLineOnlyOnATerminal) {
  std::string id = SubmitFinished(1);
  ProcessResult coloured =
      RunInTerminal(Args({"--url", host_->base_url(), "jobs"}), {"-NO_COLOR", "TERM=xterm"});
  EXPECT_EQ(coloured.exit_code, 0);
  EXPECT_NE(coloured.out.find("\033[32msucceeded\033[0m"), std::string::npos) << coloured.out;
  ProcessResult plain =
      RunInTerminal(Args({"--url", host_->base_url(), "jobs"}), {"NO_COLOR=1", "TERM=xterm"});
  EXPECT_EQ(plain.out.find("\033["), std::string::npos) << plain.out;
  EXPECT_EQ(RunInTerminal(Args({"--url", host_->base_url(), "--no-color", "jobs"}), {"TERM=xterm"})
                .out.find("\033["),
            std::string::npos);

  // Following on a terminal: the text, a progress line pinned to the last
  // row with a scroll region, and the region given back at the end.
  std::string slow = SubmitOffline(port(), Document(2), 200);
  ProcessResult followed = RunInTerminal(Args({"--url", host_->base_url(), "tail", slow, "-f"}),
                                         {"-NO_COLOR", "TERM=xterm"});
  EXPECT_EQ(followed.exit_code, 0) << followed.out;
  EXPECT_NE(followed.out.find("\033[1;23r"), std::string::npos) << "scroll region above row 24";
  EXPECT_NE(followed.out.find("\033[24;1H"), std::string::npos) << "the line on row 24";
  EXPECT_NE(followed.out.find("received"), std::string::npos);
  EXPECT_NE(followed.out.find("\033[1;24r"), std::string::npos) << "the whole screen restored";
  // Without a terminal, no progress line at all.
  ProcessResult piped = Ctl({"tail", id, "-f"});
  EXPECT_EQ(piped.err.find("received"), std::string::npos) << piped.err;
}

}  // namespace
}  // namespace scribe::testing
