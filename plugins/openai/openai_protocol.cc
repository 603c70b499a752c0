#include "openai_protocol.h"

#include <cmath>

#include "script_prompts.h"

namespace scribe::openai {
namespace {

using plugin_common::kContinuePrompt;
using plugin_common::kDefaultScriptPrompt;

std::string Text(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return "";
  const nlohmann::json& value = object[key];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  return "";
}

int64_t ParseRetryAfter(const std::string& seconds, const std::string& millis) {
  try {
    if (!millis.empty()) return plugin_common::SecondsToMillis(std::stod(millis) / 1000);
    if (!seconds.empty()) return plugin_common::SecondsToMillis(std::stod(seconds));
  } catch (...) {
  }
  return -1;
}

}  // namespace

std::string BuildRequestBody(const ChatRequest& request, std::string_view continuation) {
  std::string document = request.document;
  if (!request.title.empty()) document = "Title: " + request.title + "\n\n" + document;
  nlohmann::json messages = nlohmann::json::array({
      {{"role", "system"},
       {"content", request.prompt.empty() ? kDefaultScriptPrompt : request.prompt}},
      {{"role", "user"}, {"content", document}},
  });
  if (!continuation.empty()) {
    messages.push_back({{"role", "assistant"}, {"content", std::string(continuation)}});
    messages.push_back({{"role", "user"}, {"content", kContinuePrompt}});
  }
  nlohmann::json body = {
      {"model", request.model},
      {"messages", messages},
      {"stream", true},
      {"stream_options", {{"include_usage", true}}},
      {"temperature", request.temperature.value_or(0.7)},
  };
  if (request.max_tokens) body["max_tokens"] = *request.max_tokens;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Failure ClassifyHttpError(int status, const std::string& body, const std::string& retry_after,
                          const std::string& retry_after_ms) {
  Failure failure;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  nlohmann::json error = parsed.is_object() && parsed.contains("error") ? parsed["error"] : parsed;
  if (error.is_string()) {  // Ollama: {"error": "model 'x' not found"}
    failure.message = error.get<std::string>();
  } else {
    failure.message = Text(error, "message");
    failure.code = Text(error, "code");
    if (failure.code.empty()) failure.code = Text(error, "type");
  }
  if (failure.code.empty()) failure.code = std::to_string(status);
  if (failure.message.empty()) {
    failure.message = "the provider answered HTTP " + std::to_string(status) +
                      (body.empty() ? "" : ": " + body.substr(0, 200));
  }
  failure.error_class = plugin_common::ClassForHttpStatus(status);
  if (status == 429) {
    if (failure.code == "insufficient_quota") failure.error_class = SCRIBE_ERROR_QUOTA;
    failure.retry_after_ms = ParseRetryAfter(retry_after, retry_after_ms);
  }
  return failure;
}

Failure ClassifyStreamError(const nlohmann::json& error) {
  int status = 500;
  if (error.is_object() && error.contains("code") && error["code"].is_number_integer()) {
    status = error["code"].get<int>();
  }
  return ClassifyHttpError(status, nlohmann::json{{"error", error}}.dump(), "", "");
}

Delta InterpretData(const std::string& data) {
  Delta delta;
  if (data.rfind("[DONE]", 0) == 0) {
    delta.done = true;
    return delta;
  }
  nlohmann::json chunk = nlohmann::json::parse(data, nullptr, false);
  if (!chunk.is_object()) {
    delta.error =
        Failure{SCRIBE_ERROR_UNAVAILABLE, "malformed_event", "a stream event is not JSON", -1};
    return delta;
  }
  if (chunk.contains("error")) {
    delta.error = ClassifyStreamError(chunk["error"]);
    return delta;
  }
  if (Text(chunk, "object") == "error") {  // older vLLM
    delta.error = ClassifyStreamError(chunk);
    return delta;
  }
  delta.model = Text(chunk, "model");
  if (chunk.contains("usage") && chunk["usage"].is_object()) {
    const nlohmann::json& usage = chunk["usage"];
    auto count = [](const nlohmann::json& o, const char* k) -> int64_t {
      return o.is_object() && o.contains(k) && o[k].is_number_integer() ? o[k].get<int64_t>() : -1;
    };
    delta.has_usage = true;
    delta.prompt_tokens = count(usage, "prompt_tokens");
    delta.completion_tokens = count(usage, "completion_tokens");
    if (usage.contains("completion_tokens_details")) {
      delta.reasoning_tokens = count(usage["completion_tokens_details"], "reasoning_tokens");
    }
  }
  if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty()) {
    return delta;
  }
  const nlohmann::json& choice = chunk["choices"][0];
  if (!choice.is_object()) return delta;
  if (choice.contains("delta") && choice["delta"].is_object()) {
    delta.text = Text(choice["delta"], "content");  // reasoning_content / reasoning left out
  }
  delta.finish_reason = Text(choice, "finish_reason");
  return delta;
}

}  // namespace scribe::openai
