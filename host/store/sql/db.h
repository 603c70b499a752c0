// A database connection and its statements, as the SQL store uses them: one
// interface over SQLite (host/store/sqlite/sqlite_db.h) and PostgreSQL
// (host/store/postgresql/pg_db.h), so the store's logic and its SQL are
// written once.
//
// The SQL is SQLite's dialect where the two agree: numbered parameters `?1`,
// identifiers that are keywords in double quotes ("offset"). What only
// PostgreSQL needs is written as a comment that PostgreSQL's driver turns
// into SQL: `/*pg: FOR UPDATE*/` locks rows there and is nothing to SQLite,
// whose one writer already excludes every other.
//
// Thread safety: a Db and its statements belong to one thread at a time.
#ifndef SCRIBE_HOST_STORE_SQL_DB_H_
#define SCRIBE_HOST_STORE_SQL_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "host/common/status.h"

namespace scribe::store::sql {

class Stmt;

// A driver's prepared statement. Bind indexes start at 1, column indexes at 0.
class StmtImpl {
 public:
  virtual ~StmtImpl() = default;
  // Not OK when preparing failed; every other call is then a no-op.
  virtual const Status& prepare_status() const = 0;
  virtual void Bind(int index, int64_t value) = 0;
  virtual void Bind(int index, double value) = 0;
  virtual void Bind(int index, std::string_view text) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual void BindNull(int index) = 0;
  // Advances: true with a row, false when done or on error (see status()).
  virtual bool Step() = 0;
  virtual const Status& status() const = 0;
  // Back to before the first Step(), bindings cleared.
  virtual void Reset() = 0;
  virtual bool IsNull(int col) const = 0;
  virtual int64_t Int(int col) const = 0;  // a boolean reads as 0 or 1
  virtual double Double(int col) const = 0;
  virtual std::string Text(int col) const = 0;
  virtual std::string_view Blob(int col) const = 0;  // valid until the next Step()
};

class Db {
 public:
  virtual ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without parameters or results.
  virtual Status Exec(std::string_view sql) = 0;
  // Starts the transaction of a write: it takes the database's write lock at
  // once (SQLite) or a snapshot that row locks protect (PostgreSQL).
  virtual Status BeginWrite() = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  virtual int64_t Changes() const = 0;
  // A new statement for `sql`; `persistent` when it is kept for long.
  virtual std::unique_ptr<StmtImpl> Prepare(std::string_view sql, bool persistent) = 0;
  // The number of the last migration applied; 0 for an empty database.
  virtual Result<int> SchemaVersion() = 0;
  // Records `version` as applied, inside the migration's transaction.
  virtual Status SetSchemaVersion(int version) = 0;

  // The statement for `sql`, prepared once for the connection's life and
  // reset. `sql` must be a string literal: statements are found by its
  // address, so a hot path never builds a string to find one. A cached
  // statement left on a row keeps its read transaction open: ResetCached()
  // before the transaction it ran in ends.
  Stmt& Cached(const char* sql);
  void ResetCached();
  // Runs a cached statement without results (COMMIT, SAVEPOINT...).
  Status Run(const char* sql);

 protected:
  Db() = default;
  // Drops the cached statements; a driver calls it before it closes.
  void ClearCached() { cached_.clear(); }

 private:
  std::unordered_map<const char*, std::unique_ptr<Stmt>> cached_;
};

// A statement of a Db: a handle that builds like a value and chains binds.
class Stmt {
 public:
  Stmt(Db& db, std::string_view sql) : Stmt(db.Prepare(sql, false)) {}
  explicit Stmt(std::unique_ptr<StmtImpl> impl) : impl_(std::move(impl)) {}

  const Status& prepare_status() const { return impl_->prepare_status(); }

  Stmt& Bind(int index, int64_t value) {
    impl_->Bind(index, value);
    return *this;
  }
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, double value) {
    impl_->Bind(index, value);
    return *this;
  }
  Stmt& Bind(int index, std::string_view text) {
    impl_->Bind(index, text);
    return *this;
  }
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& BindBlob(int index, std::string_view bytes) {
    impl_->BindBlob(index, bytes);
    return *this;
  }
  Stmt& BindNull(int index) {
    impl_->BindNull(index);
    return *this;
  }
  template <typename T>
  Stmt& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }
  // Binds empty text as NULL.
  Stmt& BindOrNull(int index, std::string_view text) {
    return text.empty() ? BindNull(index) : Bind(index, text);
  }

  bool Step() { return impl_->Step(); }
  // Runs a statement that returns no rows (or skips the rows it returns).
  Status Run() {
    while (Step()) {
    }
    return status();
  }
  const Status& status() const { return impl_->status(); }
  void Reset() { impl_->Reset(); }

  bool IsNull(int col) const { return impl_->IsNull(col); }
  int64_t Int(int col) const { return impl_->Int(col); }
  double Double(int col) const { return impl_->Double(col); }
  std::string Text(int col) const { return impl_->Text(col); }
  std::string_view Blob(int col) const { return impl_->Blob(col); }
  std::optional<int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }
  std::optional<double> OptDouble(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Double(col);
  }

 private:
  std::unique_ptr<StmtImpl> impl_;
};

}  // namespace scribe::store::sql

#endif  // SCRIBE_HOST_STORE_SQL_DB_H_
