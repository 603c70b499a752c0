#include "host/plugin/provider.h"

#include "host/common/utf8.h"
#include "host/plugin/secrets.h"

namespace scribe::plugin {
namespace {

void AppendToString(void* ctx, const char* data, size_t len) {
  if (data != nullptr && len > 0) static_cast<std::string*>(ctx)->append(data, len);
}

scribe_sink SinkFor(std::string* target) { return scribe_sink{target, &AppendToString}; }

std::string_view View(const char* data, size_t len) {
  return data == nullptr ? std::string_view() : std::string_view(data, len);
}

// Text from a plugin is shown to people: keep it valid UTF-8, and free of
// any secret the plugin was given.
std::string Sanitize(std::string_view text) {
  std::string out = Redact(text.substr(0, utf8::ValidPrefixLength(text)));
  if (utf8::ValidPrefixLength(text) < text.size()) out += "…";
  return out;
}

// The generation callbacks, as C functions over a GenerationSink. No
// exception may leave them.
struct Trampolines {
  static GenerationSink& Sink(void* ctx) { return *static_cast<GenerationSink*>(ctx); }
  static int32_t Emit(void* ctx, const char* text, size_t len) {
    try {
      return Sink(ctx).Emit(View(text, len)) ? SCRIBE_EMIT_CONTINUE : SCRIBE_EMIT_STOP;
    } catch (...) {
      return SCRIBE_EMIT_STOP;
    }
  }
  static int32_t IsCancelled(void* ctx) {
    try {
      return Sink(ctx).Cancelled() ? 1 : 0;
    } catch (...) {
      return 1;
    }
  }
  static void Log(void* ctx, int32_t level, const char* message, size_t len) {
    try {
      Sink(ctx).Log(level, Sanitize(View(message, len)));
    } catch (...) {
    }
  }
  static void SetError(void* ctx, int32_t error_class, const char* code, size_t code_len,
                       const char* message, size_t message_len, int64_t retry_after_ms) {
    try {
      Sink(ctx).SetError(error_class, Sanitize(View(code, code_len)),
                         Sanitize(View(message, message_len)), retry_after_ms);
    } catch (...) {
    }
  }
  static void ReportUsage(void* ctx, int64_t input, int64_t output, int64_t thinking) {
    try {
      Sink(ctx).ReportUsage(input, output, thinking);
    } catch (...) {
    }
  }
  static void ReportModel(void* ctx, const char* model, size_t len) {
    try {
      Sink(ctx).ReportModel(Sanitize(View(model, len)));
    } catch (...) {
    }
  }
};

}  // namespace

ErrorClassInfo DescribeErrorClass(int32_t error_class) {
  switch (error_class) {
    case SCRIBE_ERROR_NOT_CONFIGURED:
      return {"provider_not_configured", false};
    case SCRIBE_ERROR_AUTH:
      return {"provider_auth_failed", false};
    case SCRIBE_ERROR_BAD_REQUEST:
      return {"provider_bad_request", false};
    case SCRIBE_ERROR_MODEL_NOT_FOUND:
      return {"model_not_found", false};
    case SCRIBE_ERROR_RATE_LIMITED:
      return {"provider_rate_limited", true};
    case SCRIBE_ERROR_QUOTA:
      return {"provider_quota_exhausted", false};
    case SCRIBE_ERROR_UNAVAILABLE:
      return {"provider_unavailable", true};
    case SCRIBE_ERROR_TIMEOUT:
      return {"provider_timeout", true};
    case SCRIBE_ERROR_TRUNCATED:
      return {"provider_truncated", true};
    case SCRIBE_ERROR_BLOCKED:
      return {"content_blocked", false};
    case SCRIBE_ERROR_INCOMPLETE:
      return {"output_limit_reached", false};
    default:
      return {"plugin_error", false};
  }
}

Provider::Provider(boost::dll::shared_library library, const scribe_provider* table, void* instance,
                   std::string path)
    : library_(std::move(library)),
      table_(table),
      instance_(instance),
      name_(table->name),
      version_(table->version ? table->version : ""),
      path_(std::move(path)) {}

Provider::~Provider() { table_->shutdown(instance_); }

std::string Provider::Describe() const {
  std::string json;
  table_->describe(instance_, SinkFor(&json));
  return json;
}

Status Provider::Validate(std::string_view request_json) const {
  std::string message;
  int32_t error_class =
      table_->validate(instance_, request_json.data(), request_json.size(), SinkFor(&message));
  if (error_class == SCRIBE_ERROR_NONE) return Status::Ok();
  message = Sanitize(message);
  if (message.empty()) message = "the " + name_ + " provider refused the request";
  if (error_class == SCRIBE_ERROR_MODEL_NOT_FOUND) return InvalidArgument("unknown_model", message);
  return InvalidArgument("invalid_request", message);
}

int32_t Provider::Generate(std::string_view request_json, std::string_view continuation,
                           int attempt, GenerationSink& sink) const {
  scribe_generation generation{};
  generation.struct_size = sizeof generation;
  generation.attempt = static_cast<uint32_t>(attempt);
  generation.ctx = &sink;
  generation.request_json = request_json.data();
  generation.request_json_len = request_json.size();
  generation.continuation = continuation.data();
  generation.continuation_len = continuation.size();
  generation.emit = &Trampolines::Emit;
  generation.is_cancelled = &Trampolines::IsCancelled;
  generation.log = &Trampolines::Log;
  generation.set_error = &Trampolines::SetError;
  generation.report_usage = &Trampolines::ReportUsage;
  generation.report_model = &Trampolines::ReportModel;
  return table_->generate(instance_, &generation);
}

}  // namespace scribe::plugin
