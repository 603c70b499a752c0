// The `gemini` provider: Google's Gemini API, streamed over HTTPS.
//
// Settings (host config file's plugin_config, then the environment):
//   GOOGLE_API_KEY                 required; sent as x-goog-api-key
//   GEMINI_BASE_URL                default https://generativelanguage.googleapis.com
//   GEMINI_CA_FILE                 a CA bundle instead of the system store
//   GEMINI_DEFAULT_MODEL           default gemini-2.5-flash
//   GEMINI_MODELS                  comma-separated ids offered in /api/providers
//   GEMINI_MODEL_ALIASES           JSON object: friendly name -> API model id
//   GEMINI_CONNECT_TIMEOUT_MS      default 10000
//   GEMINI_FIRST_BYTE_TIMEOUT_MS   default 180000 (thinking models are silent)
//   GEMINI_IDLE_TIMEOUT_MS         default 60000 between chunks
// Job params: thinking_budget (integer, -1 = automatic).
#include <Poco/Net/SSLManager.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gemini_protocol.h"
#include "http_stream.h"
#include "provider_support.h"
#include "scribe/provider_cpp.h"
#include "sse_parser.h"

namespace scribe::gemini {
namespace {

using plugin_common::HttpStream;
using plugin_common::StreamEnd;

constexpr char kDefaultBaseUrl[] = "https://generativelanguage.googleapis.com";
constexpr char kDefaultModel[] = "gemini-2.5-flash";
constexpr char kDefaultModels[] = "gemini-2.5-flash,gemini-2.5-pro,gemini-2.5-flash-lite";

struct Job {
  std::string model;
  GenerationRequest request;
};

class GeminiProvider : public sdk::Provider {
 public:
  explicit GeminiProvider(const sdk::Host& host)
      : host_(host), tls_(host.Config("GEMINI_CA_FILE").value_or("")) {
    Poco::Net::initializeSSL();
    std::string base = host.Config("GEMINI_BASE_URL").value_or(kDefaultBaseUrl);
    if (!plugin_common::ParseUrl(base, base_url_)) {
      throw std::runtime_error("GEMINI_BASE_URL '" + base + "' is not an http(s) URL");
    }
    default_model_ = host.Config("GEMINI_DEFAULT_MODEL").value_or(kDefaultModel);
    std::stringstream models(host.Config("GEMINI_MODELS").value_or(kDefaultModels));
    for (std::string id; std::getline(models, id, ',');) {
      if (!id.empty()) models_.push_back(id);
    }
    if (auto aliases = host.Config("GEMINI_MODEL_ALIASES")) {
      nlohmann::json parsed = nlohmann::json::parse(*aliases, nullptr, false);
      if (!parsed.is_object())
        throw std::runtime_error("GEMINI_MODEL_ALIASES is not a JSON object");
      for (const auto& [alias, id] : parsed.items()) {
        if (!id.is_string())
          throw std::runtime_error("GEMINI_MODEL_ALIASES values must be strings");
        aliases_[alias] = id.get<std::string>();
      }
    }
    timeouts_ = plugin_common::TimeoutSettings(host, "GEMINI");
  }
  ~GeminiProvider() override { Poco::Net::uninitializeSSL(); }

  std::string Describe() override {
    nlohmann::json models = nlohmann::json::array();
    for (const std::string& id : models_) models.push_back({{"id", id}, {"label", id}});
    for (const auto& [alias, id] : aliases_)
      models.push_back({{"id", alias}, {"label", alias + " (" + id + ")"}});
    bool configured = host_.Config("GOOGLE_API_KEY").has_value();
    return nlohmann::json{
        {"description", "Google Gemini API, streamed (streamGenerateContent, SSE)."},
        {"default_model", default_model_},
        {"default_prompt", kDefaultScriptPrompt},
        {"models", models},
        {"accepts_any_model", true},
        {"configured", configured},
        {"configuration_hint", configured ? "" : "set GOOGLE_API_KEY"},
    }
        .dump();
  }

  sdk::Verdict Validate(std::string_view request_json) override {
    Job job;
    std::string error = Parse(request_json, job);
    if (!error.empty()) return {SCRIBE_ERROR_BAD_REQUEST, error};
    return {};
  }

  int32_t Generate(sdk::Generation& generation) override {
    std::optional<std::string> key = host_.Config("GOOGLE_API_KEY");
    if (!key || key->empty()) {
      return generation.Fail(SCRIBE_ERROR_NOT_CONFIGURED, "missing_api_key",
                             "the gemini provider needs an API key: set GOOGLE_API_KEY in the "
                             "environment or in the host config's plugin_config");
    }
    Job job;
    std::string error = Parse(generation.request_json(), job);
    if (!error.empty()) return generation.Fail(SCRIBE_ERROR_BAD_REQUEST, "bad_request", error);

    HttpStream stream(base_url_, tls_.For(base_url_), timeouts_,
                      [&generation] { return generation.Cancelled(); });
    HttpStream::Outcome opened =
        stream.Open("POST", "/v1beta/models/" + job.model + ":streamGenerateContent?alt=sse",
                    {{"Content-Type", "application/json"},
                     {"Accept", "text/event-stream"},
                     {"x-goog-api-key", *key}},
                    BuildRequestBody(job.request, generation.continuation()));
    if (opened != HttpStream::Outcome::kOk) {
      return plugin_common::FailTransport(generation, stream, opened, false, "Gemini");
    }
    if (stream.status() != 200) {
      std::string body;
      stream.ReadAll(body);
      Failure failure = ClassifyHttpError(stream.status(), body);
      return generation.Fail(failure.error_class, failure.code, failure.message,
                             failure.retry_after_ms);
    }

    std::string finish_reason, finish_message;
    std::optional<Failure> failure;
    bool stopped = false;
    auto on_event = [&](const plugin_common::SseEvent& event) {
      if (!event.has_data) return true;
      nlohmann::json data = nlohmann::json::parse(event.data, nullptr, false);
      Chunk chunk = InterpretChunk(data);
      if (!chunk.model_version.empty()) generation.ReportModel(chunk.model_version);
      if (chunk.has_usage) {
        generation.ReportUsage(chunk.prompt_tokens, chunk.output_tokens, chunk.thinking_tokens);
      }
      if (chunk.error) {
        failure = chunk.error;
        return false;
      }
      if (!chunk.block_reason.empty()) {
        failure = Failure{
            SCRIBE_ERROR_BLOCKED, chunk.block_reason,
            "the prompt was blocked (promptFeedback.blockReason " + chunk.block_reason + ")", -1};
        return false;
      }
      if (!chunk.text.empty() && !generation.Emit(chunk.text)) {
        stopped = true;
        return false;
      }
      if (!chunk.finish_reason.empty()) {
        finish_reason = chunk.finish_reason;
        finish_message = chunk.finish_message;
      }
      return true;
    };
    HttpStream::Outcome read;
    switch (plugin_common::ReadEvents(stream, on_event, read)) {
      case StreamEnd::kEnded:
        break;
      case StreamEnd::kTransport:
        if (!finish_reason.empty()) break;  // the answer was complete
        return plugin_common::FailTransport(generation, stream, read, true, "Gemini");
      case StreamEnd::kStopped:
        if (stopped) return SCRIBE_GENERATE_CANCELLED;
        return generation.Fail(failure->error_class, failure->code, failure->message,
                               failure->retry_after_ms);
      case StreamEnd::kOversized:
        return generation.Fail(SCRIBE_ERROR_UNAVAILABLE, "event_too_large",
                               "a stream event exceeded the plugin's size limit");
    }
    if (finish_reason.empty()) {
      return generation.Fail(SCRIBE_ERROR_TRUNCATED, "missing_finish_reason",
                             "the Gemini stream ended without a finishReason");
    }
    if (finish_reason != "STOP") {
      Failure f = ClassifyFinishReason(finish_reason, finish_message);
      return generation.Fail(f.error_class, f.code, f.message);
    }
    return SCRIBE_GENERATE_DONE;
  }

 private:
  // Reads the job; returns an error message, empty when valid.
  std::string Parse(std::string_view request_json, Job& job) const {
    nlohmann::json request = nlohmann::json::parse(request_json, nullptr, false);
    if (!request.is_object()) return "request is not a JSON object";
    std::string model = request.value("model", "");
    if (model.empty()) model = default_model_;
    if (auto alias = aliases_.find(model); alias != aliases_.end()) model = alias->second;
    if (model.rfind("models/", 0) == 0) model = model.substr(7);
    if (!plugin_common::ValidModelId(model) || model.find('/') != std::string::npos ||
        model.find(':') != std::string::npos) {
      return "'" + model + "' is not a Gemini model id";
    }
    job.model = model;
    job.request.prompt = request.value("prompt", "");
    if (request.contains("document") && request["document"].is_object()) {
      job.request.title = request["document"].value("title", "");
      job.request.document = request["document"].value("content", "");
    }
    if (request.contains("temperature") && request["temperature"].is_number()) {
      job.request.temperature = request["temperature"].get<double>();
    }
    if (request.contains("max_output_tokens") && request["max_output_tokens"].is_number_integer()) {
      job.request.max_output_tokens = request["max_output_tokens"].get<int64_t>();
    }
    const nlohmann::json& params =
        request.contains("params") ? request["params"] : nlohmann::json();
    if (params.is_object() && params.contains("thinking_budget")) {
      if (!params["thinking_budget"].is_number_integer() ||
          params["thinking_budget"].get<int64_t>() < -1) {
        return "params.thinking_budget must be an integer (-1 = automatic, 0 = off)";
      }
      job.request.thinking_budget = params["thinking_budget"].get<int64_t>();
    }
    return "";
  }

  sdk::Host host_;
  plugin_common::TlsContexts tls_;
  plugin_common::Url base_url_;
  std::string default_model_;
  std::vector<std::string> models_;
  std::map<std::string, std::string> aliases_;
  plugin_common::Timeouts timeouts_;
};

}  // namespace
}  // namespace scribe::gemini

SCRIBE_EXPORT_PROVIDER(scribe::gemini::GeminiProvider, "gemini", "1.0.0")
