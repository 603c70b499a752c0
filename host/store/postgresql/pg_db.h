// PostgreSQL's driver for the SQL store (host/store/sql/db.h), over libpq.
// Only host/store/postgresql/ includes libpq-fe.h.
//
// The SQL is translated once per statement (`?N` to `$N`, `/*pg: ...*/` to
// SQL); parameters carry their types (integers as bigint, bytes as bytea in
// binary) and results come back as text. A cached statement (Db::Cached) is
// prepared on the server once per connection and set of parameter types; any
// other runs with PQexecParams. A connection that broke is opened again
// before the next transaction (its statements are prepared again).
//
// Thread safety: a PgDb and its statements belong to one thread at a time.
#ifndef SCRIBE_HOST_STORE_POSTGRESQL_PG_DB_H_
#define SCRIBE_HOST_STORE_POSTGRESQL_PG_DB_H_

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>

#include "host/common/status.h"
#include "host/store/sql/db.h"

namespace scribe::store::postgresql {

using sql::Db;
using sql::Stmt;

// True for the URLs libpq takes: "postgresql://..." or "postgres://...".
bool IsPostgresUrl(const std::string& url);
// `url` without its password, for messages and logs.
std::string RedactedUrl(const std::string& url);

// The SQL store's dialect in PostgreSQL's: `?N` becomes `$N` and
// `/*pg: X*/` becomes X, outside string literals and quoted identifiers.
std::string TranslateSql(std::string_view sql);

// Maps a failed result (or, without one, the connection's error) to a
// Status: Unavailable "storage_conflict" for a deadlock or serialization
// failure (the transaction runs again), Conflict "constraint",
// Unavailable "storage_unavailable" when the server cannot be reached...
Status PgStatus(PGconn* conn, const PGresult* result, std::string_view what);

class PgDb final : public Db {
 public:
  // Connects to `url`; a reader's connection refuses writes.
  static Result<std::unique_ptr<PgDb>> Connect(const std::string& url, bool reader,
                                               int lock_timeout_ms);
  ~PgDb() override;

  PGconn* conn() const { return conn_; }
  Status Exec(std::string_view sql) override;
  Status BeginWrite() override;
  int64_t Changes() const override { return changes_; }
  std::unique_ptr<sql::StmtImpl> Prepare(std::string_view sql, bool persistent) override;
  // The version in scribe_schema; 0 when the table does not exist yet.
  Result<int> SchemaVersion() override;
  Status SetSchemaVersion(int version) override;

  // Opens the connection again when it broke (the server restarted, the
  // network dropped it); between transactions only.
  void ReconnectIfBroken();
  void set_changes(int64_t changes) { changes_ = changes; }
  bool reader() const { return reader_; }
  // Counts the times the connection was opened again.
  uint64_t generation() const { return generation_; }
  // A name for a server-side prepared statement, new on this connection.
  std::string NewStatementName() { return "s" + std::to_string(++statements_); }

 private:
  PgDb(PGconn* conn, std::string setup, bool reader)
      : conn_(conn), setup_(std::move(setup)), reader_(reader) {}
  PGconn* conn_;
  const std::string setup_;  // the settings every session gets
  const bool reader_;
  int64_t changes_ = 0;
  uint64_t generation_ = 0;
  uint64_t statements_ = 0;
};

}  // namespace scribe::store::postgresql

#endif  // SCRIBE_HOST_STORE_POSTGRESQL_PG_DB_H_
