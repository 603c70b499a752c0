// Writer: the one thread that owns the store's write connection.
//
// Producers queue work; the writer takes everything queued, runs it in one
// transaction (group commit), commits, and only then publishes the committed
// changes to the CommitListener and wakes the callers waiting on them —
// persist before publish (DESIGN.md §2).
//
// Appends of one job within a batch are coalesced into as few chunk rows as
// possible. The writer knows, for every running job, which attempt may
// append and where its log ends, so an append that arrives after the job was
// cancelled or finished is dropped rather than written. Where it is the
// database's only writer it remembers that across batches; where hosts
// share the database it reads it again in each batch, locking the job's row,
// and runs a batch that lost to another host's transaction again.
//
// Thread safety: Run() and Append() may be called from any thread; the
// listener is called on the writer thread.
#ifndef SCRIBE_HOST_STORE_SQL_WRITER_H_
#define SCRIBE_HOST_STORE_SQL_WRITER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "host/common/status.h"
#include "host/store/sql/db.h"
#include "host/store/store.h"

namespace scribe::store::sql {

class Backend;

class Writer {
 public:
  // The transaction a write operation runs in, on the writer thread.
  class Tx {
   public:
    Db& db() { return writer_.db(); }
    int64_t now_ms() const { return now_ms_; }
    // A prepared statement for `sql` (a string literal), reset and cached for
    // the writer's life (Db::Cached).
    Stmt& Prepare(const char* sql) { return writer_.db().Cached(sql); }
    // Publishes `change` once the transaction commits.
    void Publish(CommittedChange change) { changes_.push_back(std::move(change)); }
    // The job is now running `attempt` with its log ending at `end`:
    // appends for that attempt are accepted from here on.
    void Activate(const std::string& job_id, int attempt, int64_t end, int64_t next_seq);
    // The job is not running any more: further appends are dropped.
    void Deactivate(const std::string& job_id);

   private:
    friend class Writer;
    Tx(Writer& writer, int64_t now_ms, std::vector<CommittedChange>& changes)
        : writer_(writer), now_ms_(now_ms), changes_(changes) {}
    Writer& writer_;
    int64_t now_ms_;
    std::vector<CommittedChange>& changes_;
  };
  using Op = std::function<Status(Tx&)>;

  Writer(std::unique_ptr<Db> db, const StoreOptions& options, Backend& backend);
  // Commits everything still queued, then stops the thread.
  ~Writer();

  // Runs `op` in the next batch and blocks until that batch committed.
  // Returns op's status, or the commit's failure. A failing op is rolled
  // back alone (savepoint); the rest of its batch still commits.
  Status Run(Op op);
  // Queues text for the end of the job's log (see Store::Append).
  void Append(const std::string& job_id, int attempt, std::string text);
  void SetListener(CommitListener* listener) { listener_ = listener; }
  StoreStats Stats();

 private:
  struct AppendItem {
    std::string job_id;
    int attempt;
    std::string text;
  };
  struct OpItem {
    Op op;
    std::shared_ptr<std::promise<Status>> done;
  };
  using Item = std::variant<AppendItem, OpItem>;

  // Where a running job's log ends, as of the current transaction.
  struct ActiveJob {
    int attempt = 0;
    int64_t end = 0;
    int64_t next_seq = 0;
  };
  // Text of one job accepted in this batch but not yet written as a row.
  struct PendingText {
    std::string job_id;
    int attempt = 0;
    int64_t offset = 0;
    int64_t seq = 0;
    std::string text;
  };

  Db& db() { return *db_; }
  Stmt& Prepare(const char* sql) { return db_->Cached(sql); }
  void Loop();
  void ExecuteBatch(std::deque<Item>& batch);
  // One try at the batch's transaction; OK when it committed.
  Status TryBatch(std::deque<Item>& batch, std::vector<CommittedChange>& changes,
                  std::vector<Status>& op_status);
  // Accepts or drops one append; false when the transaction broke.
  bool Accept(AppendItem& item, std::vector<CommittedChange>& changes, Status& failure);
  ActiveJob* FindActive(const std::string& job_id, Status& failure);
  // Writes pending text as chunk rows; false when the transaction broke.
  bool WritePending(std::vector<CommittedChange>& changes, Status& failure);
  void RecordCommit(double seconds, bool ok);

  const StoreOptions options_;
  Backend& backend_;
  const bool exclusive_;    // backend_.exclusive()
  std::unique_ptr<Db> db_;  // used on the writer thread only
  CommitListener* listener_ = nullptr;

  // Writer-thread state.
  std::unordered_map<std::string, ActiveJob> active_;
  std::vector<PendingText> pending_;
  std::set<std::pair<std::string, int>> broken_;  // attempts whose text was lost

  // Guarded by mu_.
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable space_cv_;
  std::deque<Item> queue_;
  int64_t queued_append_bytes_ = 0;
  bool stopping_ = false;

  // Guarded by stats_mu_.
  std::mutex stats_mu_;
  StoreStats stats_;

  std::thread thread_;  // last: started after everything above exists
};

}  // namespace scribe::store::sql

#endif  // SCRIBE_HOST_STORE_SQL_WRITER_H_
