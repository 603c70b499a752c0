// What only a database several hosts share has: two stores (two hosts) on
// one PostgreSQL database of the test cluster — claims that never overlap,
// one host's commits reaching the other's listener, leases, cancellation
// across hosts — and the notice format itself.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "host/store/postgresql/pg_db.h"
#include "host/store/postgresql/pg_store.h"
#include "host/store/store.h"
#include "tests/support/postgres.h"

namespace scribe::store::postgresql {
namespace {

using Clock = std::chrono::steady_clock;

// Records what a host's store publishes, and waits for it.
class Recorder : public CommitListener {
 public:
  void OnCommitted(const std::vector<CommittedChange>& changes) override {
    std::lock_guard<std::mutex> lock(mu_);
    changes_.insert(changes_.end(), changes.begin(), changes.end());
    cv_.notify_all();
  }
  void OnAppendFailed(const std::string&, int, const Status&) override {}

  // Waits up to 10 s for a change `match` accepts; false if none came.
  template <typename Match>
  bool WaitFor(Match match) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10),
                        [&] { return std::any_of(changes_.begin(), changes_.end(), match); });
  }
  std::vector<CommittedChange> changes() {
    std::lock_guard<std::mutex> lock(mu_);
    return changes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<CommittedChange> changes_;
};

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::NewPostgresDatabase();
    ASSERT_FALSE(url_.empty());
    a_ = OpenHost(a_changes_);
    b_ = OpenHost(b_changes_);
    ASSERT_TRUE(a_ && b_);
  }

  std::unique_ptr<Store> OpenHost(Recorder& recorder) {
    StoreOptions options;
    options.lease_ms = 400;
    Result<std::unique_ptr<Store>> store = OpenStore(url_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    (*store)->SetCommitListener(&recorder);
    return std::move(store).value();
  }

  Job Submit(Store& store) {
    JobSpec spec;
    spec.title = "Doc";
    spec.input = "Some input.";
    spec.provider = "offline";
    spec.model = "narrator";
    Result<CreatedJob> created = store.CreateJob(spec);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->job : Job{};
  }

  std::string url_;
  Recorder a_changes_, b_changes_;
  std::unique_ptr<Store> a_, b_;
};

TEST_F(PostgresStoreTest, TwoHostsNeverClaimTheSameJob) {
  std::set<std::string> submitted;
  for (int i = 0; i < 40; ++i) submitted.insert(Submit(i % 2 ? *a_ : *b_).id);
  std::vector<std::string> claimed_by[2];
  auto claim_all = [&](Store& store, std::vector<std::string>& claimed) {
    for (;;) {
      Result<std::optional<Job>> job = store.ClaimNextJob();
      ASSERT_TRUE(job.ok()) << job.status().ToString();
      if (!job->has_value()) return;
      EXPECT_EQ((*job)->lease_owner, store.HostId());
      claimed.push_back((*job)->id);
    }
  };
  std::thread a([&] { claim_all(*a_, claimed_by[0]); });
  std::thread b([&] { claim_all(*b_, claimed_by[1]); });
  a.join();
  b.join();
  std::multiset<std::string> all(claimed_by[0].begin(), claimed_by[0].end());
  all.insert(claimed_by[1].begin(), claimed_by[1].end());
  EXPECT_EQ(all.size(), submitted.size());
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), submitted);
  EXPECT_NE(a_->HostId(), b_->HostId());
}

TEST_F(PostgresStoreTest, OneHostsCommitsReachTheOthersListenerInOrder) {
  Job job = Submit(*a_);
  ASSERT_TRUE(b_changes_.WaitFor([&](const CommittedChange& c) {
    return c.job && c.job->id == job.id && c.job->state == JobState::kQueued;
  }));
  Result<std::optional<Job>> claimed = a_->ClaimNextJob();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    std::string text = "part " + std::to_string(i) + " ✓ ";
    a_->Append(job.id, 1, text);
    expected += text;
  }
  ASSERT_TRUE(a_->FinishAttempt(job.id, 1, AttemptOutcome{}).ok());
  ASSERT_TRUE(b_changes_.WaitFor([&](const CommittedChange& c) {
    return c.job && c.job->id == job.id && c.job->state == JobState::kSucceeded;
  }));
  // B saw the text, contiguous from 0, all of it before the job succeeded.
  std::string seen;
  for (const CommittedChange& c : b_changes_.changes()) {
    if (c.job_id != job.id) continue;
    if (c.job) {
      if (c.job->state == JobState::kSucceeded) {
        EXPECT_EQ(c.job->output_bytes, static_cast<int64_t>(expected.size()));
        break;
      }
      continue;
    }
    ASSERT_EQ(c.offset, static_cast<int64_t>(seen.size()));
    seen += c.text;
  }
  EXPECT_EQ(seen, expected);
  // A published its own commits itself, once each: none came back to it.
  int64_t a_text = 0;
  for (const CommittedChange& c : a_changes_.changes()) {
    if (c.job_id == job.id && !c.job) a_text += static_cast<int64_t>(c.text.size());
  }
  EXPECT_EQ(a_text, static_cast<int64_t>(expected.size()));
}

TEST_F(PostgresStoreTest, OneHostsStreamAppendsReachTheOther) {
  StreamCreate create;
  create.path = "/v1/stream/shared";
  create.content_type = "text/plain";
  ASSERT_TRUE(a_->CreateStream(create).ok());
  StreamAppend append;
  append.path = create.path;
  append.content_type = "text/plain";
  append.data = "hello from A";
  append.close = true;
  StreamAppendResult result;
  ASSERT_TRUE(a_->AppendStream(append, result).ok());
  ASSERT_TRUE(b_changes_.WaitFor([&](const CommittedChange& c) {
    return c.stream && c.stream->path == create.path && c.text == "hello from A" && c.offset == 0;
  }));
  ASSERT_TRUE(
      b_changes_.WaitFor([&](const CommittedChange& c) { return c.stream && c.stream->closed; }));
}

TEST_F(PostgresStoreTest, AppendsOfTwoHostsToOneStreamStayWholeAndContiguous) {
  StreamCreate create;
  create.path = "/v1/stream/both";
  create.content_type = "text/plain";
  ASSERT_TRUE(a_->CreateStream(create).ok());
  auto append_many = [&](Store& store, char letter) {
    for (int i = 0; i < 100; ++i) {
      StreamAppend append;
      append.path = create.path;
      append.content_type = "text/plain";
      append.data = std::string(10, letter);
      StreamAppendResult result;
      ASSERT_TRUE(store.AppendStream(append, result).ok());
    }
  };
  std::thread a([&] { append_many(*a_, 'a'); });
  std::thread b([&] { append_many(*b_, 'b'); });
  a.join();
  b.join();
  Result<StreamRead> read = b_->ReadStream(create.path, 0, 1 << 20, false);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->data.size(), 2000u);
  for (size_t i = 0; i < read->data.size(); i += 10) {
    EXPECT_EQ(read->data.substr(i, 10), std::string(10, read->data[i])) << i;
  }
}

TEST_F(PostgresStoreTest, ALeaseKeptAliveHoldsItsJobAndAnExpiredOneIsTakenOver) {
  Job job = Submit(*a_);
  ASSERT_TRUE(a_->ClaimNextJob().ok());
  a_->Append(job.id, 1, "before ");
  ASSERT_TRUE(a_->Flush().ok());
  // A renews well within the lease: B finds nothing to take.
  for (auto until = Clock::now() + std::chrono::milliseconds(1200); Clock::now() < until;) {
    ASSERT_TRUE(a_->RenewLeases().ok());
    Result<std::vector<std::string>> taken = b_->InterruptRunningJobs();
    ASSERT_TRUE(taken.ok()) << taken.status().ToString();
    EXPECT_TRUE(taken->empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A stops renewing (as if it hung): after the lease B takes the job over.
  std::vector<std::string> taken;
  for (auto until = Clock::now() + std::chrono::seconds(5); taken.empty() && Clock::now() < until;
       std::this_thread::sleep_for(std::chrono::milliseconds(50))) {
    taken = b_->InterruptRunningJobs().value();
  }
  ASSERT_EQ(taken, std::vector<std::string>{job.id});
  ASSERT_TRUE(b_->RequeueJob(job.id, "taken over").ok());
  Result<std::optional<Job>> claimed = b_->ClaimNextJob();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->attempts, 2);
  EXPECT_EQ((*claimed)->lease_owner, b_->HostId());
  // A hears it lost the job; its late text is dropped, B's continues the log.
  ASSERT_TRUE(a_changes_.WaitFor([&](const CommittedChange& c) {
    return c.job && c.job->id == job.id && c.job->attempts == 2 &&
           c.job->lease_owner == b_->HostId();
  }));
  a_->Append(job.id, 1, "late from A ");
  ASSERT_TRUE(a_->Flush().ok());
  b_->Append(job.id, 2, "after");
  ASSERT_TRUE(b_->FinishAttempt(job.id, 2, AttemptOutcome{}).ok());
  EXPECT_EQ(b_->ReadOutput(job.id, 0, 1000).value(), "before after");
  EXPECT_EQ(a_->FinishAttempt(job.id, 1, AttemptOutcome{}).status().reason(), "attempt_over");
}

TEST_F(PostgresStoreTest, ACancelOnOneHostReachesTheHostRunningTheJob) {
  Job job = Submit(*a_);
  ASSERT_TRUE(a_->ClaimNextJob().ok());
  a_->Append(job.id, 1, "kept");
  ASSERT_TRUE(a_->Flush().ok());
  ASSERT_TRUE(b_->CancelJob(job.id).ok());
  ASSERT_TRUE(a_changes_.WaitFor([&](const CommittedChange& c) {
    return c.job && c.job->id == job.id && c.job->state == JobState::kCancelled;
  }));
  a_->Append(job.id, 1, " dropped");
  ASSERT_TRUE(a_->Flush().ok());
  EXPECT_EQ(a_->ReadOutput(job.id, 0, 1000).value(), "kept");
  // Continued from B, the job starts attempt 2 after the kept bytes.
  ASSERT_TRUE(b_->RequeueJob(job.id, "continue").ok());
  Result<std::optional<Job>> claimed = a_->ClaimNextJob();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->attempts, 2);
  EXPECT_EQ((*claimed)->output_bytes, 4);
}

// Runs `sql` as the cluster's superuser, on its `postgres` database.
void AsSuperuser(const std::string& sql) {
  PGconn* conn = PQconnectdb(testing::PostgresClusterUrl().c_str());
  PGresult* result = PQexec(conn, sql.c_str());
  EXPECT_TRUE(PQresultStatus(result) == PGRES_COMMAND_OK ||
              PQresultStatus(result) == PGRES_TUPLES_OK)
      << sql << ": " << PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
}

TEST_F(PostgresStoreTest, AHostThatMissedNoticesLearnsWhatChangedOnceItHearsAgain) {
  Job job = Submit(*a_);
  ASSERT_TRUE(a_->ClaimNextJob().ok());
  a_->Append(job.id, 1, "heard ");
  ASSERT_TRUE(b_changes_.WaitFor([&](const CommittedChange& c) { return c.text == "heard "; }));
  // B's listening connection drops and cannot come back for now; A goes on.
  const std::string database = url_.substr(url_.rfind('/') + 1);
  AsSuperuser("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
  AsSuperuser("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
              database + "' AND query = 'LISTEN scribe_changes'");
  a_->Append(job.id, 1, "missed");
  ASSERT_TRUE(a_->FinishAttempt(job.id, 1, AttemptOutcome{}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  AsSuperuser("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
  // Back, B announces the job as it is now: its end and its state.
  ASSERT_TRUE(b_changes_.WaitFor([&](const CommittedChange& c) {
    return c.job && c.job->id == job.id && c.job->state == JobState::kSucceeded &&
           c.job->output_bytes == 12;
  }));
}

TEST_F(PostgresStoreTest, AnIdempotencyKeyIsOneJobAcrossHosts) {
  JobSpec spec;
  spec.title = "Doc";
  spec.input = "Some input.";
  spec.provider = "offline";
  spec.model = "narrator";
  spec.idempotency_key = "k-1";
  spec.request_hash = "h";
  Result<CreatedJob> first = a_->CreateJob(spec);
  Result<CreatedJob> again = b_->CreateJob(spec);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_FALSE(first->replayed);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(first->job.id, again->job.id);
  spec.request_hash = "other";
  EXPECT_EQ(b_->CreateJob(spec).status().reason(), "idempotency_key_reused");
}

TEST(PostgresNoticesTest, ChangesAreMergedPerJobAndSplitUnderThePayloadLimit) {
  std::vector<CommittedChange> changes = {
      CommittedChange::JobText("job_a", 0, "abc"),
      CommittedChange::JobText("job_a", 3, "de"),
      CommittedChange::JobText("job_b", 10, "x"),
      CommittedChange::JobText("job_a", 5, "f"),
      CommittedChange::Stream({"/v1/stream/p q", true, false}, 7, "zz"),
  };
  Job job;
  job.id = "job_a";
  changes.push_back(CommittedChange::JobChanged(job));
  std::vector<std::string> payloads = EncodeChanges("origin", changes);
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0],
            "origin\nt job_a 0 5\nt job_b 10 1\nt job_a 5 1\ns 1 0 7 2 /v1/stream/p q\nj job_a");

  std::vector<CommittedChange> many;
  for (int i = 0; i < 2000; ++i) {
    Job changed;
    changed.id = "job_" + std::to_string(i);
    many.push_back(CommittedChange::JobChanged(changed));
  }
  payloads = EncodeChanges("origin", many);
  ASSERT_GT(payloads.size(), 1u);
  size_t lines = 0;
  for (const std::string& payload : payloads) {
    EXPECT_LT(payload.size(), 8000u);
    EXPECT_EQ(payload.rfind("origin\n", 0), 0u);
    lines += static_cast<size_t>(std::count(payload.begin(), payload.end(), '\n'));
  }
  EXPECT_EQ(lines, many.size());
}

TEST(PostgresSqlTest, TheStoresDialectBecomesPostgresqls) {
  EXPECT_EQ(TranslateSql("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND \"?3\" = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND \"?3\" = $12");
  EXPECT_EQ(TranslateSql("SELECT 1 /*pg: FOR UPDATE*/"), "SELECT 1  FOR UPDATE");
  EXPECT_EQ(RedactedUrl("postgresql://u:secret@h:5/db"), "postgresql://u:***@h:5/db");
  EXPECT_EQ(RedactedUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_TRUE(IsPostgresUrl("postgres://h/db"));
  EXPECT_FALSE(IsPostgresUrl("sqlite:/x.db"));
}

TEST(PostgresSqlTest, AnUnreachableServerIsAClearError) {
  Result<std::unique_ptr<Store>> store =
      OpenStore("postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2", StoreOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().reason(), "storage_unavailable");
  EXPECT_NE(store.status().message().find("postgresql://nobody:***@127.0.0.1:1"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(store.status().message().find("pw@"), std::string::npos);
}

}  // namespace
}  // namespace scribe::store::postgresql
