// SseParser: an incremental Server-Sent Events parser for provider streams,
// written to the WHATWG rules and the quirks providers have in practice:
// CR, LF or CRLF line ends (a CRLF may be split across reads), a leading
// BOM, `data:` with or without its space, several data lines joined with LF,
// comments ignored, and unknown fields kept (llama.cpp sends `error:` lines).
// Events of several MiB are fine; a cap bounds memory.
//
// Thread safety: one parser per stream, used by one thread.
#ifndef SCRIBE_PLUGINS_COMMON_SSE_PARSER_H_
#define SCRIBE_PLUGINS_COMMON_SSE_PARSER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scribe::plugin_common {

struct SseEvent {
  std::string event;  // empty: "message"
  std::string data;   // data lines joined with '\n'
  std::string id;     // this event's `id:` field; empty when it had none
  bool has_data = false;
  // Fields other than data/event/id/retry, in order (name, value).
  std::vector<std::pair<std::string, std::string>> other;
};

class SseParser {
 public:
  explicit SseParser(size_t max_event_bytes = 32u << 20) : max_event_bytes_(max_event_bytes) {}

  // Feeds raw bytes. `on_event` is called for each complete event and may
  // return false to stop. Returns false when stopped or when one event grew
  // past the cap (then `overflowed()` is true).
  bool Feed(std::string_view bytes, const std::function<bool(const SseEvent&)>& on_event);
  bool overflowed() const { return overflowed_; }
  // Bytes of an event (or line) still waiting for its end.
  size_t pending() const { return line_.size() + current_.data.size(); }

 private:
  bool Line(std::string_view line, const std::function<bool(const SseEvent&)>& on_event);

  const size_t max_event_bytes_;
  std::string line_;
  bool after_cr_ = false;  // the last byte seen was CR: a following LF is part of it
  bool started_ = false;   // past a possible BOM
  bool overflowed_ = false;
  SseEvent current_;
};

}  // namespace scribe::plugin_common

#endif  // SCRIBE_PLUGINS_COMMON_SSE_PARSER_H_
