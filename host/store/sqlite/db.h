// RAII wrappers around the SQLite C API, and the one function that turns
// SQLite result codes into Status. Only host/store/sqlite/ includes sqlite3.h.
//
// Thread safety: a Db and its statements belong to one thread at a time.
#ifndef SCRIBE_HOST_STORE_SQLITE_DB_H_
#define SCRIBE_HOST_STORE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "host/common/status.h"

namespace scribe::store::sqlite {

class Stmt;

// Maps a SQLite result code to a Status; `what` says what was being done.
Status SqliteStatus(int rc, sqlite3* db, std::string_view what);

class Db {
 public:
  // Opens the database at `path` for reading and writing, creating the file
  // when `create` is set.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool create);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() const { return db_; }
  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // The statement for `sql`, prepared once for the connection's life and
  // reset. `sql` must be a string literal: statements are found by its
  // address, so a hot path never builds a string to find one. A cached
  // statement left on a row keeps its read transaction open: ResetCached()
  // before the transaction it ran in ends.
  Stmt& Cached(const char* sql);
  void ResetCached();
  // Runs a cached statement without results (BEGIN, COMMIT, SAVEPOINT...).
  Status Run(const char* sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  // The rowid of the last row INSERTed.
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, std::unique_ptr<Stmt>> cached_;
};

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class Stmt {
 public:
  // `flags`: sqlite3_prepare_v3's (SQLITE_PREPARE_PERSISTENT for one kept).
  Stmt(Db& db, std::string_view sql, unsigned flags = 0);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Not OK when preparing failed; every other call is then a no-op.
  const Status& prepare_status() const { return prepare_status_; }

  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, std::string_view text);
  Stmt& BindBlob(int index, std::string_view bytes);
  Stmt& BindNull(int index);
  template <typename T>
  Stmt& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }
  // Binds empty text as NULL.
  Stmt& BindOrNull(int index, std::string_view text) {
    return text.empty() ? BindNull(index) : Bind(index, text);
  }

  // Advances: true with a row, false when done or on error (see status()).
  bool Step();
  // Runs a statement that returns no rows.
  Status Run();
  const Status& status() const { return status_; }
  void Reset();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  std::string_view Blob(int col) const;  // valid until the next Step()
  std::optional<int64_t> OptInt(int col) const;
  std::optional<double> OptDouble(int col) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status prepare_status_;
  Status status_;
};

}  // namespace scribe::store::sqlite

#endif  // SCRIBE_HOST_STORE_SQLITE_DB_H_
