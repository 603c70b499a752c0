// SQLite's driver for the SQL store (host/store/sql/db.h), and the one
// function that turns SQLite result codes into Status. Only
// host/store/sqlite/ includes sqlite3.h.
//
// Thread safety: a SqliteDb and its statements belong to one thread at a time.
#ifndef SCRIBE_HOST_STORE_SQLITE_SQLITE_DB_H_
#define SCRIBE_HOST_STORE_SQLITE_SQLITE_DB_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "host/common/status.h"
#include "host/store/sql/db.h"

namespace scribe::store::sqlite {

using sql::Db;
using sql::Stmt;

// Maps a SQLite result code to a Status; `what` says what was being done.
Status SqliteStatus(int rc, sqlite3* db, std::string_view what);

class SqliteDb final : public Db {
 public:
  // Opens the database at `path` for reading and writing, creating the file
  // when `create` is set.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create);
  ~SqliteDb() override;

  sqlite3* handle() const { return db_; }
  Status Exec(std::string_view sql) override;
  Status BeginWrite() override { return Run("BEGIN IMMEDIATE"); }
  int64_t Changes() const override { return sqlite3_changes64(db_); }
  std::unique_ptr<sql::StmtImpl> Prepare(std::string_view sql, bool persistent) override;
  // PRAGMA user_version.
  Result<int> SchemaVersion() override;
  Status SetSchemaVersion(int version) override;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace scribe::store::sqlite

#endif  // SCRIBE_HOST_STORE_SQLITE_SQLITE_DB_H_
