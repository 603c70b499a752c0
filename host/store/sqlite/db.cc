#include "host/store/sqlite/db.h"

namespace scribe::store::sqlite {

Status SqliteStatus(int rc, sqlite3* db, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string message =
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_FULL:
      return Unavailable("storage_full", "the disk is full; " + message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable("storage_busy", message);
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return Unavailable("storage_unavailable", message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Unavailable("storage_corrupt", message);
    case SQLITE_CONSTRAINT:
      return Conflict("constraint", message);
    case SQLITE_TOOBIG:
      return Status(Code::kPayloadTooLarge, "too_large", message);
    default:
      return Internal(message);
  }
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool create) {
  sqlite3* handle = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(rc, handle, "opening " + path);
    sqlite3_close(handle);
    return status;
  }
  sqlite3_extended_result_codes(handle, 1);
  return std::unique_ptr<Db>(new Db(handle));
}

Db::~Db() {
  cached_.clear();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  return SqliteStatus(rc, db_, "exec");
}

Stmt& Db::Cached(const char* sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    it = cached_.emplace(sql, std::make_unique<Stmt>(*this, sql, SQLITE_PREPARE_PERSISTENT)).first;
  }
  it->second->Reset();
  return *it->second;
}

void Db::ResetCached() {
  for (auto& [sql, stmt] : cached_) stmt->Reset();
}

Status Db::Run(const char* sql) { return Cached(sql).Run(); }

Stmt::Stmt(Db& db, std::string_view sql, unsigned flags) : db_(db) {
  int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), flags, &stmt_,
                              nullptr);
  prepare_status_ = SqliteStatus(rc, db.handle(), "prepare");
  status_ = prepare_status_;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int index, int64_t value) {
  if (stmt_) sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Stmt& Stmt::Bind(int index, double value) {
  if (stmt_) sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Stmt& Stmt::Bind(int index, std::string_view text) {
  if (stmt_) {
    sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  return *this;
}
Stmt& Stmt::BindBlob(int index, std::string_view bytes) {
  if (stmt_) sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int index) {
  if (stmt_) sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Stmt::Step() {
  if (!stmt_ || !status_.ok()) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = SqliteStatus(rc, db_.handle(), "step");
  return false;
}

Status Stmt::Run() {
  while (Step()) {
  }
  return status_;
}

void Stmt::Reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = prepare_status_;
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::Double(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Stmt::Text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
              : std::string();
}
std::string_view Stmt::Blob(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  return data ? std::string_view(static_cast<const char*>(data),
                                 static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
              : std::string_view();
}
std::optional<int64_t> Stmt::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}
std::optional<double> Stmt::OptDouble(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Double(col);
}

}  // namespace scribe::store::sqlite
