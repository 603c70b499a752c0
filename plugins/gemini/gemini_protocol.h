// The Gemini API's streaming wire format (generativelanguage v1beta,
// streamGenerateContent?alt=sse), as pure functions: the request body, the
// meaning of each streamed chunk, and the error classes of failures.
// See shared/reference/provider-wire-formats.md §1.
#ifndef SCRIBE_PLUGINS_GEMINI_GEMINI_PROTOCOL_H_
#define SCRIBE_PLUGINS_GEMINI_GEMINI_PROTOCOL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "failure.h"
#include "scribe/provider_abi.h"
#include "script_prompts.h"

namespace scribe::gemini {

using plugin_common::kContinuePrompt;
using plugin_common::kDefaultScriptPrompt;

struct GenerationRequest {
  std::string prompt;  // system instruction; empty: kDefaultScriptPrompt
  std::string title;
  std::string document;
  double temperature = 0.7;
  std::optional<int64_t> max_output_tokens;
  std::optional<int64_t> thinking_budget;
};

// The JSON body of streamGenerateContent. With a non-empty `continuation`
// the conversation holds the partial script as the model's turn and asks it
// to continue from exactly there.
std::string BuildRequestBody(const GenerationRequest& request, std::string_view continuation);

using plugin_common::Failure;

// A non-200 response (its body is {"error":{code,message,status,details}}).
Failure ClassifyHttpError(int http_status, const std::string& body);
// An in-band {"error":{...}} event after the stream started.
Failure ClassifyStreamError(const nlohmann::json& error);
// A finishReason other than STOP.
Failure ClassifyFinishReason(const std::string& reason, const std::string& message);
// "47s", "1.5s" -> milliseconds; -1 if not a duration.
int64_t ParseDuration(const std::string& text);

// What one streamed chunk says.
struct Chunk {
  std::string text;           // answer text (thought parts left out)
  std::string finish_reason;  // on the last chunk
  std::string finish_message;
  std::string block_reason;  // promptFeedback.blockReason
  std::string model_version;
  std::optional<Failure> error;
  bool has_usage = false;
  int64_t prompt_tokens = -1;
  int64_t output_tokens = -1;
  int64_t thinking_tokens = -1;
};
Chunk InterpretChunk(const nlohmann::json& chunk);

}  // namespace scribe::gemini

#endif  // SCRIBE_PLUGINS_GEMINI_GEMINI_PROTOCOL_H_
