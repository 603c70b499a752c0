// The Durable Streams encodings of host/stream/durable.h: any text is an
// offset token (which formats back to itself) or an InvalidArgument; any body
// is JSON messages (each line one JSON text, together one valid JSON array)
// or an InvalidArgument; SSE data events of any bytes hold exactly one event.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "host/stream/durable.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace scribe::stream;
  std::string text(reinterpret_cast<const char*>(data), size);

  scribe::Result<ReadFrom> from = ParseReadOffset(text);
  if (from.ok() && from->kind == ReadFrom::Kind::kPosition) {
    Check(from->position >= 0 && FormatStreamOffset(from->position) == text);
  }
  Check(from.ok() || from.status().reason() == "invalid_offset");

  scribe::Result<std::string> lines = JsonMessagesFromBody(text, /*allow_empty=*/true);
  if (lines.ok()) {
    size_t start = 0;
    while (start < lines->size()) {
      size_t end = lines->find('\n', start);
      Check(end != std::string::npos);  // every message ends its line
      Check(nlohmann::json::accept(lines->substr(start, end - start)));
      start = end + 1;
    }
    Check(nlohmann::json::parse(JsonArrayOfMessages(*lines), nullptr, false).is_array());
  } else {
    Check(lines.status().code() == scribe::Code::kInvalidArgument);
  }

  for (SseEncoding encoding : {SseEncoding::kText, SseEncoding::kBase64}) {
    std::string event;
    AppendStreamData(event, encoding, text);
    // One event: its only blank line is its end.
    size_t blank = event.find("\n\n");
    Check(blank == event.size() - 2);
    Check(event.find('\r') == std::string::npos);
  }
  return 0;
}
