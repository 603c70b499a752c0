// Chooses the Store backend from a database URL.
#include "host/store/sqlite/sqlite_store.h"
#include "host/store/store.h"

namespace scribe::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options) {
  std::string path = url;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.empty() || path.find("://") != std::string::npos) {
    return InvalidArgument("unsupported_database",
                           "unsupported database '" + url + "' (use a file path or sqlite:PATH)");
  }
  Result<std::unique_ptr<sqlite::SqliteStore>> store = sqlite::SqliteStore::Open(path, options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace scribe::store
