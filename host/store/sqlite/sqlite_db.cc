#include "host/store/sqlite/sqlite_db.h"

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

namespace {

class SqliteStmt final : public sql::StmtImpl {
 public:
  SqliteStmt(sqlite3* db, std::string_view sql, unsigned flags) : db_(db) {
    int rc =
        sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), flags, &stmt_, nullptr);
    prepare_status_ = SqliteStatus(rc, db, "prepare");
    status_ = prepare_status_;
  }
  ~SqliteStmt() override { sqlite3_finalize(stmt_); }

  const Status& prepare_status() const override { return prepare_status_; }
  void Bind(int index, int64_t value) override {
    if (stmt_) sqlite3_bind_int64(stmt_, index, value);
  }
  void Bind(int index, double value) override {
    if (stmt_) sqlite3_bind_double(stmt_, index, value);
  }
  void Bind(int index, std::string_view text) override {
    if (stmt_) {
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
  }
  void BindBlob(int index, std::string_view bytes) override {
    if (stmt_) sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  }
  void BindNull(int index) override {
    if (stmt_) sqlite3_bind_null(stmt_, index);
  }

  bool Step() override {
    if (!stmt_ || !status_.ok()) return false;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) status_ = SqliteStatus(rc, db_, "step");
    return false;
  }
  const Status& status() const override { return status_; }
  void Reset() override {
    if (!stmt_) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    status_ = prepare_status_;
  }

  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const override {
    const unsigned char* text = sqlite3_column_text(stmt_, col);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
                : std::string();
  }
  std::string_view Blob(int col) const override {
    const void* data = sqlite3_column_blob(stmt_, col);
    return data ? std::string_view(static_cast<const char*>(data),
                                   static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
                : std::string_view();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status prepare_status_;
  Status status_;
};

}  // namespace

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool create) {
  sqlite3* handle = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(rc, handle, "opening " + path);
    sqlite3_close(handle);
    return status;
  }
  sqlite3_extended_result_codes(handle, 1);
  return std::unique_ptr<SqliteDb>(new SqliteDb(handle));
}

SqliteDb::~SqliteDb() {
  ClearCached();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  return SqliteStatus(rc, db_, "exec");
}

std::unique_ptr<sql::StmtImpl> SqliteDb::Prepare(std::string_view sql, bool persistent) {
  return std::make_unique<SqliteStmt>(db_, sql, persistent ? SQLITE_PREPARE_PERSISTENT : 0);
}

Result<int> SqliteDb::SchemaVersion() {
  Stmt stmt(*this, "PRAGMA user_version");
  if (!stmt.Step()) return stmt.status().ok() ? Internal("no user_version") : stmt.status();
  return static_cast<int>(stmt.Int(0));
}

Status SqliteDb::SetSchemaVersion(int version) {
  return Exec("PRAGMA user_version = " + std::to_string(version));
}

}  // namespace scribe::store::sqlite
