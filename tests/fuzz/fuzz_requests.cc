// The JSON request decoders: any body gives a request or a 4xx Status,
// never an exception or a crash; so do the list filters' parsers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "host/http/codec.h"
#include "host/store/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_discarded()) {
    scribe::Result<scribe::jobs::SubmitRequest> request = scribe::http::DecodeSubmit(body);
    if (!request.ok() && request.status().code() != scribe::Code::kInvalidArgument) std::abort();
  }
  (void)scribe::http::ParseTimestamp(text);
  (void)scribe::http::ParseLimit(text, 50);
  (void)scribe::store::ParseJobStates(text);
  return 0;
}
