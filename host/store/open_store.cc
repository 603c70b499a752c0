// Chooses the Store backend from a database URL.
#include "host/store/sqlite/sqlite_store.h"
#include "host/store/store.h"

namespace scribe::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options) {
  Result<std::string> path = sqlite::PathFromUrl(url);
  if (!path.ok()) return path.status();
  Result<std::unique_ptr<sqlite::SqliteStore>> store = sqlite::SqliteStore::Open(*path, options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

Result<std::unique_ptr<StoreReader>> OpenStoreReader(const std::string& url,
                                                     const StoreOptions& options) {
  Result<std::string> path = sqlite::PathFromUrl(url);
  if (!path.ok()) return path.status();
  return sqlite::SqliteStore::OpenReader(*path, options);
}

}  // namespace scribe::store
