// What the provider plugins make of one streamed event's JSON: Gemini's
// chunks and OpenAI-compatible `data:` payloads, from any bytes.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "gemini_protocol.h"
#include "openai_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)scribe::openai::InterpretData(text);
  nlohmann::json chunk = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!chunk.is_discarded()) {
    (void)scribe::gemini::InterpretChunk(chunk);
    (void)scribe::gemini::ClassifyStreamError(chunk);
    (void)scribe::openai::ClassifyStreamError(chunk);
  }
  (void)scribe::gemini::ClassifyHttpError(503, text);
  (void)scribe::openai::ClassifyHttpError(429, text, text, "");
  (void)scribe::gemini::ParseDuration(text);
  return 0;
}
