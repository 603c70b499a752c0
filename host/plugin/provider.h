// A loaded provider plugin, seen from the host: its library, its table and
// its instance, behind C++ calls. Shared (shared_ptr) by the registry and by
// every job running on it, so the library is never unloaded while in use.
//
// Thread safety: Describe(), Validate() and Generate() may be called from
// any thread, concurrently, as the ABI allows.
#ifndef SCRIBE_HOST_PLUGIN_PROVIDER_H_
#define SCRIBE_HOST_PLUGIN_PROVIDER_H_

#include <boost/dll/shared_library.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "host/common/status.h"
#include "scribe/provider_abi.h"

namespace scribe::plugin {

// What the host does for one generation; implemented by the jobs layer.
// Called on the thread that runs Generate(). Implementations never throw.
class GenerationSink {
 public:
  virtual ~GenerationSink() = default;
  // False asks the plugin to stop (cancelled, or the text was refused).
  virtual bool Emit(std::string_view text) = 0;
  virtual bool Cancelled() = 0;
  virtual void Log(int32_t level, std::string_view message) = 0;
  virtual void SetError(int32_t error_class, std::string_view code, std::string_view message,
                        int64_t retry_after_ms) = 0;
  virtual void ReportUsage(int64_t input_tokens, int64_t output_tokens,
                           int64_t thinking_tokens) = 0;
  virtual void ReportModel(std::string_view model) = 0;
};

// The Scribe error code and retryability of a plugin error class.
struct ErrorClassInfo {
  const char* code;  // e.g. "provider_unavailable"
  bool retryable;
};
ErrorClassInfo DescribeErrorClass(int32_t error_class);

class Provider {
 public:
  Provider(boost::dll::shared_library library, const scribe_provider* table, void* instance,
           std::string path);
  ~Provider();  // shuts the instance down, then the library unloads
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& path() const { return path_; }
  uint32_t abi_minor() const { return table_->abi_minor; }

  // The plugin's self-description (a JSON object as text).
  std::string Describe() const;
  // OK, or InvalidArgument naming what is wrong with the request.
  Status Validate(std::string_view request_json) const;
  // Runs one generation; returns a scribe_generate_status.
  int32_t Generate(std::string_view request_json, std::string_view continuation, int attempt,
                   GenerationSink& sink) const;

 private:
  boost::dll::shared_library library_;  // declared first: destroyed last
  const scribe_provider* table_;
  void* instance_;
  std::string name_;
  std::string version_;
  std::string path_;
};

}  // namespace scribe::plugin

#endif  // SCRIBE_HOST_PLUGIN_PROVIDER_H_
