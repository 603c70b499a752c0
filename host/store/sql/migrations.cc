#include "host/store/sql/migrations.h"

#include <string>

namespace scribe::store::sql {

Status RequireCurrentSchema(Db& db, const std::vector<Migration>& migrations,
                            const std::string& where) {
  Result<int> version = db.SchemaVersion();
  if (!version.ok()) return version.status();
  int latest = migrations.back().version;
  if (*version == latest) return Status::Ok();
  return Unavailable("schema_mismatch",
                     "the database at " + where + " has schema version " +
                         std::to_string(*version) + ", this build reads version " +
                         std::to_string(latest) +
                         (*version < latest ? "; start scribed on it once to migrate it"
                                            : "; use a newer Scribe"));
}

Status Migrate(Db& db, const std::vector<Migration>& migrations) {
  Result<int> current = db.SchemaVersion();
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
    SCRIBE_RETURN_IF_ERROR(db.BeginWrite());
    Status status = db.Exec(m.sql);
    if (status.ok()) status = db.SetSchemaVersion(m.version);
    if (status.ok()) status = db.Run("COMMIT");
    if (!status.ok()) {
      (void)db.Exec("ROLLBACK");
      return Status(status.code(), status.reason(),
                    "migration " + std::string(m.name) + " failed: " + status.message());
    }
  }
  return Status::Ok();
}

}  // namespace scribe::store::sql
