// The SQLite backend: one database file in WAL mode, held by one host at a
// time (HostLock), under the SQL store (host/store/sql/sql_store.h).
#ifndef SCRIBE_HOST_STORE_SQLITE_SQLITE_STORE_H_
#define SCRIBE_HOST_STORE_SQLITE_SQLITE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "host/store/sql/migrations.h"
#include "host/store/store.h"

namespace scribe::store::sqlite {

// schema/*.sql in version order (generated at build time).
const std::vector<sql::Migration>& SqliteMigrations();

// The file a database URL names: a plain path or "sqlite:PATH".
Result<std::string> PathFromUrl(const std::string& url);
// Unavailable("database_not_found") unless a file is at `path`: for the
// tools that must never create one.
Status RequireExistingFile(const std::string& path);

// Opens or creates the database at `path`, takes its HostLock and applies
// migrations.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options);
// Opens an existing database of the current schema for reading only: no
// lock, no writer, no migration; safe beside a running host (WAL).
Result<std::unique_ptr<StoreReader>> OpenSqliteReader(const std::string& path,
                                                      const StoreOptions& options);

}  // namespace scribe::store::sqlite

#endif  // SCRIBE_HOST_STORE_SQLITE_SQLITE_STORE_H_
