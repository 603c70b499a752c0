// Schema migrations: the numbered files of schema/, compiled into the binary
// and applied at start-up. The database's PRAGMA user_version is the number
// of the last migration applied.
#ifndef SCRIBE_HOST_STORE_SQLITE_MIGRATIONS_H_
#define SCRIBE_HOST_STORE_SQLITE_MIGRATIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "host/common/status.h"
#include "host/store/sqlite/db.h"

namespace scribe::store::sqlite {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// schema/*.sql in version order (generated at build time).
const std::vector<Migration>& BuiltinMigrations();

// Applies, each in its own transaction, every migration newer than the
// database. Refuses a database newer than the newest migration (it was
// written by a later Scribe).
Status Migrate(Db& db, const std::vector<Migration>& migrations);

// The database's PRAGMA user_version.
Result<int> SchemaVersion(Db& db);

// OK when the database (at `path`, for the message) has exactly the newest
// built-in schema: what a tool that reads or edits it without migrating
// needs.
Status RequireCurrentSchema(Db& db, const std::string& path);

}  // namespace scribe::store::sqlite

#endif  // SCRIBE_HOST_STORE_SQLITE_MIGRATIONS_H_
