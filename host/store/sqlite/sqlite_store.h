// SqliteStore: the embedded Store backend. One database file in WAL mode;
// one writer thread (Writer) owns the write connection and group-commits;
// reads use a small pool of read connections, each used by one thread at a
// time.
#ifndef SCRIBE_HOST_STORE_SQLITE_SQLITE_STORE_H_
#define SCRIBE_HOST_STORE_SQLITE_SQLITE_STORE_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host/store/sqlite/db.h"
#include "host/store/sqlite/host_lock.h"
#include "host/store/sqlite/writer.h"
#include "host/store/store.h"

namespace scribe::store::sqlite {

// The file a database URL names: a plain path or "sqlite:PATH".
Result<std::string> PathFromUrl(const std::string& url);
// Unavailable("database_not_found") unless a file is at `path`: for the
// tools that must never create one.
Status RequireExistingFile(const std::string& path);

class SqliteStore final : public Store {
 public:
  // Opens or creates the database at `path`, takes its HostLock and applies
  // migrations.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const StoreOptions& options);
  // Opens an existing database of the current schema for reading only: no
  // lock, no writer, no migration; safe beside a running host (WAL).
  static Result<std::unique_ptr<StoreReader>> OpenReader(const std::string& path,
                                                         const StoreOptions& options);
  ~SqliteStore() override;

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

  void SetCommitListener(CommitListener* listener) override { writer_->SetListener(listener); }
  StoreStats Stats() override { return writer_->Stats(); }

 private:
  // A read connection on loan; returns itself to the pool.
  class Reader {
   public:
    Reader(SqliteStore& store, std::unique_ptr<Db> db) : store_(store), db_(std::move(db)) {}
    ~Reader();
    Db& db() { return *db_; }

   private:
    SqliteStore& store_;
    std::unique_ptr<Db> db_;
  };

  SqliteStore(std::string path, const StoreOptions& options);
  Result<std::unique_ptr<Reader>> AcquireReader();

  const std::string path_;
  const StoreOptions options_;
  std::unique_ptr<HostLock> host_lock_;  // released after the writer stops
  std::unique_ptr<Writer> writer_;       // null when opened as a reader

  // Guarded by pool_mu_.
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Db>> idle_readers_;
  int open_readers_ = 0;
};

}  // namespace scribe::store::sqlite

#endif  // SCRIBE_HOST_STORE_SQLITE_SQLITE_STORE_H_
