// The plugins' SSE parser: any bytes, split anywhere, never crash it, and a
// stream parsed in two pieces yields exactly the events of the stream parsed
// whole (the split point is the input's first byte).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sse_parser.h"

namespace {

using scribe::plugin_common::SseEvent;
using scribe::plugin_common::SseParser;

std::vector<std::string> Parse(const std::vector<std::string_view>& pieces) {
  SseParser parser(4096);
  std::vector<std::string> events;
  for (std::string_view piece : pieces) {
    bool more = parser.Feed(piece, [&events](const SseEvent& e) {
      events.push_back(e.event + '\x1f' + e.id + '\x1f' + e.data);
      return true;
    });
    if (!more) {
      events.push_back("<overflow>");
      break;
    }
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t split = data[0] % (stream.size() + 1);
  std::vector<std::string> whole = Parse({stream});
  std::vector<std::string> split_events = Parse({stream.substr(0, split), stream.substr(split)});
  if (whole != split_events) std::abort();
  return 0;
}
