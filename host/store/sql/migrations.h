// Schema migrations: numbered SQL files compiled into the binary and applied
// at start-up — schema/NNN_*.sql for SQLite, schema/postgresql/NNN_*.sql for
// PostgreSQL. The database records the number of the last one applied
// (Db::SchemaVersion).
#ifndef SCRIBE_HOST_STORE_SQL_MIGRATIONS_H_
#define SCRIBE_HOST_STORE_SQL_MIGRATIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "host/common/status.h"
#include "host/store/sql/db.h"

namespace scribe::store::sql {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Applies, each in its own transaction, every migration newer than the
// database. Refuses a database newer than the newest migration (it was
// written by a later Scribe).
Status Migrate(Db& db, const std::vector<Migration>& migrations);

// OK when the database (`where`, for the message) has exactly the newest of
// `migrations`: what a tool that reads or edits it without migrating needs.
Status RequireCurrentSchema(Db& db, const std::vector<Migration>& migrations,
                            const std::string& where);

}  // namespace scribe::store::sql

#endif  // SCRIBE_HOST_STORE_SQL_MIGRATIONS_H_
