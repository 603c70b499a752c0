#include "host/store/sqlite/migrations.h"

#include <string>

namespace scribe::store::sqlite {

Result<int> SchemaVersion(Db& db) {
  Stmt stmt(db, "PRAGMA user_version");
  if (!stmt.Step()) return stmt.status().ok() ? Internal("no user_version") : stmt.status();
  return static_cast<int>(stmt.Int(0));
}

Status RequireCurrentSchema(Db& db, const std::string& path) {
  Result<int> version = SchemaVersion(db);
  if (!version.ok()) return version.status();
  int latest = BuiltinMigrations().back().version;
  if (*version == latest) return Status::Ok();
  return Unavailable("schema_mismatch",
                     "the database at " + path + " has schema version " + std::to_string(*version) +
                         ", this build reads version " + std::to_string(latest) +
                         (*version < latest ? "; start scribed on it once to migrate it"
                                            : "; use a newer Scribe"));
}

Status Migrate(Db& db, const std::vector<Migration>& migrations) {
  Result<int> current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  int latest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > latest) {
    return Unavailable("schema_too_new", "the database has schema version " +
                                             std::to_string(*current) +
                                             " but this scribed knows only up to " +
                                             std::to_string(latest) + "; run a newer Scribe");
  }
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    SCRIBE_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Status status = db.Exec(m.sql);
    if (status.ok()) status = db.Exec("PRAGMA user_version = " + std::to_string(m.version));
    if (status.ok()) status = db.Exec("COMMIT");
    if (!status.ok()) {
      (void)db.Exec("ROLLBACK");
      return Status(status.code(), status.reason(),
                    "migration " + std::string(m.name) + " failed: " + status.message());
    }
  }
  return Status::Ok();
}

}  // namespace scribe::store::sqlite
