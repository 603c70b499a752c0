#include "host/store/sql/sql_store.h"

#include <unistd.h>

#include <algorithm>

#include "host/common/clock.h"
#include "host/store/sql/rows.h"

namespace scribe::store::sql {
namespace {

Status DocumentNotFound(const std::string& id) {
  return NotFound("document_not_found", "no document with id '" + id + "'");
}

Status BadCursor() {
  return InvalidArgument("invalid_cursor", "the cursor is not one this host issued");
}

int ClampLimit(int limit) { return std::clamp(limit, 1, 1000); }

// Reads a newest-first page from `stmt`, which selected up to limit + 1 rows
// with the rowid in column `rowid_column`; the extra row only tells that
// there is a next page.
template <typename T, typename FromRow>
Result<Page<T>> ReadPage(Stmt& stmt, int limit, int rowid_column, FromRow from_row) {
  Page<T> page;
  int64_t last_rowid = 0;
  while (stmt.Step()) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = MakeCursor(page.items.back().created_ms, last_rowid);
      break;
    }
    page.items.push_back(from_row(stmt));
    last_rowid = stmt.Int(rowid_column);
  }
  if (!stmt.status().ok()) return stmt.status();
  return page;
}

}  // namespace

Status Backend::BeforeCommit(Db&, const std::vector<CommittedChange>&) { return Status::Ok(); }

bool Backend::Retryable(const Status&) const { return false; }

namespace {

// "<hostname>:<pid>:<random>": unique per process, and telling an operator
// which machine holds a lease.
std::string NewHostId() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) name[0] = '\0';
  return std::string(name) + ":" + std::to_string(getpid()) + ":" + RandomId(6);
}

}  // namespace

SqlStore::SqlStore(std::unique_ptr<Backend> backend, const StoreOptions& options,
                   std::unique_ptr<Db> writer_db)
    : backend_(std::move(backend)), options_(options), host_id_(NewHostId()) {
  if (writer_db) {
    writer_ = std::make_unique<Writer>(std::move(writer_db), options, *backend_);
  }
}

SqlStore::~SqlStore() {
  feed_.reset();
  writer_.reset();
  std::lock_guard<std::mutex> lock(pool_mu_);
  idle_readers_.clear();
}

void SqlStore::SetCommitListener(CommitListener* listener) {
  writer_->SetListener(listener);
  if (feed_) feed_->SetListener(listener);
}

SqlStore::Reader::~Reader() {
  db_->ResetCached();  // no read transaction stays open in the pool
  {
    std::lock_guard<std::mutex> lock(store_.pool_mu_);
    store_.idle_readers_.push_back(std::move(db_));
  }
  store_.pool_cv_.notify_one();
}

Result<std::unique_ptr<SqlStore::Reader>> SqlStore::AcquireReader() {
  std::unique_lock<std::mutex> lock(pool_mu_);
  pool_cv_.wait(lock, [&] {
    return !idle_readers_.empty() || open_readers_ < std::max(1, options_.read_connections);
  });
  if (!idle_readers_.empty()) {
    std::unique_ptr<Db> db = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    return std::make_unique<Reader>(*this, std::move(db));
  }
  ++open_readers_;
  lock.unlock();
  Result<std::unique_ptr<Db>> db = backend_->Connect(/*reader=*/true);
  if (!db.ok()) {
    lock.lock();
    --open_readers_;
    pool_cv_.notify_one();
    return db.status();
  }
  return std::make_unique<Reader>(*this, std::move(db).value());
}

// ---- documents

Result<Document> SqlStore::CreateDocument(const std::string& title, const std::string& content,
                                          const std::string& owner_key_id) {
  Document doc{"doc_" + RandomId(16), title, content, static_cast<int64_t>(content.size()), 0,
               owner_key_id};
  Status status = writer_->Run([&](Writer::Tx& tx) {
    doc.created_ms = tx.now_ms();
    return tx
        .Prepare(
            "INSERT INTO documents (id, title, content, bytes, created_ms, owner_key_id) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .Bind(1, doc.id)
        .Bind(2, doc.title)
        .Bind(3, doc.content)
        .Bind(4, doc.bytes)
        .Bind(5, doc.created_ms)
        .BindOrNull(6, doc.owner_key_id)
        .Run();
  });
  if (!status.ok()) return status;
  return doc;
}

Result<Document> SqlStore::GetDocument(const std::string& id) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt((*reader)->db(),
            "SELECT id, title, content, bytes, created_ms, owner_key_id FROM documents "
            "WHERE id = ?1");
  stmt.Bind(1, id);
  if (!stmt.Step()) return stmt.status().ok() ? DocumentNotFound(id) : stmt.status();
  return Document{stmt.Text(0), stmt.Text(1), stmt.Text(2), stmt.Int(3), stmt.Int(4), stmt.Text(5)};
}

Result<Page<Document>> SqlStore::ListDocuments(const PageRequest& request) {
  int64_t cursor_ms = 0;
  int64_t cursor_row = 0;
  bool has_cursor = !request.cursor.empty();
  if (has_cursor && !ParseCursor(request.cursor, cursor_ms, cursor_row)) return BadCursor();
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  int limit = ClampLimit(request.limit);
  std::string sql =
      "SELECT id, title, bytes, created_ms, owner_key_id, rowid FROM documents WHERE true";
  if (has_cursor) sql += " AND (created_ms, rowid) < (?1, ?2)";
  if (!request.owner_key_id.empty()) sql += " AND owner_key_id = ?4";
  sql += " ORDER BY created_ms DESC, rowid DESC LIMIT ?3";
  Stmt stmt((*reader)->db(), sql);
  if (has_cursor) stmt.Bind(1, cursor_ms).Bind(2, cursor_row);
  if (!request.owner_key_id.empty()) stmt.Bind(4, request.owner_key_id);
  stmt.Bind(3, limit + 1);
  return ReadPage<Document>(stmt, limit, 5, [](const Stmt& row) {
    return Document{row.Text(0), row.Text(1), "", row.Int(2), row.Int(3), row.Text(4)};
  });
}

Status SqlStore::DeleteDocument(const std::string& id) {
  return writer_->Run([&](Writer::Tx& tx) {
    SCRIBE_RETURN_IF_ERROR(tx.Prepare("DELETE FROM documents WHERE id = ?1").Bind(1, id).Run());
    return tx.db().Changes() == 0 ? DocumentNotFound(id) : Status::Ok();
  });
}

// ---- job reads

Result<Job> SqlStore::GetJob(const std::string& id) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt((*reader)->db(), "SELECT " SCRIBE_JOB_COLUMNS " FROM jobs WHERE id = ?1");
  return StepJob(stmt, id);
}

Result<std::string> SqlStore::GetJobInput(const std::string& id) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt((*reader)->db(), "SELECT input FROM jobs WHERE id = ?1");
  stmt.Bind(1, id);
  if (!stmt.Step()) return stmt.status().ok() ? JobNotFound(id) : stmt.status();
  return stmt.Text(0);
}

Result<Page<Job>> SqlStore::ListJobs(const JobFilter& filter) {
  int64_t cursor_ms = 0;
  int64_t cursor_row = 0;
  bool has_cursor = !filter.cursor.empty();
  if (has_cursor && !ParseCursor(filter.cursor, cursor_ms, cursor_row)) return BadCursor();
  std::string sql = "SELECT " SCRIBE_JOB_COLUMNS ", rowid FROM jobs WHERE true";
  int next = 1;
  if (!filter.states.empty()) {
    sql += " AND state IN (";
    for (size_t i = 0; i < filter.states.size(); ++i) {
      sql += (i ? ", ?" : "?") + std::to_string(next++);
    }
    sql += ")";
  }
  int provider_index = filter.provider.empty() ? 0 : next++;
  if (provider_index) sql += " AND provider = ?" + std::to_string(provider_index);
  int owner_index = filter.owner_key_id.empty() ? 0 : next++;
  if (owner_index) sql += " AND owner_key_id = ?" + std::to_string(owner_index);
  int since_index = filter.since_ms ? next++ : 0;
  if (since_index) sql += " AND created_ms >= ?" + std::to_string(since_index);
  int cursor_index = has_cursor ? next : 0;
  if (has_cursor) {
    sql += " AND (created_ms, rowid) < (?" + std::to_string(next) + ", ?" +
           std::to_string(next + 1) + ")";
    next += 2;
  }
  sql += " ORDER BY created_ms DESC, rowid DESC LIMIT ?" + std::to_string(next);

  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt((*reader)->db(), sql);
  int index = 1;
  for (JobState state : filter.states) stmt.Bind(index++, ToString(state));
  if (provider_index) stmt.Bind(provider_index, filter.provider);
  if (owner_index) stmt.Bind(owner_index, filter.owner_key_id);
  if (since_index) stmt.Bind(since_index, *filter.since_ms);
  if (cursor_index) stmt.Bind(cursor_index, cursor_ms).Bind(cursor_index + 1, cursor_row);
  int limit = ClampLimit(filter.limit);
  stmt.Bind(next, limit + 1);
  return ReadPage<Job>(stmt, limit, kJobColumnCount, JobFromRow);
}

Result<JobHistory> SqlStore::GetJobHistory(const std::string& id) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Db& db = (*reader)->db();
  SCRIBE_RETURN_IF_ERROR(db.Exec("BEGIN"));  // one snapshot for all three reads
  JobHistory history;
  Status status;
  {
    Stmt exists(db, "SELECT 1 FROM jobs WHERE id = ?1");
    exists.Bind(1, id);
    if (!exists.Step()) status = exists.status().ok() ? JobNotFound(id) : exists.status();
  }
  if (status.ok()) {
    Stmt attempts(db, "SELECT " SCRIBE_ATTEMPT_COLUMNS
                      " FROM job_attempts WHERE job_id = ?1 ORDER BY number");
    attempts.Bind(1, id);
    while (attempts.Step()) history.attempts.push_back(AttemptFromRow(attempts));
    status = attempts.status();
  }
  if (status.ok()) {
    Stmt events(db,
                "SELECT at_ms, state, attempt, \"offset\", note FROM job_events "
                "WHERE job_id = ?1 ORDER BY seq");
    events.Bind(1, id);
    while (events.Step()) {
      history.events.push_back(
          JobEvent{events.Int(0), ParseJobState(events.Text(1)).value_or(JobState::kFailed),
                   static_cast<int>(events.Int(2)), events.Int(3), events.Text(4)});
    }
    status = events.status();
  }
  if (status.ok()) {
    Stmt children(db, "SELECT id FROM jobs WHERE parent_id = ?1 ORDER BY created_ms, rowid");
    children.Bind(1, id);
    while (children.Step()) history.children.push_back(children.Text(0));
    status = children.status();
  }
  (void)db.Exec("COMMIT");
  if (!status.ok()) return status;
  return history;
}

Result<std::map<JobState, int64_t>> SqlStore::CountJobsByState() {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt((*reader)->db(), "SELECT state, count(*) FROM jobs GROUP BY state");
  std::map<JobState, int64_t> counts;
  for (JobState state : kAllJobStates) counts[state] = 0;
  while (stmt.Step()) {
    if (auto state = ParseJobState(stmt.Text(0))) counts[*state] = stmt.Int(1);
  }
  if (!stmt.status().ok()) return stmt.status();
  return counts;
}

Result<std::vector<ProviderUsage>> SqlStore::UsageByProvider() {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt(
      (*reader)->db(),
      "SELECT provider, count(*), sum(input_tokens), sum(output_tokens), sum(thinking_tokens) "
      "FROM job_attempts GROUP BY provider ORDER BY provider");
  std::vector<ProviderUsage> usage;
  while (stmt.Step()) {
    usage.push_back(
        ProviderUsage{stmt.Text(0), stmt.Int(1), Usage{stmt.Int(2), stmt.Int(3), stmt.Int(4)}});
  }
  if (!stmt.status().ok()) return stmt.status();
  return usage;
}

// ---- the log

void SqlStore::Append(const std::string& job_id, int attempt, std::string text) {
  writer_->Append(job_id, attempt, std::move(text));
}

Result<std::string> SqlStore::ReadOutput(const std::string& job_id, int64_t offset,
                                         int64_t max_bytes) {
  if (offset < 0 || max_bytes < 0) {
    return InvalidArgument("invalid_offset", "offsets and lengths are never negative");
  }
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt(
      (*reader)->db(),
      "SELECT \"offset\", data FROM chunks WHERE job_id = ?1 AND \"offset\" >= "
      "coalesce((SELECT max(\"offset\") FROM chunks WHERE job_id = ?1 AND \"offset\" <= ?2), 0) "
      "ORDER BY \"offset\"");
  stmt.Bind(1, job_id).Bind(2, offset);
  std::string out;
  bool any = false;
  while (static_cast<int64_t>(out.size()) < max_bytes && stmt.Step()) {
    any = true;
    int64_t start = stmt.Int(0);
    std::string_view data = stmt.Blob(1);
    int64_t end = start + static_cast<int64_t>(data.size());
    if (end <= offset) continue;
    size_t from = static_cast<size_t>(std::max<int64_t>(0, offset - start));
    size_t take = std::min<size_t>(data.size() - from, static_cast<size_t>(max_bytes) - out.size());
    out.append(data.substr(from, take));
  }
  if (!stmt.status().ok()) return stmt.status();
  if (!any) {
    Stmt exists((*reader)->db(), "SELECT 1 FROM jobs WHERE id = ?1");
    exists.Bind(1, job_id);
    if (!exists.Step()) return exists.status().ok() ? JobNotFound(job_id) : exists.status();
  }
  return out;
}

Result<std::optional<ApiKey>> SqlStore::FindApiKey(const std::string& secret_hash) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt((*reader)->db(),
            "SELECT " SCRIBE_API_KEY_COLUMNS " FROM api_keys WHERE secret_hash = ?1");
  stmt.Bind(1, secret_hash);
  if (!stmt.Step()) {
    if (!stmt.status().ok()) return stmt.status();
    return std::optional<ApiKey>();
  }
  return std::optional<ApiKey>(ApiKeyFromRow(stmt));
}

Result<std::vector<ApiKey>> SqlStore::ListApiKeys() {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt((*reader)->db(),
            "SELECT " SCRIBE_API_KEY_COLUMNS " FROM api_keys ORDER BY created_ms, rowid");
  std::vector<ApiKey> keys;
  while (stmt.Step()) keys.push_back(ApiKeyFromRow(stmt));
  if (!stmt.status().ok()) return stmt.status();
  return keys;
}

Status SqlStore::Flush() {
  return writer_->Run([](Writer::Tx&) { return Status::Ok(); });
}

}  // namespace scribe::store::sql
