#include "host/plugin/registry.h"

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <boost/filesystem.hpp>
#include <cstddef>

#include "host/common/log.h"
#include "host/plugin/secrets.h"

namespace scribe::plugin {
namespace {

constexpr char kComponent[] = "plugins";

// The size of the table a 1.0 plugin must provide: everything up to and
// including generate().
constexpr size_t kMinimumTableSize = offsetof(scribe_provider, generate) + sizeof(void*);

bool ValidName(const char* name) {
  if (name == nullptr) return false;
  std::string_view n(name);
  if (n.empty() || n.size() > 32) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

Status Refuse(const std::string& why) { return InvalidArgument("plugin_refused", why); }

}  // namespace

Registry::Registry(ConfigLookup config) : config_(std::move(config)) {
  host_.struct_size = sizeof host_;
  host_.ctx = this;
  host_.log = &Registry::HostLog;
  host_.get_config = &Registry::HostGetConfig;
}

Registry::~Registry() = default;

void Registry::HostLog(void* /*ctx*/, int32_t level, const char* message, size_t len) {
  try {
    LogLevel l = level <= SCRIBE_LOG_DEBUG     ? LogLevel::kDebug
                 : level == SCRIBE_LOG_INFO    ? LogLevel::kInfo
                 : level == SCRIBE_LOG_WARNING ? LogLevel::kWarning
                                               : LogLevel::kError;
    Log(l, kComponent, Redact(std::string_view(message, message ? len : 0)));
  } catch (...) {
  }
}

int32_t Registry::HostGetConfig(void* ctx, const char* key, size_t key_len, scribe_sink out) {
  try {
    auto* self = static_cast<Registry*>(ctx);
    if (!self->config_ || key == nullptr) return 0;
    std::string name(key, key_len);
    std::optional<std::string> value = self->config_(name);
    if (!value) return 0;
    if (IsSecretSetting(name)) RememberSecret(*value);
    out.write(out.ctx, value->data(), value->size());
    return 1;
  } catch (...) {
    return 0;
  }
}

Status Registry::LoadDirectory(const std::string& directory) {
  namespace fs = boost::filesystem;
  boost::system::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    return InvalidArgument("plugin_directory", "plugin directory '" + directory +
                                                   "' does not exist or is not a directory");
  }
  std::vector<std::string> files;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".so" && fs::is_regular_file(it->path(), ec)) {
      files.push_back(it->path().string());
    }
  }
  if (ec) {
    return InvalidArgument("plugin_directory",
                           "cannot read plugin directory '" + directory + "': " + ec.message());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    Status status = LoadFile(file);
    if (!status.ok()) {
      refused_.push_back(Refusal{file, status.message()});
      Log(LogLevel::kError, kComponent, "refused " + file + ": " + status.message());
    }
  }
  return Status::Ok();
}

Status Registry::LoadFile(const std::string& path) {
  boost::dll::shared_library library;
  try {
    library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return Refuse(std::string("cannot load the library: ") + e.what());
  }
  if (!library.has(SCRIBE_PROVIDER_ENTRY_SYMBOL)) {
    return Refuse("it does not export " SCRIBE_PROVIDER_ENTRY_SYMBOL
                  "; it is not a Scribe provider");
  }
  const scribe_provider* table = nullptr;
  try {
    table = library.get<const scribe_provider*()>(SCRIBE_PROVIDER_ENTRY_SYMBOL)();
  } catch (...) {
    return Refuse("its entry function failed");
  }
  if (table == nullptr) return Refuse("its entry function returned no table");
  // Only the three version fields may be read before they are checked.
  if (table->abi_major != SCRIBE_PROVIDER_ABI_MAJOR) {
    return Refuse("it was built for provider ABI " + std::to_string(table->abi_major) + "." +
                  std::to_string(table->abi_minor) + " but this host speaks ABI " +
                  std::to_string(SCRIBE_PROVIDER_ABI_MAJOR) + "." +
                  std::to_string(SCRIBE_PROVIDER_ABI_MINOR) + " (the major versions differ)");
  }
  if (table->abi_minor > SCRIBE_PROVIDER_ABI_MINOR) {
    return Refuse("it needs provider ABI " + std::to_string(table->abi_major) + "." +
                  std::to_string(table->abi_minor) + ", newer than this host's " +
                  std::to_string(SCRIBE_PROVIDER_ABI_MAJOR) + "." +
                  std::to_string(SCRIBE_PROVIDER_ABI_MINOR) + "; upgrade Scribe");
  }
  if (table->struct_size < kMinimumTableSize) {
    return Refuse("its provider table is " + std::to_string(table->struct_size) +
                  " bytes, smaller than ABI 1.0 requires");
  }
  if (!ValidName(table->name)) {
    return Refuse("its name is not 1-32 characters of [a-z0-9_-]");
  }
  if (!table->init || !table->shutdown || !table->describe || !table->validate ||
      !table->generate) {
    return Refuse("its provider table has empty function slots");
  }
  std::string name = table->name;
  if (providers_.count(name) > 0) {
    return Refuse("a provider named '" + name + "' is already loaded from " +
                  providers_[name]->path());
  }
  void* instance = nullptr;
  int32_t rc = table->init(&host_, &instance);
  if (rc != 0) return Refuse("its init() failed with code " + std::to_string(rc));
  auto provider = std::make_shared<const Provider>(std::move(library), table, instance, path);
  Log(LogLevel::kInfo, kComponent,
      "loaded provider '" + name + "' " + provider->version() + " from " + path);
  providers_.emplace(name, std::move(provider));
  return Status::Ok();
}

std::shared_ptr<const Provider> Registry::Find(const std::string& name) const {
  auto it = providers_.find(name);
  return it == providers_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Provider>> Registry::All() const {
  std::vector<std::shared_ptr<const Provider>> all;
  for (const auto& [name, provider] : providers_) all.push_back(provider);
  return all;
}

}  // namespace scribe::plugin
