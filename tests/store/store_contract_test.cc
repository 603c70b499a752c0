// The Store contract: every backend runs these tests unchanged
// (INSTANTIATE_TEST_SUITE_P at the bottom lists the backends).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "host/common/clock.h"
#include "host/store/store.h"
#include "tests/support/host_process.h"
#include "tests/support/postgres.h"

namespace scribe::store {
namespace {

using testing::TempDir;

// A backend: its name, and the URL of a database of its own for a test's
// directory (the same URL every time for the same directory).
struct Backend {
  std::string name;
  std::function<std::string(const TempDir&)> url;
};

void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

class RecordingListener : public CommitListener {
 public:
  void OnCommitted(const std::vector<CommittedChange>& changes) override {
    std::lock_guard<std::mutex> lock(mu_);
    changes_.insert(changes_.end(), changes.begin(), changes.end());
  }
  void OnAppendFailed(const std::string& job_id, int attempt, const Status&) override {
    std::lock_guard<std::mutex> lock(mu_);
    failed_.push_back(job_id + "#" + std::to_string(attempt));
  }
  std::vector<CommittedChange> changes() {
    std::lock_guard<std::mutex> lock(mu_);
    return changes_;
  }

 private:
  std::mutex mu_;
  std::vector<CommittedChange> changes_;
  std::vector<std::string> failed_;
};

class StoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { Open(); }

  // Opens the test's database again, as a host starting on it would.
  void Open(StoreOptions options = {}) {
    store_.reset();
    Result<std::unique_ptr<Store>> opened = OpenStore(GetParam().url(dir_), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    store_->SetCommitListener(&listener_);
  }

  JobSpec Spec(const std::string& provider = "offline") {
    JobSpec spec;
    spec.title = "Doc";
    spec.input = "Some input text.";
    spec.provider = provider;
    spec.model = "narrator";
    spec.params_json = R"({"chunks_per_second":0})";
    return spec;
  }

  Job CreateQueued(const std::string& provider = "offline") {
    Result<CreatedJob> created = store_->CreateJob(Spec(provider));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created->job;
  }

  // Creates a job and claims it: it is running attempt 1.
  Job CreateRunning() {
    Job job = CreateQueued();
    Result<std::optional<Job>> claimed = store_->ClaimNextJob();
    EXPECT_TRUE(claimed.ok() && claimed->has_value());
    EXPECT_EQ((*claimed)->id, job.id);
    return **claimed;
  }

  std::string Output(const std::string& id) {
    Result<std::string> text = store_->ReadOutput(id, 0, 1 << 30);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? *text : "";
  }

  TempDir dir_;
  RecordingListener listener_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, DocumentsRoundTripAndListNewestFirstInPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Result<Document> doc =
        store_->CreateDocument("T" + std::to_string(i), "body ✓ " + std::to_string(i), "");
    ASSERT_TRUE(doc.ok());
    ids.push_back(doc->id);
  }
  Result<Document> read = store_->GetDocument(ids[2]);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->title, "T2");
  EXPECT_EQ(read->content, "body ✓ 2");
  EXPECT_EQ(read->bytes, static_cast<int64_t>(std::string("body ✓ 2").size()));

  std::vector<std::string> listed;
  PageRequest page{2, "", ""};
  for (int guard = 0; guard < 10; ++guard) {
    Result<Page<Document>> result = store_->ListDocuments(page);
    ASSERT_TRUE(result.ok());
    for (const Document& d : result->items) {
      listed.push_back(d.id);
      EXPECT_TRUE(d.content.empty());  // listings leave the text out
    }
    if (result->next_cursor.empty()) break;
    page.cursor = result->next_cursor;
  }
  std::vector<std::string> expected(ids.rbegin(), ids.rend());
  EXPECT_EQ(listed, expected);

  EXPECT_TRUE(store_->DeleteDocument(ids[0]).ok());
  EXPECT_EQ(store_->GetDocument(ids[0]).status().reason(), "document_not_found");
  EXPECT_EQ(store_->DeleteDocument(ids[0]).code(), Code::kNotFound);
}

TEST_P(StoreContractTest, ABadCursorIsAnInvalidArgument) {
  EXPECT_EQ(store_->ListDocuments(PageRequest{10, "garbage", ""}).status().reason(),
            "invalid_cursor");
  JobFilter filter;
  filter.cursor = "x:";
  EXPECT_EQ(store_->ListJobs(filter).status().reason(), "invalid_cursor");
}

TEST_P(StoreContractTest, ACreatedJobIsQueuedWithItsInputAndHistory) {
  Job job = CreateQueued();
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(job.output_bytes, 0);
  EXPECT_EQ(job.input_bytes, static_cast<int64_t>(Spec().input.size()));
  EXPECT_EQ(*store_->GetJobInput(job.id), Spec().input);
  Result<JobHistory> history = store_->GetJobHistory(job.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->events.size(), 1u);
  EXPECT_EQ(history->events[0].state, JobState::kQueued);
  EXPECT_EQ(store_->GetJob("job_nope").status().reason(), "job_not_found");
}

TEST_P(StoreContractTest, AnIdempotencyKeyReplaysTheSameJobAndRefusesAnotherRequest) {
  JobSpec spec = Spec();
  spec.idempotency_key = "key-1";
  spec.request_hash = "h1";
  Result<CreatedJob> first = store_->CreateJob(spec);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replayed);
  Result<CreatedJob> again = store_->CreateJob(spec);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->job.id, first->job.id);
  spec.request_hash = "h2";
  EXPECT_EQ(store_->CreateJob(spec).status().reason(), "idempotency_key_reused");
  EXPECT_EQ(store_->ListJobs(JobFilter{})->items.size(), 1u);
}

TEST_P(StoreContractTest, ClaimTakesTheOldestQueuedJobAndOpensAnAttempt) {
  Job first = CreateQueued();
  Job second = CreateQueued();
  Result<std::optional<Job>> claimed = store_->ClaimNextJob();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->id, first.id);
  EXPECT_EQ((*claimed)->state, JobState::kRunning);
  EXPECT_EQ((*claimed)->attempts, 1);
  EXPECT_EQ((*store_->ClaimNextJob())->id, second.id);
  EXPECT_FALSE(store_->ClaimNextJob()->has_value());
  Result<JobHistory> history = store_->GetJobHistory(first.id);
  ASSERT_EQ(history->attempts.size(), 1u);
  EXPECT_EQ(history->attempts[0].state, JobState::kRunning);
}

TEST_P(StoreContractTest, AppendedTextIsContiguousAndPublishedOnlyAfterCommit) {
  Job job = CreateRunning();
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    std::string piece = "chunk " + std::to_string(i) + " ✓ ";
    expected += piece;
    store_->Append(job.id, 1, piece);
  }
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Output(job.id), expected);
  EXPECT_EQ(store_->GetJob(job.id)->output_bytes, static_cast<int64_t>(expected.size()));

  // What was published is exactly what was stored, at contiguous offsets.
  std::string published;
  for (const CommittedChange& change : listener_.changes()) {
    if (change.job_id != job.id || change.job) continue;
    EXPECT_EQ(change.offset, static_cast<int64_t>(published.size()));
    published += change.text;
  }
  EXPECT_EQ(published, expected);
}

TEST_P(StoreContractTest, ReadOutputStartsAnywhereAndStopsAtMaxBytes) {
  Job job = CreateRunning();
  store_->Append(job.id, 1, "abc");
  ASSERT_TRUE(store_->Flush().ok());
  store_->Append(job.id, 1, "defg");
  ASSERT_TRUE(store_->Flush().ok());
  store_->Append(job.id, 1, "hij");
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(*store_->ReadOutput(job.id, 0, 100), "abcdefghij");
  EXPECT_EQ(*store_->ReadOutput(job.id, 2, 100), "cdefghij");
  EXPECT_EQ(*store_->ReadOutput(job.id, 5, 3), "fgh");
  EXPECT_EQ(*store_->ReadOutput(job.id, 10, 100), "");
  EXPECT_EQ(*store_->ReadOutput(job.id, 50, 100), "");
  EXPECT_EQ(store_->ReadOutput("job_missing", 0, 10).status().reason(), "job_not_found");
  EXPECT_EQ(store_->ReadOutput(job.id, -1, 10).status().reason(), "invalid_offset");
}

TEST_P(StoreContractTest, AppendsAfterCancelAreDroppedAndThePartialIsKept) {
  Job job = CreateRunning();
  store_->Append(job.id, 1, "kept ");
  Result<Job> cancelled = store_->CancelJob(job.id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, JobState::kCancelled);
  EXPECT_EQ(cancelled->output_bytes, 5);
  store_->Append(job.id, 1, "dropped");
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Output(job.id), "kept ");
  EXPECT_GE(store_->Stats().appends_dropped, 1);
  // The attempt is over: finishing it now is a conflict, the job stays cancelled.
  AttemptOutcome done;
  EXPECT_EQ(store_->FinishAttempt(job.id, 1, done).status().reason(), "attempt_over");
  EXPECT_EQ(store_->GetJob(job.id)->state, JobState::kCancelled);
  EXPECT_EQ(store_->CancelJob(job.id).status().reason(), "job_finished");
}

TEST_P(StoreContractTest, UsageOfACancelledAttemptStillCounts) {
  Job job = CreateRunning();
  ASSERT_TRUE(store_->CancelJob(job.id).ok());
  ASSERT_TRUE(store_->AddAttemptUsage(job.id, 1, Usage{7, 3, 1}).ok());
  Result<Job> after = store_->GetJob(job.id);
  EXPECT_EQ(after->usage.input_tokens, 7);
  EXPECT_EQ(after->usage.thinking_tokens, 1);
  EXPECT_EQ(store_->GetJobHistory(job.id)->attempts[0].usage.output_tokens, 3);
  EXPECT_EQ(store_->AddAttemptUsage(job.id, 9, Usage{1, 1, 1}).code(), Code::kNotFound);
}

TEST_P(StoreContractTest, AStaleAttemptCannotAppendAfterTheJobMovedOn) {
  Job job = CreateRunning();
  store_->Append(job.id, 1, "one ");
  AttemptOutcome failed;
  failed.state = JobState::kFailed;
  failed.error = JobError{"provider_unavailable", "503", "UNAVAILABLE", true};
  ASSERT_TRUE(store_->FinishAttempt(job.id, 1, failed).ok());
  ASSERT_TRUE(store_->RequeueJob(job.id, "continue").ok());
  Result<std::optional<Job>> again = store_->ClaimNextJob();
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->attempts, 2);
  EXPECT_EQ((*again)->output_bytes, 4);
  EXPECT_FALSE((*again)->error.has_value());  // cleared while it runs again
  store_->Append(job.id, 1, "stale ");
  store_->Append(job.id, 2, "two");
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Output(job.id), "one two");
  Result<JobHistory> history = store_->GetJobHistory(job.id);
  ASSERT_EQ(history->attempts.size(), 2u);
  EXPECT_EQ(history->attempts[0].state, JobState::kFailed);
  EXPECT_EQ(history->attempts[0].end_offset, 4);
  EXPECT_EQ(history->attempts[1].start_offset, 4);
}

TEST_P(StoreContractTest, NextAttemptKeepsTheJobRunningOnAnotherRoute) {
  Job job = CreateRunning();
  store_->Append(job.id, 1, "first ");
  AttemptOutcome failed;
  failed.state = JobState::kFailed;
  failed.error = JobError{"provider_unavailable", "overloaded", "UNAVAILABLE", true};
  failed.usage = Usage{5, 2, 0};
  Result<Job> next = store_->NextAttempt(job.id, 1, failed, "openai", "gpt-x", "falling back");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->state, JobState::kRunning);
  EXPECT_EQ(next->attempts, 2);
  EXPECT_EQ(next->output_bytes, 6);
  EXPECT_EQ(next->usage.input_tokens, 5);
  store_->Append(job.id, 1, "stale ");  // the first attempt is over
  store_->Append(job.id, 2, "second");
  ASSERT_TRUE(store_->FinishAttempt(job.id, 2, AttemptOutcome{}).ok());
  EXPECT_EQ(Output(job.id), "first second");
  Result<JobHistory> history = store_->GetJobHistory(job.id);
  ASSERT_EQ(history->attempts.size(), 2u);
  EXPECT_EQ(history->attempts[0].state, JobState::kFailed);
  EXPECT_EQ(history->attempts[0].error->code, "provider_unavailable");
  EXPECT_EQ(history->attempts[1].provider, "openai");
  EXPECT_EQ(history->attempts[1].model, "gpt-x");
  EXPECT_EQ(history->attempts[1].start_offset, 6);
  EXPECT_EQ(history->events.back().state, JobState::kSucceeded);
  // A stale attempt number is a conflict.
  EXPECT_EQ(store_->NextAttempt(job.id, 1, failed, "x", "", "").status().reason(), "attempt_over");
}

TEST_P(StoreContractTest, RequeueAcceptsOnlyFailedCancelledOrInterruptedJobs) {
  Job queued = CreateQueued();
  EXPECT_EQ(store_->RequeueJob(queued.id, "x").status().reason(), "job_active");
  Job running = *store_->ClaimNextJob().value();
  EXPECT_EQ(store_->RequeueJob(running.id, "x").status().reason(), "job_active");
  ASSERT_TRUE(store_->FinishAttempt(running.id, 1, AttemptOutcome{}).ok());
  EXPECT_EQ(store_->GetJob(running.id)->state, JobState::kSucceeded);
  EXPECT_EQ(store_->RequeueJob(running.id, "x").status().reason(), "job_succeeded");
  EXPECT_EQ(store_->RequeueJob("job_missing", "x").status().code(), Code::kNotFound);
}

TEST_P(StoreContractTest, RecoveryInterruptsTheRunningJobsOfAHostThatIsGone) {
  StoreOptions short_lease;
  short_lease.lease_ms = 300;
  Open(short_lease);
  Job running = CreateRunning();
  EXPECT_EQ(running.lease_owner, store_->HostId());
  store_->Append(running.id, 1, "partial");
  Job queued = CreateQueued();
  // Its own host is running it: not taken, however often recovery runs.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->RenewLeases().ok());
    Result<std::vector<std::string>> none = store_->InterruptRunningJobs();
    ASSERT_TRUE(none.ok()) << none.status().ToString();
    EXPECT_TRUE(none->empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  EXPECT_EQ(store_->GetJob(running.id)->state, JobState::kRunning);

  // Its host stops without ending it; the next host finds it (on a shared
  // database, once the lease expired).
  Open(short_lease);
  std::vector<std::string> interrupted;
  for (int i = 0; i < 100 && interrupted.empty(); ++i) {
    Result<std::vector<std::string>> found = store_->InterruptRunningJobs();
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    interrupted = *found;
    if (interrupted.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(interrupted, std::vector<std::string>{running.id});
  Result<Job> job = store_->GetJob(running.id);
  EXPECT_EQ(job->state, JobState::kInterrupted);
  EXPECT_EQ(job->output_bytes, 7);
  EXPECT_EQ(store_->GetJob(queued.id)->state, JobState::kQueued);
  store_->Append(running.id, 1, "late");  // the old attempt is over
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Output(running.id), "partial");
  ASSERT_TRUE(store_->RequeueJob(running.id, "restart").ok());
  Result<std::optional<Job>> taken = store_->ClaimNextJob();
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->id, running.id);
  EXPECT_EQ((*taken)->attempts, 2);
  EXPECT_EQ((*taken)->lease_owner, store_->HostId());
  store_->Append(running.id, 2, " and more");
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Output(running.id), "partial and more");
}

TEST_P(StoreContractTest, DeletingRemovesAFinishedJobButNotAnActiveOne) {
  Job job = CreateRunning();
  store_->Append(job.id, 1, "text");
  EXPECT_EQ(store_->DeleteJob(job.id).reason(), "job_active");
  ASSERT_TRUE(store_->FinishAttempt(job.id, 1, AttemptOutcome{}).ok());
  ASSERT_TRUE(store_->DeleteJob(job.id).ok());
  EXPECT_EQ(store_->GetJob(job.id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->ReadOutput(job.id, 0, 10).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetJobHistory(job.id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->DeleteJob(job.id).code(), Code::kNotFound);
}

TEST_P(StoreContractTest, ListJobsFiltersAndPagesNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(CreateQueued(i % 2 ? "gemini" : "offline").id);
  ASSERT_TRUE(store_->ClaimNextJob().ok());  // ids[0] -> running

  JobFilter gemini;
  gemini.provider = "gemini";
  EXPECT_EQ(store_->ListJobs(gemini)->items.size(), 3u);
  JobFilter running;
  running.states = {JobState::kRunning};
  ASSERT_EQ(store_->ListJobs(running)->items.size(), 1u);
  EXPECT_EQ(store_->ListJobs(running)->items[0].id, ids[0]);
  JobFilter future;
  future.since_ms = int64_t{4102444800000};  // 2100
  EXPECT_TRUE(store_->ListJobs(future)->items.empty());

  std::vector<std::string> listed;
  JobFilter page;
  page.limit = 4;
  Result<Page<Job>> first = store_->ListJobs(page);
  ASSERT_EQ(first->items.size(), 4u);
  ASSERT_FALSE(first->next_cursor.empty());
  page.cursor = first->next_cursor;
  Result<Page<Job>> second = store_->ListJobs(page);
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_TRUE(second->next_cursor.empty());
  for (auto* p : {&first.value(), &second.value()}) {
    for (const Job& j : p->items) listed.push_back(j.id);
  }
  EXPECT_EQ(listed, std::vector<std::string>(ids.rbegin(), ids.rend()));
}

TEST_P(StoreContractTest, OwnersAreKeptAndListingsFilterByThem) {
  JobSpec mine = Spec();
  mine.owner_key_id = "key_a";
  JobSpec theirs = Spec();
  theirs.owner_key_id = "key_b";
  std::string a = store_->CreateJob(mine)->job.id;
  std::string b = store_->CreateJob(theirs)->job.id;
  std::string nobody = CreateQueued().id;
  EXPECT_EQ(store_->GetJob(a)->spec.owner_key_id, "key_a");
  EXPECT_EQ(store_->GetJob(nobody)->spec.owner_key_id, "");
  JobFilter only_a;
  only_a.owner_key_id = "key_a";
  Result<Page<Job>> listed = store_->ListJobs(only_a);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].id, a);
  EXPECT_EQ(store_->ListJobs(JobFilter{})->items.size(), 3u);
  EXPECT_NE(b, a);

  std::string doc_a = store_->CreateDocument("A", "text a", "key_a")->id;
  store_->CreateDocument("B", "text b", "key_b");
  EXPECT_EQ(store_->GetDocument(doc_a)->owner_key_id, "key_a");
  Result<Page<Document>> docs = store_->ListDocuments(PageRequest{50, "", "key_a"});
  ASSERT_EQ(docs->items.size(), 1u);
  EXPECT_EQ(docs->items[0].id, doc_a);
  EXPECT_EQ(docs->items[0].owner_key_id, "key_a");
}

TEST_P(StoreContractTest, UsageIsAddedUpOverAttempts) {
  Job job = CreateRunning();
  AttemptOutcome failed;
  failed.state = JobState::kFailed;
  failed.usage = Usage{10, 20, 5};
  failed.error = JobError{"provider_timeout", "timed out", "", true};
  ASSERT_TRUE(store_->FinishAttempt(job.id, 1, failed).ok());
  ASSERT_TRUE(store_->RequeueJob(job.id, "again").ok());
  ASSERT_TRUE(store_->ClaimNextJob().ok());
  AttemptOutcome done;
  done.usage = Usage{10, 7, 0};
  done.model_used = "narrator-v2";
  Result<Job> finished = store_->FinishAttempt(job.id, 2, done);
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->usage.input_tokens, 20);
  EXPECT_EQ(finished->usage.output_tokens, 27);
  EXPECT_EQ(finished->usage.thinking_tokens, 5);
  EXPECT_EQ(finished->model_used, "narrator-v2");
  EXPECT_FALSE(finished->error.has_value());
  EXPECT_TRUE(finished->finished_ms.has_value());
  Result<std::vector<ProviderUsage>> by_provider = store_->UsageByProvider();
  ASSERT_TRUE(by_provider.ok());
  ASSERT_EQ(by_provider->size(), 1u);
  EXPECT_EQ((*by_provider)[0].provider, "offline");
  EXPECT_EQ((*by_provider)[0].attempts, 2);
  EXPECT_EQ((*by_provider)[0].usage.output_tokens, 27);
}

TEST_P(StoreContractTest, TextAndStateChangesArePublishedInCommitOrder) {
  Job job = CreateRunning();
  store_->Append(job.id, 1, "all ");
  store_->Append(job.id, 1, "the text");
  ASSERT_TRUE(store_->FinishAttempt(job.id, 1, AttemptOutcome{}).ok());
  std::vector<std::string> sequence;
  for (const CommittedChange& change : listener_.changes()) {
    if (change.job_id != job.id) continue;
    sequence.push_back(change.job ? std::string(ToString(change.job->state)) : "text");
  }
  ASSERT_GE(sequence.size(), 3u);
  EXPECT_EQ(sequence.back(), "succeeded");
  EXPECT_EQ(sequence[sequence.size() - 2], "text");
  // The succeeded state carries the full length.
  EXPECT_EQ(listener_.changes().back().job->output_bytes, 12);
}

TEST_P(StoreContractTest, CountsJobsByState) {
  CreateRunning();
  CreateQueued();
  Result<std::map<JobState, int64_t>> counts = store_->CountJobsByState();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at(JobState::kQueued) + counts->at(JobState::kRunning), 2);
  EXPECT_EQ(counts->at(JobState::kSucceeded), 0);
}

// ---- Durable Streams

StreamCreate NewStream(const std::string& path, const std::string& data = "",
                       const std::string& type = "text/plain") {
  StreamCreate create;
  create.path = path;
  create.content_type = type;
  create.data = data;
  return create;
}

std::string ReadAll(Store& store, const std::string& path, int64_t from = 0) {
  Result<StreamRead> read = store.ReadStream(path, from, 1 << 30, false);
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  return read.ok() ? read->data : "";
}

TEST_P(StoreContractTest, StreamsAppendReadAndPublishAfterCommit) {
  Result<CreatedStream> created = store_->CreateStream(NewStream("/s/a", "hello"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->stream.tail, 5);
  // The same settings again: found, not created; other settings: Conflict.
  EXPECT_FALSE(store_->CreateStream(NewStream("/s/a"))->created);
  EXPECT_EQ(store_->CreateStream(NewStream("/s/a", "", "application/json")).status().code(),
            Code::kConflict);

  StreamAppend append;
  append.path = "/s/a";
  append.content_type = "TEXT/PLAIN";  // media types compare without case
  append.data = " world";
  StreamAppendResult result;
  ASSERT_TRUE(store_->AppendStream(append, result).ok());
  EXPECT_EQ(result.stream.tail, 11);
  EXPECT_EQ(ReadAll(*store_, "/s/a"), "hello world");
  EXPECT_EQ(ReadAll(*store_, "/s/a", 3), "lo world");
  Result<StreamRead> capped = store_->ReadStream("/s/a", 2, 4, false);
  EXPECT_EQ(capped->data, "llo ");
  EXPECT_EQ(capped->next, 6);
  // Whole chunks: the first from the offset, then whole appends.
  EXPECT_EQ(store_->ReadStream("/s/a", 2, 1, true)->data, "llo");

  std::string published;
  for (const CommittedChange& change : listener_.changes()) {
    if (!change.stream || change.stream->path != "/s/a") continue;
    EXPECT_EQ(change.offset, static_cast<int64_t>(published.size()));
    published += change.text;
  }
  EXPECT_EQ(published, "hello world");
}

TEST_P(StoreContractTest, AStreamRefusesAppendsOnceClosedAndKeepsProducerState) {
  ASSERT_TRUE(store_->CreateStream(NewStream("/s/p")).ok());
  StreamAppend append;
  append.path = "/s/p";
  append.content_type = "text/plain";
  append.data = "a";
  append.producer = StreamProducer{"w", 1, 0};
  StreamAppendResult result;
  ASSERT_TRUE(store_->AppendStream(append, result).ok());
  EXPECT_FALSE(result.duplicate);
  ASSERT_TRUE(store_->AppendStream(append, result).ok());  // a retry
  EXPECT_TRUE(result.duplicate);
  append.producer->seq = 3;
  EXPECT_EQ(store_->AppendStream(append, result).reason(), "sequence_gap");
  EXPECT_EQ(result.expected_seq, 1);
  append.producer = StreamProducer{"w", 0, 0};
  EXPECT_EQ(store_->AppendStream(append, result).code(), Code::kPermissionDenied);
  EXPECT_EQ(result.producer_epoch, 1);

  StreamAppend close;
  close.path = "/s/p";
  close.close = true;
  ASSERT_TRUE(store_->AppendStream(close, result).ok());
  EXPECT_TRUE(result.stream.closed);
  ASSERT_TRUE(store_->AppendStream(close, result).ok());  // closing again: fine
  StreamAppend more;
  more.path = "/s/p";
  more.content_type = "text/plain";
  more.data = "b";
  EXPECT_EQ(store_->AppendStream(more, result).reason(), "stream_closed");
  EXPECT_EQ(ReadAll(*store_, "/s/p"), "a");
}

TEST_P(StoreContractTest, ForksReadTheirSourceAndOutliveItsDeletion) {
  ASSERT_TRUE(store_->CreateStream(NewStream("/s/src", "abc")).ok());
  StreamCreate fork = NewStream("/s/fork", "XY");
  fork.content_type.clear();  // inherited
  fork.fork_source = "/s/src";
  fork.fork_offset = 3;
  Result<CreatedStream> forked = store_->CreateStream(fork);
  ASSERT_TRUE(forked.ok()) << forked.status().ToString();
  EXPECT_EQ(forked->stream.content_type, "text/plain");
  EXPECT_EQ(ReadAll(*store_, "/s/fork"), "abcXY");
  StreamCreate grandchild = NewStream("/s/grand");
  grandchild.fork_source = "/s/fork";
  grandchild.fork_offset = 3;  // inside the inherited part: the source's append boundary
  grandchild.fork_sub = 2;     // and two bytes into the fork's own first append
  ASSERT_TRUE(store_->CreateStream(grandchild).ok());
  EXPECT_EQ(ReadAll(*store_, "/s/grand"), "abcXY");
  StreamCreate bad = NewStream("/s/bad");
  bad.fork_source = "/s/src";
  bad.fork_offset = 1;  // not an offset the source issued
  EXPECT_EQ(store_->CreateStream(bad).status().code(), Code::kInvalidArgument);

  // Deleting a source that forks read keeps it, Gone; deleting the forks
  // then removes it.
  ASSERT_TRUE(store_->DeleteStream("/s/src").ok());
  EXPECT_EQ(store_->GetStream("/s/src").status().code(), Code::kGone);
  EXPECT_EQ(store_->CreateStream(NewStream("/s/src")).status().code(), Code::kConflict);
  EXPECT_EQ(ReadAll(*store_, "/s/grand"), "abcXY");
  ASSERT_TRUE(store_->DeleteStream("/s/fork").ok());
  EXPECT_EQ(store_->GetStream("/s/fork").status().code(), Code::kGone);  // grand reads it
  ASSERT_TRUE(store_->DeleteStream("/s/grand").ok());
  EXPECT_EQ(store_->GetStream("/s/src").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetStream("/s/fork").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->CreateStream(NewStream("/s/src", "new"))->created);
}

TEST_P(StoreContractTest, EverySmallAppendKeepsItsBoundsAmongMany) {
  // Small appends may share storage; each one's start stays an offset to
  // read, fork and fork into from.
  ASSERT_TRUE(store_->CreateStream(NewStream("/s/many")).ok());
  std::string all;
  std::vector<int64_t> starts;
  StreamAppendResult result;
  for (int i = 0; i < 2000; ++i) {
    StreamAppend append;
    append.path = "/s/many";
    append.content_type = "text/plain";
    append.data = "<" + std::to_string(i) + ">";
    if (i == 1500) append.data = "<1500" + std::string(10000, '=') + ">";  // one large one
    starts.push_back(static_cast<int64_t>(all.size()));
    all += append.data;
    ASSERT_TRUE(store_->AppendStream(append, result).ok());
  }
  EXPECT_EQ(ReadAll(*store_, "/s/many"), all);
  for (size_t i : {size_t{0}, size_t{1}, size_t{700}, size_t{1500}, size_t{1501}, size_t{1999}}) {
    const int64_t at = starts[i];
    const std::string one = all.substr(
        static_cast<size_t>(at),
        static_cast<size_t>(
            (i + 1 < starts.size() ? starts[i + 1] : static_cast<int64_t>(all.size())) - at));
    EXPECT_EQ(ReadAll(*store_, "/s/many", at), all.substr(static_cast<size_t>(at)));
    // Whole chunks: one byte asked for, the whole append given.
    EXPECT_EQ(store_->ReadStream("/s/many", at, 1, true)->data, one);
    EXPECT_EQ(store_->ReadStream("/s/many", at + 1, 1, true)->data, one.substr(1));
    StreamCreate fork = NewStream("/s/fork" + std::to_string(i));
    fork.fork_source = "/s/many";
    fork.fork_offset = at;
    fork.fork_sub = 2;  // two bytes of the append there
    ASSERT_TRUE(store_->CreateStream(fork).ok()) << i;
    EXPECT_EQ(ReadAll(*store_, fork.path),
              all.substr(0, static_cast<size_t>(at)) + one.substr(0, 2));
    StreamCreate inside = NewStream("/s/inside" + std::to_string(i));
    inside.fork_source = "/s/many";
    inside.fork_offset = at + 1;  // inside an append
    EXPECT_EQ(store_->CreateStream(inside).status().code(), Code::kInvalidArgument) << i;
  }
}

TEST_P(StoreContractTest, ExpiredStreamsAreGoneAndSweptAway) {
  StreamCreate past = NewStream("/s/old", "x");
  past.expires_at_ms = NowMillis() - 1000;
  ASSERT_TRUE(store_->CreateStream(past).ok());
  StreamCreate future = NewStream("/s/new", "y");
  future.expires_at_ms = NowMillis() + 3600000;
  ASSERT_TRUE(store_->CreateStream(future).ok());
  EXPECT_EQ(store_->GetStream("/s/old").status().code(), Code::kNotFound);
  Result<int64_t> swept = store_->ExpireStreams();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_TRUE(store_->GetStream("/s/new").ok());
  // Its path is free again.
  EXPECT_TRUE(store_->CreateStream(NewStream("/s/old"))->created);
}

TEST_P(StoreContractTest, ListsStreamPathsUnderAPrefixThatExistNow) {
  for (const char* path : {"/v1/stream/a/1", "/v1/stream/a/2", "/v1/stream/ab", "/v1/stream/b"}) {
    ASSERT_TRUE(store_->CreateStream(NewStream(path)).ok());
  }
  StreamCreate expired = NewStream("/v1/stream/a/3");
  expired.expires_at_ms = NowMillis() - 1;
  ASSERT_TRUE(store_->CreateStream(expired).ok());
  ASSERT_TRUE(store_->DeleteStream("/v1/stream/a/2").ok());
  EXPECT_EQ(*store_->ListStreamPaths("/v1/stream/a/"), std::vector<std::string>{"/v1/stream/a/1"});
  EXPECT_EQ(*store_->ListStreamPaths("/v1/stream/a"),
            (std::vector<std::string>{"/v1/stream/a/1", "/v1/stream/ab"}));
  EXPECT_EQ(store_->ListStreamPaths("")->size(), 3u);
  EXPECT_TRUE(store_->ListStreamPaths("/v1/stream/c")->empty());
}

TEST_P(StoreContractTest, SubscriptionsAreKeptWholeAndReplaced) {
  ASSERT_TRUE(store_->PutSubscription({"b", R"({"v":1})"}).ok());
  ASSERT_TRUE(store_->PutSubscription({"a", R"({"v":2})"}).ok());
  ASSERT_TRUE(store_->PutSubscription({"b", R"({"v":3})"}).ok());
  Result<std::vector<StoredSubscription>> listed = store_->ListSubscriptions();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "a");
  EXPECT_EQ((*listed)[1].state, R"({"v":3})");
  ASSERT_TRUE(store_->DeleteSubscription("b").ok());
  ASSERT_TRUE(store_->DeleteSubscription("missing").ok());
  EXPECT_EQ(store_->ListSubscriptions()->size(), 1u);
}

TEST_P(StoreContractTest, AHostSecretIsStoredOnceAndKept) {
  const std::string binary("\0\xff secret", 9);
  Result<std::string> first = store_->HostSecret("key", binary);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, binary);
  EXPECT_EQ(*store_->HostSecret("key", "another"), binary);
  EXPECT_EQ(*store_->HostSecret("other", "another"), "another");
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreContractTest,
    ::testing::Values(Backend{"sqlite",
                              [](const TempDir& dir) { return "sqlite:" + dir.File("scribe.db"); }},
                      Backend{"postgresql",
                              [](const TempDir& dir) {
                                // One database per test, kept beside its directory.
                                static std::map<std::string, std::string> databases;
                                std::string& url = databases[dir.path()];
                                if (url.empty()) url = testing::NewPostgresDatabase();
                                return url;
                              }}),
    [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

}  // namespace
}  // namespace scribe::store
