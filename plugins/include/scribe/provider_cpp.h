// provider_cpp.h — write a Scribe provider plugin as a C++ class.
//
// Header-only. It turns a class derived from scribe::sdk::Provider into the C
// table of provider_abi.h and catches every exception at the edge, so no
// exception ever crosses into the host. Usage, in exactly one .cc file:
//
//   class Mine : public scribe::sdk::Provider {
//    public:
//     explicit Mine(const scribe::sdk::Host& host);
//     std::string Describe() override;
//     scribe::sdk::Verdict Validate(std::string_view request_json) override;
//     int32_t Generate(scribe::sdk::Generation& generation) override;
//   };
//   SCRIBE_EXPORT_PROVIDER(Mine, "mine", "1.0.0")
//
// The constructor may throw to refuse loading; the message is logged.
#ifndef SCRIBE_PROVIDER_CPP_H_
#define SCRIBE_PROVIDER_CPP_H_

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "scribe/provider_abi.h"

namespace scribe::sdk {

inline scribe_sink StringSink(std::string* target) {
  return scribe_sink{target, [](void* ctx, const char* data, size_t len) {
                       static_cast<std::string*>(ctx)->append(data, len);
                     }};
}

// The host's process-wide services.
class Host {
 public:
  explicit Host(const scribe_host* host) : host_(host) {}
  void Log(scribe_log_level level, std::string_view message) const {
    host_->log(host_->ctx, level, message.data(), message.size());
  }
  std::optional<std::string> Config(std::string_view key) const {
    std::string value;
    if (host_->get_config(host_->ctx, key.data(), key.size(), StringSink(&value)) == 0) {
      return std::nullopt;
    }
    return value;
  }

 private:
  const scribe_host* host_;
};

// One generation's request and callbacks.
class Generation {
 public:
  explicit Generation(const scribe_generation* g) : g_(g) {}
  std::string_view request_json() const { return {g_->request_json, g_->request_json_len}; }
  std::string_view continuation() const { return {g_->continuation, g_->continuation_len}; }
  uint32_t attempt() const { return g_->attempt; }
  // False when the host asks the plugin to stop.
  bool Emit(std::string_view text) const {
    return g_->emit(g_->ctx, text.data(), text.size()) == SCRIBE_EMIT_CONTINUE;
  }
  bool Cancelled() const { return g_->is_cancelled(g_->ctx) != 0; }
  void Log(scribe_log_level level, std::string_view message) const {
    g_->log(g_->ctx, level, message.data(), message.size());
  }
  // Records the failure and returns SCRIBE_GENERATE_FAILED, for
  // `return generation.Fail(...)`.
  int32_t Fail(scribe_error_class error_class, std::string_view code, std::string_view message,
               int64_t retry_after_ms = -1) const {
    g_->set_error(g_->ctx, error_class, code.data(), code.size(), message.data(), message.size(),
                  retry_after_ms);
    return SCRIBE_GENERATE_FAILED;
  }
  void ReportUsage(int64_t input_tokens, int64_t output_tokens, int64_t thinking_tokens) const {
    g_->report_usage(g_->ctx, input_tokens, output_tokens, thinking_tokens);
  }
  void ReportModel(std::string_view model) const {
    g_->report_model(g_->ctx, model.data(), model.size());
  }

 private:
  const scribe_generation* g_;
};

struct Verdict {
  scribe_error_class error_class = SCRIBE_ERROR_NONE;
  std::string message;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string Describe() = 0;
  virtual Verdict Validate(std::string_view request_json) = 0;
  virtual int32_t Generate(Generation& generation) = 0;
};

// The C functions of the table, for one Provider class.
template <typename T>
struct Adapter {
  static int32_t Init(const scribe_host* host, void** instance) {
    try {
      *instance = new T(Host(host));  // released by Shutdown()
      return 0;
    } catch (const std::exception& e) {
      Host(host).Log(SCRIBE_LOG_ERROR, e.what());
    } catch (...) {
      Host(host).Log(SCRIBE_LOG_ERROR, "plugin constructor threw");
    }
    return 1;
  }
  static void Shutdown(void* instance) { delete static_cast<T*>(instance); }
  static void Describe(void* instance, scribe_sink out) {
    try {
      std::string json = static_cast<T*>(instance)->Describe();
      out.write(out.ctx, json.data(), json.size());
    } catch (...) {
      static constexpr char kEmpty[] = "{}";
      out.write(out.ctx, kEmpty, 2);
    }
  }
  static int32_t Validate(void* instance, const char* json, size_t len, scribe_sink message) {
    try {
      Verdict verdict = static_cast<T*>(instance)->Validate(std::string_view(json, len));
      message.write(message.ctx, verdict.message.data(), verdict.message.size());
      return verdict.error_class;
    } catch (const std::exception& e) {
      std::string_view what = e.what();
      message.write(message.ctx, what.data(), what.size());
    }
    return SCRIBE_ERROR_INTERNAL;
  }
  static int32_t Generate(void* instance, const scribe_generation* g) {
    Generation generation(g);
    try {
      return static_cast<T*>(instance)->Generate(generation);
    } catch (const std::exception& e) {
      return generation.Fail(SCRIBE_ERROR_INTERNAL, "exception", e.what());
    } catch (...) {
      return generation.Fail(SCRIBE_ERROR_INTERNAL, "exception", "plugin threw");
    }
  }
};

}  // namespace scribe::sdk

#define SCRIBE_EXPORT_PROVIDER(Class, kName, kVersion)                                            \
  extern "C" __attribute__((visibility("default"))) const scribe_provider* scribe_provider_entry( \
      void) {                                                                                     \
    static const scribe_provider entry = {                                                        \
        SCRIBE_PROVIDER_ABI_MAJOR,                                                                \
        SCRIBE_PROVIDER_ABI_MINOR,                                                                \
        sizeof(scribe_provider),                                                                  \
        0,                                                                                        \
        kName,                                                                                    \
        kVersion,                                                                                 \
        &::scribe::sdk::Adapter<Class>::Init,                                                     \
        &::scribe::sdk::Adapter<Class>::Shutdown,                                                 \
        &::scribe::sdk::Adapter<Class>::Describe,                                                 \
        &::scribe::sdk::Adapter<Class>::Validate,                                                 \
        &::scribe::sdk::Adapter<Class>::Generate,                                                 \
    };                                                                                            \
    return &entry;                                                                                \
  }

#endif  // SCRIBE_PROVIDER_CPP_H_
