// The OpenAI-compatible Chat Completions streaming format
// (POST /v1/chat/completions, "stream": true), as OpenAI, vLLM, llama.cpp's
// server and Ollama's /v1 speak it. See
// shared/reference/provider-wire-formats.md §2.
#ifndef SCRIBE_PLUGINS_OPENAI_OPENAI_PROTOCOL_H_
#define SCRIBE_PLUGINS_OPENAI_OPENAI_PROTOCOL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "failure.h"
#include "scribe/provider_abi.h"

namespace scribe::openai {

struct ChatRequest {
  std::string model;
  std::string prompt;  // system message; empty: the default script prompt
  std::string title;
  std::string document;
  std::optional<double> temperature;  // unset: 0.7
  std::optional<int64_t> max_tokens;
};

// The request body; a non-empty `continuation` becomes the assistant's turn
// followed by a request to go on from exactly there.
std::string BuildRequestBody(const ChatRequest& request, std::string_view continuation);

using plugin_common::Failure;

// A non-200 response: body {"error":{message,type,code}} (or Ollama's
// {"error":"text"}); `retry_after` / `retry_after_ms` are those headers.
Failure ClassifyHttpError(int status, const std::string& body, const std::string& retry_after,
                          const std::string& retry_after_ms);
// An error object received in the stream (OpenAI/vLLM data: {"error":…},
// vLLM's older flat {"object":"error",…}, llama.cpp's `error:` line).
Failure ClassifyStreamError(const nlohmann::json& error);

struct Delta {
  bool done = false;  // data: [DONE]
  std::string text;   // delta.content (reasoning is never included)
  std::string finish_reason;
  std::string model;
  std::optional<Failure> error;
  bool has_usage = false;
  int64_t prompt_tokens = -1;
  int64_t completion_tokens = -1;
  int64_t reasoning_tokens = -1;
};
// One `data:` payload.
Delta InterpretData(const std::string& data);

}  // namespace scribe::openai

#endif  // SCRIBE_PLUGINS_OPENAI_OPENAI_PROTOCOL_H_
