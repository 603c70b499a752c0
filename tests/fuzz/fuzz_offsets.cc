// The host's parsers of client positions: ?offset= / Last-Event-ID and
// Range headers. Any text gives a value or an InvalidArgument, and an
// accepted offset is exactly the canonical decimal it was written as (around
// it, only the spaces and tabs HTTP allows around a header value).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "host/stream/sse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  scribe::Result<int64_t> offset = scribe::stream::ParseOffset(text);
  std::string_view trimmed = text;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) {
    trimmed.remove_suffix(1);
  }
  if (offset.ok() && (*offset < 0 || std::to_string(*offset) != trimmed)) std::abort();
  if (!offset.ok() && offset.status().reason() != "invalid_offset") std::abort();
  scribe::Result<scribe::stream::ByteRange> range = scribe::stream::ParseRange(text);
  if (range.ok()) {
    const auto& r = *range;
    if (r.suffix ? (r.first || r.last || *r.suffix < 0) : (!r.first || *r.first < 0)) std::abort();
    if (r.last && *r.last < *r.first) std::abort();
  }
  return 0;
}
