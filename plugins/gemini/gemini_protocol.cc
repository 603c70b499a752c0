#include "gemini_protocol.h"

#include <cmath>

namespace scribe::gemini {

std::string BuildRequestBody(const GenerationRequest& request, std::string_view continuation) {
  std::string document = request.document;
  if (!request.title.empty()) document = "Title: " + request.title + "\n\n" + document;
  nlohmann::json contents = nlohmann::json::array();
  contents.push_back({{"role", "user"}, {"parts", {{{"text", document}}}}});
  if (!continuation.empty()) {
    contents.push_back({{"role", "model"}, {"parts", {{{"text", std::string(continuation)}}}}});
    contents.push_back({{"role", "user"}, {"parts", {{{"text", kContinuePrompt}}}}});
  }
  nlohmann::json config = {{"temperature", request.temperature}};
  if (request.max_output_tokens) config["maxOutputTokens"] = *request.max_output_tokens;
  if (request.thinking_budget)
    config["thinkingConfig"] = {{"thinkingBudget", *request.thinking_budget}};
  nlohmann::json body = {
      {"systemInstruction",
       {{"parts", {{{"text", request.prompt.empty() ? kDefaultScriptPrompt : request.prompt}}}}}},
      {"contents", contents},
      {"generationConfig", config},
  };
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int64_t ParseDuration(const std::string& text) {
  if (text.size() < 2 || text.back() != 's') return -1;
  try {
    size_t used = 0;
    double seconds = std::stod(text.substr(0, text.size() - 1), &used);
    if (used != text.size() - 1) return -1;
    return plugin_common::SecondsToMillis(seconds);
  } catch (...) {
    return -1;
  }
}

namespace {

// A string field of a JSON object, or "" when it is missing or not a string.
std::string StringField(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// Looks through error.details for ErrorInfo.reason and RetryInfo.retryDelay.
void ReadDetails(const nlohmann::json& error, std::string& reason, int64_t& retry_after_ms) {
  const auto details = error.find("details");
  if (details == error.end() || !details->is_array()) return;
  for (const nlohmann::json& detail : *details) {
    if (!detail.is_object()) continue;
    std::string type = StringField(detail, "@type");
    if (type.find("ErrorInfo") != std::string::npos && detail.contains("reason") &&
        detail["reason"].is_string()) {
      reason = detail["reason"].get<std::string>();
    }
    if (type.find("RetryInfo") != std::string::npos && detail.contains("retryDelay") &&
        detail["retryDelay"].is_string()) {
      retry_after_ms = ParseDuration(detail["retryDelay"].get<std::string>());
    }
  }
}

Failure Classify(int http_status, const nlohmann::json& error) {
  Failure failure;
  std::string status = StringField(error, "status");
  failure.message = StringField(error, "message");
  std::string reason;
  int64_t retry_after_ms = -1;
  if (error.is_object()) ReadDetails(error, reason, retry_after_ms);
  failure.code = !reason.empty() ? reason : !status.empty() ? status : std::to_string(http_status);
  if (failure.message.empty())
    failure.message = "the Gemini API answered HTTP " + std::to_string(http_status);
  failure.error_class = plugin_common::ClassForHttpStatus(http_status);
  if (http_status == 400 && reason == "API_KEY_INVALID") failure.error_class = SCRIBE_ERROR_AUTH;
  if (http_status == 429) {
    // With RetryInfo it is a rate limit to wait out; without, billing.
    failure.error_class = retry_after_ms >= 0 ? SCRIBE_ERROR_RATE_LIMITED : SCRIBE_ERROR_QUOTA;
    failure.retry_after_ms = retry_after_ms;
  }
  return failure;
}

}  // namespace

Failure ClassifyHttpError(int http_status, const std::string& body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  // Without alt=sse errors come wrapped in an array; accept both.
  if (parsed.is_array() && !parsed.empty()) parsed = parsed[0];
  nlohmann::json error =
      parsed.is_object() && parsed.contains("error") ? parsed["error"] : nlohmann::json();
  Failure failure = Classify(http_status, error);
  if (!error.is_object() && !body.empty()) {
    failure.message += ": " + body.substr(0, 200);
  }
  return failure;
}

Failure ClassifyStreamError(const nlohmann::json& error) {
  int code = 500;
  if (error.is_object() && error.contains("code") && error["code"].is_number_integer()) {
    code = error["code"].get<int>();
  }
  return Classify(code, error);
}

Failure ClassifyFinishReason(const std::string& reason, const std::string& message) {
  Failure failure;
  failure.code = reason;
  if (reason == "MAX_TOKENS") {
    failure.error_class = SCRIBE_ERROR_INCOMPLETE;
    failure.message = "the model reached its output token limit (finishReason MAX_TOKENS)";
  } else {
    failure.error_class = SCRIBE_ERROR_BLOCKED;
    failure.message = "the model stopped with finishReason " + reason;
  }
  if (!message.empty()) failure.message += ": " + message;
  return failure;
}

Chunk InterpretChunk(const nlohmann::json& chunk) {
  Chunk result;
  if (!chunk.is_object()) {
    result.error = Failure{SCRIBE_ERROR_UNAVAILABLE, "malformed_event",
                           "a stream event is not a JSON object", -1};
    return result;
  }
  if (chunk.contains("error")) {
    result.error = ClassifyStreamError(chunk["error"]);
    return result;
  }
  if (chunk.contains("modelVersion") && chunk["modelVersion"].is_string()) {
    result.model_version = chunk["modelVersion"].get<std::string>();
  }
  if (chunk.contains("usageMetadata") && chunk["usageMetadata"].is_object()) {
    const nlohmann::json& usage = chunk["usageMetadata"];
    auto count = [&](const char* name) -> int64_t {
      return usage.contains(name) && usage[name].is_number_integer() ? usage[name].get<int64_t>()
                                                                     : -1;
    };
    result.has_usage = true;
    result.prompt_tokens = count("promptTokenCount");
    result.output_tokens = count("candidatesTokenCount");
    result.thinking_tokens = count("thoughtsTokenCount");
  }
  if (chunk.contains("promptFeedback") && chunk["promptFeedback"].is_object()) {
    const nlohmann::json& feedback = chunk["promptFeedback"];
    if (feedback.contains("blockReason") && feedback["blockReason"].is_string()) {
      result.block_reason = feedback["blockReason"].get<std::string>();
    }
  }
  const auto candidates = chunk.find("candidates");
  if (candidates == chunk.end() || !candidates->is_array() || candidates->empty()) return result;
  const nlohmann::json& candidate = (*candidates)[0];
  if (!candidate.is_object()) return result;
  if (candidate.contains("content") && candidate["content"].is_object() &&
      candidate["content"].contains("parts") && candidate["content"]["parts"].is_array()) {
    for (const nlohmann::json& part : candidate["content"]["parts"]) {
      if (!part.is_object() || !part.contains("text") || !part["text"].is_string()) continue;
      if (part.contains("thought") && part["thought"].is_boolean() && part["thought"].get<bool>()) {
        continue;  // thinking is never script text
      }
      result.text += part["text"].get<std::string>();
    }
  }
  if (candidate.contains("finishReason") && candidate["finishReason"].is_string()) {
    result.finish_reason = candidate["finishReason"].get<std::string>();
  }
  if (candidate.contains("finishMessage") && candidate["finishMessage"].is_string()) {
    result.finish_message = candidate["finishMessage"].get<std::string>();
  }
  return result;
}

}  // namespace scribe::gemini
