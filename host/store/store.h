// Store: Scribe's storage, in job terms (DESIGN.md §2).
//
// One implementation over SQL (host/store/sql/) for two backends: SQLite, one
// host's embedded file, and PostgreSQL, shared by several hosts. Every
// backend passes the contract tests in tests/store/store_contract_test.cc.
//
// Persist before publish: a write is visible to any reader, and reported to
// the CommitListener, only after its transaction committed. State changes and
// appends of one job are committed, and published, in the order they were
// made.
//
// Thread safety: every method may be called from any thread. Methods block
// until their work is committed, except Append(), which queues.
#ifndef SCRIBE_HOST_STORE_STORE_H_
#define SCRIBE_HOST_STORE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/common/status.h"
#include "host/store/types.h"

namespace scribe::store {

// A committed change of a Durable Stream: its appended bytes (offset, text),
// its closing, or its end (deleted or expired).
struct StreamChange {
  std::string path;
  bool closed = false;  // closed now (by this change or before)
  bool gone = false;    // deleted or expired: readers of it must stop
};

// One committed change, as published after its transaction: of a job, or of
// a Durable Stream (then `stream` is set and job_id is empty).
struct CommittedChange {
  std::string job_id;
  // Text appended at [offset, offset + text.size()); empty for a state change.
  int64_t offset = 0;
  std::string text;
  // The job after a state change (state, attempts, error, usage...).
  std::optional<Job> job;
  std::optional<StreamChange> stream;

  static CommittedChange JobText(std::string job_id, int64_t offset, std::string text) {
    return CommittedChange{std::move(job_id), offset, std::move(text), std::nullopt, std::nullopt};
  }
  static CommittedChange JobChanged(Job job) {
    int64_t end = job.output_bytes;
    std::string id = job.id;
    return CommittedChange{std::move(id), end, "", std::move(job), std::nullopt};
  }
  static CommittedChange Stream(StreamChange stream, int64_t offset, std::string text) {
    return CommittedChange{"", offset, std::move(text), std::nullopt, std::move(stream)};
  }
};

// Receives committed changes: this host's in commit order on the store's
// writer thread and, where hosts share the database, the other hosts' in
// their commit order on the store's feed thread (read back from the
// database after they committed). Implementations must be thread-safe,
// return quickly and never call back into the Store.
class CommitListener {
 public:
  virtual ~CommitListener() = default;
  virtual void OnCommitted(const std::vector<CommittedChange>& changes) = 0;
  // Text queued by Append() for (job, attempt) could not be stored; nothing
  // more of that attempt will be stored. The attempt must end.
  virtual void OnAppendFailed(const std::string& job_id, int attempt, const Status& status) = 0;
};

// Passes every notification to each of several listeners, in order.
class CommitFanout : public CommitListener {
 public:
  explicit CommitFanout(std::vector<CommitListener*> listeners)
      : listeners_(std::move(listeners)) {}
  void OnCommitted(const std::vector<CommittedChange>& changes) override {
    for (CommitListener* listener : listeners_) listener->OnCommitted(changes);
  }
  void OnAppendFailed(const std::string& job_id, int attempt, const Status& status) override {
    for (CommitListener* listener : listeners_) listener->OnAppendFailed(job_id, attempt, status);
  }

 private:
  std::vector<CommitListener*> listeners_;
};

// Counters for /metrics.
struct StoreStats {
  int64_t chunks_appended = 0;
  int64_t bytes_appended = 0;
  int64_t appends_dropped = 0;  // for a job no longer running that attempt
  int64_t commits = 0;
  int64_t commit_failures = 0;
  // Commit latency histogram: counts of commits that took <= each bound.
  std::vector<double> latency_bounds_seconds;
  std::vector<int64_t> latency_bucket_counts;  // cumulative, one per bound
  double latency_sum_seconds = 0;
};

// The reading half of a Store: everything a viewer or an inspector needs.
// OpenStoreReader() gives only this, for tools that must not write.
class StoreReader {
 public:
  virtual ~StoreReader() = default;

  virtual Result<Document> GetDocument(const std::string& id) = 0;
  virtual Result<Page<Document>> ListDocuments(const PageRequest& page) = 0;  // newest first

  virtual Result<Job> GetJob(const std::string& id) = 0;
  // The job's document text (spec.input).
  virtual Result<std::string> GetJobInput(const std::string& id) = 0;
  virtual Result<Page<Job>> ListJobs(const JobFilter& filter) = 0;  // newest first
  virtual Result<JobHistory> GetJobHistory(const std::string& id) = 0;
  virtual Result<std::map<JobState, int64_t>> CountJobsByState() = 0;
  // Attempts and token usage per provider, over every job in the store.
  virtual Result<std::vector<ProviderUsage>> UsageByProvider() = 0;

  // Up to max_bytes of committed output from `offset`. The result may end
  // inside a character when max_bytes cuts one.
  virtual Result<std::string> ReadOutput(const std::string& job_id, int64_t offset,
                                         int64_t max_bytes) = 0;

  // ---- Durable Streams
  // The stream at `path` as of now: NotFound when there is none (or it
  // expired), Gone when it was deleted or expired while forks still read it.
  virtual Result<StreamInfo> GetStream(const std::string& path) = 0;
  // Bytes of the stream from `offset` (at most its tail), a fork's inherited
  // bytes included: about max_bytes, and with `whole_chunks` only whole
  // appends after the first (so a JSON stream's messages are never cut).
  virtual Result<StreamRead> ReadStream(const std::string& path, int64_t offset, int64_t max_bytes,
                                        bool whole_chunks) = 0;
  // The paths of the streams that exist now (not deleted, not expired) and
  // start with `prefix`, in byte order.
  virtual Result<std::vector<std::string>> ListStreamPaths(const std::string& prefix) = 0;
  // Every subscription, by id.
  virtual Result<std::vector<StoredSubscription>> ListSubscriptions() = 0;

  // ---- API keys (written by operators: maintenance.h)
  // The key whose secret hashes to `secret_hash`, revoked or not; nullopt
  // when there is none.
  virtual Result<std::optional<ApiKey>> FindApiKey(const std::string& secret_hash) = 0;
  // Every key, oldest first.
  virtual Result<std::vector<ApiKey>> ListApiKeys() = 0;
};

class Store : public StoreReader {
 public:
  // ---- documents
  virtual Result<Document> CreateDocument(const std::string& title, const std::string& content,
                                          const std::string& owner_key_id) = 0;
  virtual Status DeleteDocument(const std::string& id) = 0;

  // ---- jobs
  // Creates a queued job. When spec.idempotency_key was used before, returns
  // that job with replayed = true, or Conflict if spec.request_hash differs.
  virtual Result<CreatedJob> CreateJob(const JobSpec& spec) = 0;
  // Deletes a finished job and its log; Conflict while it is queued,
  // running or interrupted.
  virtual Status DeleteJob(const std::string& id) = 0;

  // ---- lifecycle: each an atomic, conditional transition
  // Moves the oldest queued job to running and opens attempt attempts+1,
  // leased to this host for StoreOptions::lease_ms. Hosts sharing a database
  // never claim the same job.
  virtual Result<std::optional<Job>> ClaimNextJob() = 0;
  // Extends the lease of every job this host runs; the host calls it well
  // within lease_ms, for as long as it runs them.
  virtual Status RenewLeases() = 0;
  // This host's name on the leases it holds (Job::lease_owner).
  virtual const std::string& HostId() const = 0;
  // failed, cancelled or interrupted -> queued, keeping the log: the next
  // attempt continues after its last byte. Conflict from any other state.
  virtual Result<Job> RequeueJob(const std::string& id, const std::string& note) = 0;
  // queued, running or interrupted -> cancelled. Conflict when finished.
  // Appends of the running attempt queued after this call are dropped.
  virtual Result<Job> CancelJob(const std::string& id) = 0;
  // Closes attempt `attempt` of a running job with `outcome`. Conflict when
  // the job is no longer running that attempt (it was cancelled meanwhile).
  virtual Result<Job> FinishAttempt(const std::string& id, int attempt,
                                    const AttemptOutcome& outcome) = 0;
  // Closes attempt `attempt` of a running job with `outcome` (a failure the
  // host retries) and opens attempt+1 on `provider` and `model`: the job
  // stays running, its log continues from its last byte. Conflict when the
  // job is no longer running that attempt.
  virtual Result<Job> NextAttempt(const std::string& id, int attempt, const AttemptOutcome& outcome,
                                  const std::string& provider, const std::string& model,
                                  const std::string& note) = 0;
  // Adds usage the provider reported for an attempt that already ended
  // (cancelled while the plugin was still answering): to the attempt and to
  // the job's total, whatever the job's state now.
  virtual Status AddAttemptUsage(const std::string& id, int attempt, const Usage& usage) = 0;
  // Recovery: every running job whose host is gone becomes interrupted — on
  // a database one host holds alone, every running job this host did not
  // claim; on a shared one, every running job whose lease expired. Returns
  // the ids of all interrupted jobs, oldest first. Hosts call it at start-up
  // and then every so often, to take over the jobs of a host that died.
  virtual Result<std::vector<std::string>> InterruptRunningJobs() = 0;

  // ---- the log
  // Queues `text` (whole UTF-8 characters) for the end of the job's log as
  // part of attempt `attempt`. Returns at once, or blocks while too much is
  // queued. Dropped when the job is not running that attempt by the time it
  // is written.
  virtual void Append(const std::string& job_id, int attempt, std::string text) = 0;
  // Blocks until everything queued so far is committed.
  virtual Status Flush() = 0;

  // ---- Durable Streams: each call one transaction, committed on return
  // Creates a stream, or finds it with the same settings (created = false).
  // Conflict when the path is taken otherwise (or by a deleted stream forks
  // still read); for a fork, NotFound / Conflict (deleted, other content
  // type) for its source and InvalidArgument for an offset it does not have.
  virtual Result<CreatedStream> CreateStream(const StreamCreate& create) = 0;
  // Appends and/or closes, applying the protocol's checks in one transaction:
  // closed (Conflict "stream_closed"), content type (Conflict), producer
  // epoch (PermissionDenied "stale_epoch") and seq (InvalidArgument or
  // Conflict "sequence_gap"), Stream-Seq (Conflict). `result` is filled in
  // either case.
  virtual Status AppendStream(const StreamAppend& append, StreamAppendResult& result) = 0;
  // Renews a sliding TTL (a read counts as use); nothing for other streams.
  virtual Status TouchStream(const std::string& path) = 0;
  // Deletes a stream: its bytes stay, as a Gone stream, while forks read them.
  virtual Status DeleteStream(const std::string& path) = 0;
  // Deletes every stream whose time is up; returns how many.
  virtual Result<int64_t> ExpireStreams() = 0;

  // ---- Durable Streams subscriptions: each call one transaction
  // Creates or replaces the subscription's state.
  virtual Status PutSubscription(const StoredSubscription& subscription) = 0;
  // Deletes it; OK when there is none.
  virtual Status DeleteSubscription(const std::string& id) = 0;

  // ---- the host's own secrets
  // The secret stored under `name`; when there is none yet, stores
  // `candidate` and returns it. Every later call returns the same bytes.
  virtual Result<std::string> HostSecret(const std::string& name, const std::string& candidate) = 0;

  // Set once, before any write; not owned.
  virtual void SetCommitListener(CommitListener* listener) = 0;
  virtual StoreStats Stats() = 0;
};

// Options common to every backend.
struct StoreOptions {
  // "NORMAL" survives a killed process; "FULL" also survives power loss.
  std::string synchronous = "NORMAL";
  int read_connections = 4;
  int busy_timeout_ms = 5000;
  // Group commit: wait this long for more writes before committing (0: commit
  // whatever is queued as soon as the writer is free).
  int commit_interval_ms = 0;
  int64_t max_queued_append_bytes = 64 << 20;
  // How long a running job stays this host's without a renewal: after that,
  // on a shared database, another host takes it over.
  int64_t lease_ms = 15000;
};

// Opens the backend named by `url`: a path or "sqlite:PATH" (one host at a
// time may hold the file: Conflict("database_in_use") names the process that
// holds it), or "postgresql://..." / "postgres://..." (libpq's URL; any
// number of hosts share it).
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options);
// `url` as logs and messages may show it: without a password.
std::string DescribeDatabase(const std::string& url);
// Opens an existing database only to read it, beside a running host or
// without one; never creates, migrates or locks it.
Result<std::unique_ptr<StoreReader>> OpenStoreReader(const std::string& url,
                                                     const StoreOptions& options);

}  // namespace scribe::store

#endif  // SCRIBE_HOST_STORE_STORE_H_
