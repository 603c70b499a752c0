// Chooses the Store backend from a database URL.
#include "host/store/postgresql/pg_db.h"
#include "host/store/postgresql/pg_store.h"
#include "host/store/sqlite/sqlite_store.h"
#include "host/store/store.h"

namespace scribe::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options) {
  if (postgresql::IsPostgresUrl(url)) return postgresql::OpenPostgresStore(url, options);
  Result<std::string> path = sqlite::PathFromUrl(url);
  if (!path.ok()) return path.status();
  return sqlite::OpenSqliteStore(*path, options);
}

std::string DescribeDatabase(const std::string& url) {
  return postgresql::IsPostgresUrl(url) ? postgresql::RedactedUrl(url) : url;
}

Result<std::unique_ptr<StoreReader>> OpenStoreReader(const std::string& url,
                                                     const StoreOptions& options) {
  if (postgresql::IsPostgresUrl(url)) return postgresql::OpenPostgresReader(url, options);
  Result<std::string> path = sqlite::PathFromUrl(url);
  if (!path.ok()) return path.status();
  return sqlite::OpenSqliteReader(*path, options);
}

}  // namespace scribe::store
