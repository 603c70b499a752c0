// The PostgreSQL backend: one database shared by any number of hosts, under
// the SQL store (host/store/sql/sql_store.h).
//
// Every write transaction announces what it changed with NOTIFY before it
// commits; PostgreSQL delivers the notice only once the transaction has
// committed, and in commit order. Each host LISTENs, reads what another host
// changed from the database and hands it to its CommitListener: a viewer on
// host B follows, live, a job host A generates, and persist-before-publish
// holds across hosts (DESIGN.md §2).
#ifndef SCRIBE_HOST_STORE_POSTGRESQL_PG_STORE_H_
#define SCRIBE_HOST_STORE_POSTGRESQL_PG_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "host/store/sql/db.h"
#include "host/store/sql/migrations.h"
#include "host/store/store.h"

namespace scribe::store::postgresql {

// schema/postgresql/*.sql in version order (generated at build time).
const std::vector<sql::Migration>& PostgresMigrations();

// The channel hosts announce their commits on.
inline constexpr char kChangesChannel[] = "scribe_changes";

// One line per change of a committed transaction, for NOTIFY: "t JOB OFFSET
// LENGTH" (text appended to a job's log), "j JOB" (a job's state changed),
// "s CLOSED GONE OFFSET LENGTH PATH" (a Durable Stream's). The first line is
// the announcing host's origin. Payloads stay under PostgreSQL's 8000-byte
// limit; a long list is split across several.
std::vector<std::string> EncodeChanges(const std::string& origin,
                                       const std::vector<CommittedChange>& changes);

// Connects to `url`, applies migrations (one host at a time, under an
// advisory lock) and starts following the other hosts' commits.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const StoreOptions& options);
// For tools: reads a database of the current schema; never migrates.
Result<std::unique_ptr<StoreReader>> OpenPostgresReader(const std::string& url,
                                                        const StoreOptions& options);
// A connection to a database of the current schema, for maintenance.
Result<std::unique_ptr<sql::Db>> OpenPostgresDb(const std::string& url);

}  // namespace scribe::store::postgresql

#endif  // SCRIBE_HOST_STORE_POSTGRESQL_PG_STORE_H_
