#include "host/store/sqlite/sqlite_store.h"

#include <unistd.h>

#include "host/store/sql/sql_store.h"
#include "host/store/sqlite/host_lock.h"
#include "host/store/sqlite/sqlite_db.h"

namespace scribe::store::sqlite {
namespace {

class SqliteBackend final : public sql::Backend {
 public:
  SqliteBackend(std::string path, const StoreOptions& options, std::unique_ptr<HostLock> host_lock)
      : path_(std::move(path)), options_(options), host_lock_(std::move(host_lock)) {}

  Result<std::unique_ptr<Db>> Connect(bool reader) override {
    Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path_, /*create=*/!reader);
    if (!db.ok()) return db.status();
    SCRIBE_RETURN_IF_ERROR(
        (*db)->Exec("PRAGMA busy_timeout = " + std::to_string(options_.busy_timeout_ms) + ";" +
                    "PRAGMA foreign_keys = ON;" + (reader ? "PRAGMA query_only = ON;" : "")));
    return std::unique_ptr<Db>(std::move(db).value());
  }
  bool exclusive() const override { return true; }

 private:
  const std::string path_;
  const StoreOptions options_;
  std::unique_ptr<HostLock> host_lock_;  // null for a reader
};

}  // namespace

Result<std::string> PathFromUrl(const std::string& url) {
  std::string path = url;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.empty() || path.find("://") != std::string::npos) {
    return InvalidArgument(
        "unsupported_database",
        "unsupported database '" + url + "' (use a file path, sqlite:PATH or postgresql://...)");
  }
  return path;
}

Status RequireExistingFile(const std::string& path) {
  if (access(path.c_str(), F_OK) == 0) return Status::Ok();
  return Unavailable("database_not_found", "no database at " + path);
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  if (options.synchronous != "NORMAL" && options.synchronous != "FULL") {
    return InvalidArgument("invalid_option", "synchronous must be NORMAL or FULL");
  }
  Result<std::unique_ptr<HostLock>> lock = HostLock::Acquire(path);
  if (!lock.ok()) return lock.status();
  auto backend = std::make_unique<SqliteBackend>(path, options, std::move(lock).value());
  Result<std::unique_ptr<Db>> db = backend->Connect(/*reader=*/false);
  if (!db.ok()) return db.status();
  {
    Stmt wal(**db, "PRAGMA journal_mode = WAL");
    if (!wal.Step() || wal.Text(0) != "wal") {
      return wal.status().ok()
                 ? Unavailable("storage_unavailable", "could not switch " + path + " to WAL mode")
                 : wal.status();
    }
  }
  SCRIBE_RETURN_IF_ERROR((*db)->Exec("PRAGMA synchronous = " + options.synchronous));
  SCRIBE_RETURN_IF_ERROR(sql::Migrate(**db, SqliteMigrations()));
  return std::unique_ptr<Store>(
      std::make_unique<sql::SqlStore>(std::move(backend), options, std::move(db).value()));
}

Result<std::unique_ptr<StoreReader>> OpenSqliteReader(const std::string& path,
                                                      const StoreOptions& options) {
  SCRIBE_RETURN_IF_ERROR(RequireExistingFile(path));
  auto backend = std::make_unique<SqliteBackend>(path, options, nullptr);
  {
    Result<std::unique_ptr<Db>> db = backend->Connect(/*reader=*/true);
    if (!db.ok()) return db.status();
    SCRIBE_RETURN_IF_ERROR(sql::RequireCurrentSchema(**db, SqliteMigrations(), path));
  }
  return std::unique_ptr<StoreReader>(
      std::make_unique<sql::SqlStore>(std::move(backend), options, nullptr));
}

}  // namespace scribe::store::sqlite
