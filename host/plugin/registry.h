// The provider registry: loads every plugin of a directory at start-up with
// Boost.DLL, checks each one's ABI version before calling anything in it,
// and refuses a bad plugin with one clear log line while the host keeps
// running. Plugins stay loaded until the registry and every job holding one
// are gone.
//
// Thread safety: Load*() on the start-up thread; everything else from any
// thread once loading is done.
#ifndef SCRIBE_HOST_PLUGIN_REGISTRY_H_
#define SCRIBE_HOST_PLUGIN_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/plugin/provider.h"
#include "scribe/provider_abi.h"

namespace scribe::plugin {

// Looks a setting up for plugins (config file, then environment).
using ConfigLookup = std::function<std::optional<std::string>(const std::string& key)>;

class Registry {
 public:
  explicit Registry(ConfigLookup config);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Loads every *.so file of `directory`, in name order. A missing or
  // unreadable directory is an error; a bad plugin is only refused.
  Status LoadDirectory(const std::string& directory);
  // Loads one plugin file; the Status says why it was refused.
  Status LoadFile(const std::string& path);

  std::shared_ptr<const Provider> Find(const std::string& name) const;
  std::vector<std::shared_ptr<const Provider>> All() const;  // by name

  struct Refusal {
    std::string path;
    std::string reason;
  };
  const std::vector<Refusal>& refused() const { return refused_; }

 private:
  static void HostLog(void* ctx, int32_t level, const char* message, size_t len);
  static int32_t HostGetConfig(void* ctx, const char* key, size_t key_len, scribe_sink out);

  ConfigLookup config_;
  scribe_host host_{};  // handed to every plugin's init(); outlives them
  std::map<std::string, std::shared_ptr<const Provider>> providers_;
  std::vector<Refusal> refused_;
};

}  // namespace scribe::plugin

#endif  // SCRIBE_HOST_PLUGIN_REGISTRY_H_
