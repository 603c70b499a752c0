#include "host/store/postgresql/pg_store.h"

#include <poll.h>

#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>

#include "host/common/clock.h"
#include "host/common/log.h"
#include "host/store/postgresql/pg_db.h"
#include "host/store/sql/sql_store.h"

namespace scribe::store::postgresql {
namespace {

// Held while a host migrates, so two hosts starting together migrate once.
constexpr int64_t kMigrationLock = 0x5363726962650001;  // "Scribe" 1

// Under PostgreSQL's 8000-byte NOTIFY payload limit, with room for a line.
constexpr size_t kMaxPayload = 7000;

class PgBackend final : public sql::Backend {
 public:
  PgBackend(std::string url, const StoreOptions& options)
      : url_(std::move(url)), options_(options), origin_(RandomId(12)) {}

  Result<std::unique_ptr<Db>> Connect(bool reader) override {
    Result<std::unique_ptr<PgDb>> db = PgDb::Connect(url_, reader, options_.busy_timeout_ms);
    if (!db.ok()) return db.status();
    return std::unique_ptr<Db>(std::move(db).value());
  }
  bool exclusive() const override { return false; }
  Status BeforeCommit(Db& db, const std::vector<CommittedChange>& changes) override {
    for (const std::string& payload : EncodeChanges(origin_, changes)) {
      // kChangesChannel, spelled out: a cached statement is a literal.
      SCRIBE_RETURN_IF_ERROR(
          db.Cached("SELECT pg_notify('scribe_changes', ?1)").Bind(1, payload).Run());
    }
    return Status::Ok();
  }
  bool Retryable(const Status& status) const override {
    return status.reason() == "storage_conflict";
  }

  const std::string& origin() const { return origin_; }

 private:
  const std::string url_;
  const StoreOptions options_;
  const std::string origin_;  // tells this host's notices from the others'
};

// Follows the other hosts' notices on a connection of its own, and turns
// each into the committed changes it names, read back from the database.
class PgChangeFeed final : public sql::ChangeFeed {
 public:
  PgChangeFeed(std::string url, std::string origin, StoreReader& reader)
      : url_(std::move(url)), origin_(std::move(origin)), reader_(reader) {}
  ~PgChangeFeed() override {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // Listens before it returns: every commit after it is delivered.
  Status Start() {
    SCRIBE_RETURN_IF_ERROR(Listen());
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }
  void SetListener(CommitListener* listener) override {
    std::lock_guard<std::mutex> lock(mu_);
    listener_ = listener;
  }

 private:
  Status Listen() {
    Result<std::unique_ptr<PgDb>> db = PgDb::Connect(url_, /*reader=*/false, 5000);
    if (!db.ok()) return db.status();
    SCRIBE_RETURN_IF_ERROR((*db)->Exec(std::string("LISTEN ") + kChangesChannel));
    db_ = std::move(db).value();
    return Status::Ok();
  }

  void Loop() {
    int64_t lost_since_ms = 0;  // when the connection broke; 0 while it is up
    while (!stopping_) {
      if (!db_ || PQstatus(db_->conn()) != CONNECTION_OK) {
        if (lost_since_ms == 0) lost_since_ms = NowMillis();
        db_.reset();
        Status status = Listen();
        if (!status.ok()) {
          Log(LogLevel::kError, "store", "cannot follow other hosts: " + status.ToString());
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          continue;
        }
        Resync(lost_since_ms);
        lost_since_ms = 0;
        continue;
      }
      pollfd fd{PQsocket(db_->conn()), POLLIN, 0};
      if (poll(&fd, 1, 200) <= 0) continue;
      if (!PQconsumeInput(db_->conn())) {
        db_.reset();  // broken: connects again above
        continue;
      }
      while (PGnotify* notify = PQnotifies(db_->conn())) {
        std::string payload = notify->extra;
        PQfreemem(notify);
        Deliver(payload);
      }
    }
  }

  // Notices sent while the connection was down are not replayed: every job
  // that changed meanwhile (with a minute's margin for the hosts' clocks) is
  // announced as it is now, and viewers read what they missed from the log.
  void Resync(int64_t lost_since_ms) {
    Stmt changed(*db_, "SELECT id FROM jobs WHERE updated_ms >= ?1");
    changed.Bind(1, lost_since_ms - 60000);
    std::vector<std::string> ids;
    while (changed.Step()) ids.push_back(changed.Text(0));
    std::vector<CommittedChange> changes;
    for (const std::string& id : ids) {
      Result<Job> job = reader_.GetJob(id);
      if (job.ok()) changes.push_back(CommittedChange::JobChanged(std::move(job).value()));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (listener_ != nullptr && !changes.empty()) listener_->OnCommitted(changes);
  }

  void Deliver(const std::string& payload) {
    std::istringstream lines(payload);
    std::string origin;
    if (!std::getline(lines, origin) || origin == origin_) return;
    std::vector<CommittedChange> changes;
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string kind;
      fields >> kind;
      if (kind == "t") {
        std::string job_id;
        int64_t offset = 0, length = 0;
        fields >> job_id >> offset >> length;
        Result<std::string> text = reader_.ReadOutput(job_id, offset, length);
        if (text.ok() && static_cast<int64_t>(text->size()) == length) {
          changes.push_back(CommittedChange::JobText(job_id, offset, std::move(text).value()));
        }
      } else if (kind == "j") {
        std::string job_id;
        fields >> job_id;
        Result<Job> job = reader_.GetJob(job_id);
        if (job.ok()) changes.push_back(CommittedChange::JobChanged(std::move(job).value()));
      } else if (kind == "s") {
        int closed = 0, gone = 0;
        int64_t offset = 0, length = 0;
        std::string path;
        fields >> closed >> gone >> offset >> length;
        fields.get();
        std::getline(fields, path);
        std::string text;
        if (length > 0) {
          Result<StreamRead> read = reader_.ReadStream(path, offset, length, false);
          if (!read.ok() || static_cast<int64_t>(read->data.size()) < length) continue;
          text = read->data.substr(0, static_cast<size_t>(length));
        }
        changes.push_back(
            CommittedChange::Stream({path, closed != 0, gone != 0}, offset, std::move(text)));
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (listener_ != nullptr && !changes.empty()) listener_->OnCommitted(changes);
  }

  const std::string url_;
  const std::string origin_;
  StoreReader& reader_;
  std::unique_ptr<PgDb> db_;  // the feed's thread's
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  CommitListener* listener_ = nullptr;  // guarded by mu_
  std::thread thread_;
};

// A connection to `url` whose database has the newest schema.
Result<std::unique_ptr<PgDb>> ConnectCurrent(const std::string& url, bool reader) {
  Result<std::unique_ptr<PgDb>> db = PgDb::Connect(url, reader, 5000);
  if (!db.ok()) return db.status();
  SCRIBE_RETURN_IF_ERROR(sql::RequireCurrentSchema(**db, PostgresMigrations(), RedactedUrl(url)));
  return db;
}

}  // namespace

std::vector<std::string> EncodeChanges(const std::string& origin,
                                       const std::vector<CommittedChange>& changes) {
  std::vector<std::string> payloads;
  std::string payload = origin;
  // The text of a job still to write, merged while it stays contiguous.
  std::string text_job;
  int64_t text_offset = 0, text_length = 0;
  auto add = [&](const std::string& line) {
    if (payload.size() + line.size() + 1 > kMaxPayload) {
      payloads.push_back(std::move(payload));
      payload = origin;
    }
    payload += "\n" + line;
  };
  auto flush_text = [&] {
    if (text_length == 0) return;
    add("t " + text_job + " " + std::to_string(text_offset) + " " + std::to_string(text_length));
    text_length = 0;
  };
  for (const CommittedChange& change : changes) {
    if (change.stream) {
      flush_text();
      add("s " + std::to_string(change.stream->closed ? 1 : 0) + " " +
          std::to_string(change.stream->gone ? 1 : 0) + " " + std::to_string(change.offset) + " " +
          std::to_string(change.text.size()) + " " + change.stream->path);
    } else if (change.job) {
      flush_text();
      add("j " + change.job_id);
    } else if (!change.text.empty()) {
      if (text_length > 0 && text_job == change.job_id &&
          text_offset + text_length == change.offset) {
        text_length += static_cast<int64_t>(change.text.size());
        continue;
      }
      flush_text();
      text_job = change.job_id;
      text_offset = change.offset;
      text_length = static_cast<int64_t>(change.text.size());
    }
  }
  flush_text();
  if (payload.size() > origin.size()) payloads.push_back(std::move(payload));
  return payloads;
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const StoreOptions& options) {
  auto backend = std::make_unique<PgBackend>(url, options);
  Result<std::unique_ptr<Db>> db = backend->Connect(/*reader=*/false);
  if (!db.ok()) return db.status();
  SCRIBE_RETURN_IF_ERROR(
      (*db)->Exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")"));
  Status migrated = sql::Migrate(**db, PostgresMigrations());
  (void)(*db)->Exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
  SCRIBE_RETURN_IF_ERROR(migrated);
  std::string origin = backend->origin();
  auto store = std::make_unique<sql::SqlStore>(std::move(backend), options, std::move(db).value());
  auto feed = std::make_unique<PgChangeFeed>(url, origin, *store);
  SCRIBE_RETURN_IF_ERROR(feed->Start());
  store->SetChangeFeed(std::move(feed));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<StoreReader>> OpenPostgresReader(const std::string& url,
                                                        const StoreOptions& options) {
  SCRIBE_RETURN_IF_ERROR(ConnectCurrent(url, /*reader=*/true).status());
  return std::unique_ptr<StoreReader>(
      std::make_unique<sql::SqlStore>(std::make_unique<PgBackend>(url, options), options, nullptr));
}

Result<std::unique_ptr<sql::Db>> OpenPostgresDb(const std::string& url) {
  Result<std::unique_ptr<PgDb>> db = ConnectCurrent(url, /*reader=*/false);
  if (!db.ok()) return db.status();
  return std::unique_ptr<sql::Db>(std::move(db).value());
}

}  // namespace scribe::store::postgresql
