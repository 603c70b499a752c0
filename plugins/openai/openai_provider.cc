// The `openai` provider: any OpenAI-compatible Chat Completions server —
// OpenAI itself, vLLM, llama.cpp's server, Ollama's /v1 — streamed.
//
// Settings (host config file's plugin_config, then the environment):
//   OPENAI_BASE_URL                default https://api.openai.com (the
//                                  plugin posts to {base}/v1/chat/completions)
//   OPENAI_API_KEY                 optional (local servers need none); sent
//                                  as Authorization: Bearer
//   OPENAI_CA_FILE                 a CA bundle instead of the system store
//   OPENAI_DEFAULT_MODEL           default gpt-4o-mini
//   OPENAI_MODELS                  comma-separated ids offered in /api/providers
//   OPENAI_CONNECT_TIMEOUT_MS, OPENAI_FIRST_BYTE_TIMEOUT_MS, OPENAI_IDLE_TIMEOUT_MS
#include <Poco/Net/SSLManager.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "http_stream.h"
#include "openai_protocol.h"
#include "provider_support.h"
#include "script_prompts.h"
#include "scribe/provider_cpp.h"

namespace scribe::openai {
namespace {

using plugin_common::HttpStream;
using plugin_common::StreamEnd;

constexpr char kDefaultBaseUrl[] = "https://api.openai.com";
constexpr char kDefaultModel[] = "gpt-4o-mini";

class OpenAiProvider : public sdk::Provider {
 public:
  explicit OpenAiProvider(const sdk::Host& host)
      : host_(host), tls_(host.Config("OPENAI_CA_FILE").value_or("")) {
    Poco::Net::initializeSSL();
    std::string base = host.Config("OPENAI_BASE_URL").value_or(kDefaultBaseUrl);
    if (!plugin_common::ParseUrl(base, base_url_)) {
      throw std::runtime_error("OPENAI_BASE_URL '" + base + "' is not an http(s) URL");
    }
    // A base given with its /v1 is accepted too.
    if (base_url_.path.size() >= 3 &&
        base_url_.path.compare(base_url_.path.size() - 3, 3, "/v1") == 0) {
      base_url_.path.resize(base_url_.path.size() - 3);
    }
    default_model_ = host.Config("OPENAI_DEFAULT_MODEL").value_or(kDefaultModel);
    std::stringstream models(host.Config("OPENAI_MODELS").value_or(default_model_));
    for (std::string id; std::getline(models, id, ',');) {
      if (!id.empty()) models_.push_back(id);
    }
    timeouts_ = plugin_common::TimeoutSettings(host, "OPENAI");
  }
  ~OpenAiProvider() override { Poco::Net::uninitializeSSL(); }

  std::string Describe() override {
    nlohmann::json models = nlohmann::json::array();
    for (const std::string& id : models_) models.push_back({{"id", id}, {"label", id}});
    return nlohmann::json{
        {"description",
         "OpenAI-compatible chat completions, streamed: OpenAI, vLLM, llama.cpp server, Ollama "
         "/v1."},
        {"default_model", default_model_},
        {"default_prompt", plugin_common::kDefaultScriptPrompt},
        {"models", models},
        {"accepts_any_model", true},
        {"configured", true},  // a key is optional: local servers take none
        {"configuration_hint", ""},
    }
        .dump();
  }

  sdk::Verdict Validate(std::string_view request_json) override {
    ChatRequest request;
    std::string error = Parse(request_json, request);
    if (!error.empty()) return {SCRIBE_ERROR_BAD_REQUEST, error};
    return {};
  }

  int32_t Generate(sdk::Generation& generation) override {
    ChatRequest request;
    std::string error = Parse(generation.request_json(), request);
    if (!error.empty()) return generation.Fail(SCRIBE_ERROR_BAD_REQUEST, "bad_request", error);
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"},
                                                  {"Accept", "text/event-stream"}};
    if (auto key = host_.Config("OPENAI_API_KEY"); key && !key->empty()) {
      headers["Authorization"] = "Bearer " + *key;
    }
    HttpStream stream(base_url_, tls_.For(base_url_), timeouts_,
                      [&generation] { return generation.Cancelled(); });
    HttpStream::Outcome opened = stream.Open("POST", "/v1/chat/completions", headers,
                                             BuildRequestBody(request, generation.continuation()));
    if (opened != HttpStream::Outcome::kOk) {
      return plugin_common::FailTransport(generation, stream, opened, false,
                                          "the OpenAI-compatible server");
    }
    if (stream.status() != 200) {
      std::string body;
      stream.ReadAll(body);
      Failure f = ClassifyHttpError(stream.status(), body, stream.Header("retry-after"),
                                    stream.Header("retry-after-ms"));
      return generation.Fail(f.error_class, f.code, f.message, f.retry_after_ms);
    }

    bool done = false, stopped = false;
    std::string finish_reason;
    std::optional<Failure> failure;
    auto on_event = [&](const plugin_common::SseEvent& event) {
      for (const auto& [name, value] : event.other) {
        if (name == "error") {  // llama.cpp's non-standard error line
          nlohmann::json parsed = nlohmann::json::parse(value, nullptr, false);
          failure =
              ClassifyStreamError(parsed.is_object() ? parsed : nlohmann::json{{"message", value}});
          return false;
        }
      }
      if (!event.has_data) return true;
      Delta delta = InterpretData(event.data);
      if (delta.done) {
        done = true;
        return false;
      }
      if (delta.error) {
        failure = delta.error;
        return false;
      }
      if (!delta.model.empty()) generation.ReportModel(delta.model);
      if (delta.has_usage) {
        generation.ReportUsage(delta.prompt_tokens, delta.completion_tokens,
                               delta.reasoning_tokens);
      }
      if (!delta.text.empty() && !generation.Emit(delta.text)) {
        stopped = true;
        return false;
      }
      if (!delta.finish_reason.empty()) finish_reason = delta.finish_reason;
      return true;
    };
    HttpStream::Outcome read;
    switch (plugin_common::ReadEvents(stream, on_event, read)) {
      case StreamEnd::kEnded:
        return generation.Fail(SCRIBE_ERROR_TRUNCATED, "missing_done",
                               "the stream ended before data: [DONE]");
      case StreamEnd::kTransport:
        return plugin_common::FailTransport(generation, stream, read, true,
                                            "the OpenAI-compatible server");
      case StreamEnd::kOversized:
        return generation.Fail(SCRIBE_ERROR_UNAVAILABLE, "event_too_large",
                               "a stream event exceeded the plugin's size limit");
      case StreamEnd::kStopped:
        break;
    }
    if (stopped) return SCRIBE_GENERATE_CANCELLED;
    if (failure)
      return generation.Fail(failure->error_class, failure->code, failure->message,
                             failure->retry_after_ms);
    if (finish_reason == "length") {
      return generation.Fail(SCRIBE_ERROR_INCOMPLETE, "length",
                             "the model reached its output token limit (finish_reason length)");
    }
    if (finish_reason == "content_filter") {
      return generation.Fail(SCRIBE_ERROR_BLOCKED, "content_filter",
                             "the provider's content filter stopped the answer");
    }
    if (done && !finish_reason.empty() && finish_reason != "stop") {
      return generation.Fail(SCRIBE_ERROR_BAD_REQUEST, finish_reason,
                             "the model stopped with finish_reason " + finish_reason);
    }
    return SCRIBE_GENERATE_DONE;
  }

 private:
  std::string Parse(std::string_view request_json, ChatRequest& out) const {
    nlohmann::json request = nlohmann::json::parse(request_json, nullptr, false);
    if (!request.is_object()) return "request is not a JSON object";
    out.model = request.value("model", "");
    if (out.model.empty()) out.model = default_model_;
    if (!plugin_common::ValidModelId(out.model)) return "'" + out.model + "' is not a model id";
    out.prompt = request.value("prompt", "");
    if (request.contains("document") && request["document"].is_object()) {
      out.title = request["document"].value("title", "");
      out.document = request["document"].value("content", "");
    }
    if (request.contains("temperature") && request["temperature"].is_number()) {
      out.temperature = request["temperature"].get<double>();
    }
    if (request.contains("max_output_tokens") && request["max_output_tokens"].is_number_integer()) {
      out.max_tokens = request["max_output_tokens"].get<int64_t>();
    }
    return "";
  }

  sdk::Host host_;
  plugin_common::TlsContexts tls_;
  plugin_common::Url base_url_;
  std::string default_model_;
  std::vector<std::string> models_;
  plugin_common::Timeouts timeouts_;
};

}  // namespace
}  // namespace scribe::openai

SCRIBE_EXPORT_PROVIDER(scribe::openai::OpenAiProvider, "openai", "1.0.0")
