#include "host/store/sql/writer.h"

#include <chrono>

#include "host/common/clock.h"
#include "host/store/sql/sql_store.h"

namespace scribe::store::sql {
namespace {

// A chunk row holds at most this much text; appends of one job within one
// batch are coalesced up to it.
constexpr size_t kMaxChunkRowBytes = 256 * 1024;

const std::vector<double> kLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

}  // namespace

void Writer::Tx::Activate(const std::string& job_id, int attempt, int64_t end, int64_t next_seq) {
  writer_.active_[job_id] = ActiveJob{attempt, end, next_seq};
  for (auto it = writer_.broken_.lower_bound({job_id, 0});
       it != writer_.broken_.end() && it->first == job_id;) {
    it = writer_.broken_.erase(it);
  }
}

void Writer::Tx::Deactivate(const std::string& job_id) {
  writer_.active_.erase(job_id);
  for (auto it = writer_.broken_.lower_bound({job_id, 0});
       it != writer_.broken_.end() && it->first == job_id;) {
    it = writer_.broken_.erase(it);
  }
}

Writer::Writer(std::unique_ptr<Db> db, const StoreOptions& options, Backend& backend)
    : options_(options), backend_(backend), exclusive_(backend.exclusive()), db_(std::move(db)) {
  stats_.latency_bounds_seconds = kLatencyBounds;
  stats_.latency_bucket_counts.assign(kLatencyBounds.size(), 0);
  thread_ = std::thread([this] { Loop(); });
}

Writer::~Writer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  space_cv_.notify_all();
  thread_.join();
}

Status Writer::Run(Op op) {
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> result = done->get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("shutting_down", "the store is closing");
    queue_.push_back(OpItem{std::move(op), std::move(done)});
  }
  work_cv_.notify_one();
  return result.get();
}

void Writer::Append(const std::string& job_id, int attempt, std::string text) {
  if (text.empty()) return;
  {
    std::unique_lock<std::mutex> lock(mu_);
    space_cv_.wait(
        lock, [&] { return queued_append_bytes_ < options_.max_queued_append_bytes || stopping_; });
    if (stopping_) return;  // the attempt is interrupted; its text is not committed
    queued_append_bytes_ += static_cast<int64_t>(text.size());
    queue_.push_back(AppendItem{job_id, attempt, std::move(text)});
  }
  work_cv_.notify_one();
}

StoreStats Writer::Stats() {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void Writer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) break;  // stopping, and everything is committed
    if (options_.commit_interval_ms > 0 && !stopping_) {
      work_cv_.wait_for(lock, std::chrono::milliseconds(options_.commit_interval_ms),
                        [&] { return stopping_; });
    }
    std::deque<Item> batch;
    batch.swap(queue_);
    queued_append_bytes_ = 0;
    lock.unlock();
    space_cv_.notify_all();
    ExecuteBatch(batch);
    lock.lock();
  }
}

Writer::ActiveJob* Writer::FindActive(const std::string& job_id, Status& failure) {
  auto it = active_.find(job_id);
  if (it != active_.end()) return &it->second;
  Stmt& job =
      Prepare("SELECT state, attempts, output_bytes FROM jobs WHERE id = ?1 /*pg: FOR UPDATE*/");
  job.Bind(1, job_id);
  if (!job.Step()) {
    failure = job.status();
    return nullptr;
  }
  bool running = job.Text(0) == "running";
  ActiveJob active{static_cast<int>(job.Int(1)), job.Int(2), 0};
  job.Reset();
  if (!running) return nullptr;
  Stmt& seq = Prepare("SELECT coalesce(max(seq) + 1, 0) FROM chunks WHERE job_id = ?1");
  seq.Bind(1, job_id);
  if (!seq.Step()) {
    failure = seq.status().ok() ? Internal("no chunk sequence") : seq.status();
    return nullptr;
  }
  active.next_seq = seq.Int(0);
  seq.Reset();
  return &active_.emplace(job_id, active).first->second;
}

bool Writer::Accept(AppendItem& item, std::vector<CommittedChange>& changes, Status& failure) {
  auto dropped = [&] {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.appends_dropped;
    return true;
  };
  if (broken_.count({item.job_id, item.attempt}) > 0) return dropped();
  ActiveJob* active = FindActive(item.job_id, failure);
  if (!failure.ok()) return false;
  if (active == nullptr || active->attempt != item.attempt) return dropped();

  // Coalesce with this job's pending text when it is the latest entry.
  if (!pending_.empty()) {
    PendingText& last = pending_.back();
    if (last.job_id == item.job_id && last.text.size() + item.text.size() <= kMaxChunkRowBytes) {
      last.text += item.text;
      active->end += static_cast<int64_t>(item.text.size());
      return true;
    }
  }
  if (pending_.size() >= 1024 && !WritePending(changes, failure)) return false;
  // A batch that may run again keeps its items whole.
  pending_.push_back(PendingText{item.job_id, item.attempt, active->end, active->next_seq++,
                                 exclusive_ ? std::move(item.text) : item.text});
  active->end += static_cast<int64_t>(pending_.back().text.size());
  return true;
}

bool Writer::WritePending(std::vector<CommittedChange>& changes, Status& failure) {
  for (PendingText& p : pending_) {
    Stmt& insert =
        Prepare("INSERT INTO chunks (job_id, seq, \"offset\", data) VALUES (?1, ?2, ?3, ?4)");
    insert.Bind(1, p.job_id).Bind(2, p.seq).Bind(3, p.offset).BindBlob(4, p.text);
    failure = insert.Run();
    if (!failure.ok()) return false;
    Stmt& update = Prepare("UPDATE jobs SET output_bytes = ?2, updated_ms = ?3 WHERE id = ?1");
    update.Bind(1, p.job_id)
        .Bind(2, p.offset + static_cast<int64_t>(p.text.size()))
        .Bind(3, NowMillis());
    failure = update.Run();
    if (!failure.ok()) return false;
    changes.push_back(CommittedChange::JobText(p.job_id, p.offset, std::move(p.text)));
  }
  pending_.clear();
  return true;
}

Status Writer::TryBatch(std::deque<Item>& batch, std::vector<CommittedChange>& changes,
                        std::vector<Status>& op_status) {
  changes.clear();
  op_status.clear();
  pending_.clear();
  // Another host may have changed any job since the last batch.
  if (!exclusive_) active_.clear();
  Status failure = db_->BeginWrite();
  if (!failure.ok()) return failure;
  Tx tx(*this, NowMillis(), changes);
  for (Item& item : batch) {
    if (!failure.ok()) break;
    if (auto* append = std::get_if<AppendItem>(&item)) {
      Accept(*append, changes, failure);
      continue;
    }
    // An operation sees every append queued before it.
    if (!WritePending(changes, failure)) break;
    failure = db_->Run("SAVEPOINT op");
    if (!failure.ok()) break;
    size_t mark = changes.size();
    Status status = std::get<OpItem>(item).op(tx);
    if (backend_.Retryable(status)) {
      failure = status;
      break;
    }
    if (!status.ok()) {
      failure = db_->Run("ROLLBACK TO op");
      changes.resize(mark);
      active_.clear();  // reloaded from the database on the next append
    }
    if (failure.ok()) failure = db_->Run("RELEASE op");
    op_status.push_back(status);
  }
  if (failure.ok()) WritePending(changes, failure);
  if (failure.ok()) failure = backend_.BeforeCommit(*db_, changes);
  // A statement left on a row would hold a read transaction open past
  // COMMIT, and once another process (scribectl) had written, the next
  // BEGIN IMMEDIATE would fail at once.
  db_->ResetCached();
  if (failure.ok()) failure = db_->Run("COMMIT");
  if (!failure.ok()) (void)db_->Run("ROLLBACK");
  return failure;
}

void Writer::ExecuteBatch(std::deque<Item>& batch) {
  auto started = std::chrono::steady_clock::now();
  std::vector<CommittedChange> changes;
  std::vector<Status> op_status;  // one per OpItem, in order
  Status failure;
  for (int tries = 0; tries < 10; ++tries) {
    failure = TryBatch(batch, changes, op_status);
    if (failure.ok() || !backend_.Retryable(failure)) break;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RecordCommit(seconds, failure.ok());

  if (failure.ok()) {
    int64_t chunks = 0, bytes = 0;
    for (const CommittedChange& c : changes) {
      if (c.job || c.text.empty()) continue;
      ++chunks;
      bytes += static_cast<int64_t>(c.text.size());
    }
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.chunks_appended += chunks;
      stats_.bytes_appended += bytes;
    }
    if (listener_ != nullptr && !changes.empty()) listener_->OnCommitted(changes);
  } else {
    active_.clear();
    pending_.clear();
    std::set<std::pair<std::string, int>> appenders;
    for (const Item& item : batch) {
      if (auto* append = std::get_if<AppendItem>(&item)) {
        appenders.insert({append->job_id, append->attempt});
      }
    }
    for (const auto& appender : appenders) {
      broken_.insert(appender);
      if (listener_ != nullptr) listener_->OnAppendFailed(appender.first, appender.second, failure);
    }
  }

  size_t next = 0;
  for (Item& item : batch) {
    if (auto* op = std::get_if<OpItem>(&item)) {
      Status status = failure.ok() ? op_status[next] : failure;
      ++next;
      op->done->set_value(status);
    }
  }
}

void Writer::RecordCommit(double seconds, bool ok) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  if (!ok) {
    ++stats_.commit_failures;
    return;
  }
  ++stats_.commits;
  stats_.latency_sum_seconds += seconds;
  for (size_t i = 0; i < kLatencyBounds.size(); ++i) {
    if (seconds <= kLatencyBounds[i]) ++stats_.latency_bucket_counts[i];
  }
}

}  // namespace scribe::store::sql
