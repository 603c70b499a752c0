// SqlStore: the Store, written once over SQL (host/store/sql/db.h) for both
// backends: SQLite, one host's embedded file (host/store/sqlite/), and
// PostgreSQL, shared by several hosts (host/store/postgresql/).
//
// One writer thread (Writer) owns the write connection and group-commits;
// reads use a small pool of read connections, each used by one thread at a
// time. Where several hosts share the database, every write transaction
// locks the rows it decides on (a job's row before its state or log
// changes), running jobs hold leases (DESIGN.md §2), and other hosts'
// commits reach this host's CommitListener through the backend's feed.
#ifndef SCRIBE_HOST_STORE_SQL_SQL_STORE_H_
#define SCRIBE_HOST_STORE_SQL_SQL_STORE_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host/store/sql/db.h"
#include "host/store/sql/writer.h"
#include "host/store/store.h"

namespace scribe::store::sql {

// The database a SqlStore runs on: how to reach it and what sets it apart.
class Backend {
 public:
  virtual ~Backend() = default;
  // A new connection with the settings every connection gets; a reader's
  // refuses writes.
  virtual Result<std::unique_ptr<Db>> Connect(bool reader) = 0;
  // True when one host holds the database alone (SQLite's host lock): a
  // running job this host did not start was left by a host that is gone.
  // False when hosts share it: a running job is left only once its lease
  // has expired.
  virtual bool exclusive() const = 0;
  // Runs in every write transaction before it commits, with what it
  // changed: PostgreSQL announces the changes to the other hosts.
  virtual Status BeforeCommit(Db& db, const std::vector<CommittedChange>& changes);
  // True when `status` is a transaction that lost to a concurrent one
  // (deadlock, serialization) and runs again as a whole.
  virtual bool Retryable(const Status& status) const;
};

// Other hosts' commits, delivered to this host's CommitListener.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;  // stops delivering before it returns
  virtual void SetListener(CommitListener* listener) = 0;
};

class SqlStore final : public Store {
 public:
  // A store on `backend` whose schema is current. With `writer_db` it
  // writes (a host's store); without, it only reads (a tool's).
  SqlStore(std::unique_ptr<Backend> backend, const StoreOptions& options,
           std::unique_ptr<Db> writer_db);
  // Other hosts' commits from now on, for the listener.
  void SetChangeFeed(std::unique_ptr<ChangeFeed> feed) { feed_ = std::move(feed); }
  ~SqlStore() override;

  Result<Document> CreateDocument(const std::string& title, const std::string& content,
                                  const std::string& owner_key_id) override;
  Result<Document> GetDocument(const std::string& id) override;
  Result<Page<Document>> ListDocuments(const PageRequest& page) override;
  Status DeleteDocument(const std::string& id) override;

  Result<CreatedJob> CreateJob(const JobSpec& spec) override;
  Result<Job> GetJob(const std::string& id) override;
  Result<std::string> GetJobInput(const std::string& id) override;
  Result<Page<Job>> ListJobs(const JobFilter& filter) override;
  Result<JobHistory> GetJobHistory(const std::string& id) override;
  Result<std::map<JobState, int64_t>> CountJobsByState() override;
  Result<std::vector<ProviderUsage>> UsageByProvider() override;
  Status DeleteJob(const std::string& id) override;

  Result<std::optional<Job>> ClaimNextJob() override;
  Result<Job> RequeueJob(const std::string& id, const std::string& note) override;
  Result<Job> CancelJob(const std::string& id) override;
  Result<Job> FinishAttempt(const std::string& id, int attempt,
                            const AttemptOutcome& outcome) override;
  Result<Job> NextAttempt(const std::string& id, int attempt, const AttemptOutcome& outcome,
                          const std::string& provider, const std::string& model,
                          const std::string& note) override;
  Status AddAttemptUsage(const std::string& id, int attempt, const Usage& usage) override;
  Result<std::vector<std::string>> InterruptRunningJobs() override;

  void Append(const std::string& job_id, int attempt, std::string text) override;
  Result<std::string> ReadOutput(const std::string& job_id, int64_t offset,
                                 int64_t max_bytes) override;
  Status Flush() override;

  Result<StreamInfo> GetStream(const std::string& path) override;
  Result<StreamRead> ReadStream(const std::string& path, int64_t offset, int64_t max_bytes,
                                bool whole_chunks) override;
  Result<CreatedStream> CreateStream(const StreamCreate& create) override;
  Status AppendStream(const StreamAppend& append, StreamAppendResult& result) override;
  Status TouchStream(const std::string& path) override;
  Status DeleteStream(const std::string& path) override;
  Result<int64_t> ExpireStreams() override;
  Result<std::vector<std::string>> ListStreamPaths(const std::string& prefix) override;

  Result<std::vector<StoredSubscription>> ListSubscriptions() override;
  Status PutSubscription(const StoredSubscription& subscription) override;
  Status DeleteSubscription(const std::string& id) override;
  Result<std::string> HostSecret(const std::string& name, const std::string& candidate) override;

  Result<std::optional<ApiKey>> FindApiKey(const std::string& secret_hash) override;
  Result<std::vector<ApiKey>> ListApiKeys() override;

  Status RenewLeases() override;
  const std::string& HostId() const override { return host_id_; }

  void SetCommitListener(CommitListener* listener) override;
  StoreStats Stats() override { return writer_->Stats(); }

 private:
  // A read connection on loan; returns itself to the pool.
  class Reader {
   public:
    Reader(SqlStore& store, std::unique_ptr<Db> db) : store_(store), db_(std::move(db)) {}
    ~Reader();
    Db& db() { return *db_; }

   private:
    SqlStore& store_;
    std::unique_ptr<Db> db_;
  };

  Result<std::unique_ptr<Reader>> AcquireReader();

  std::unique_ptr<Backend> backend_;  // closed last (SQLite's host lock)
  const StoreOptions options_;
  const std::string host_id_;
  std::unique_ptr<Writer> writer_;  // null when opened as a reader
  std::unique_ptr<ChangeFeed> feed_;

  // Guarded by pool_mu_.
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Db>> idle_readers_;
  int open_readers_ = 0;
};

}  // namespace scribe::store::sql

#endif  // SCRIBE_HOST_STORE_SQL_SQLITE_STORE_H_
