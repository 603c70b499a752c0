#include "sse_parser.h"

namespace scribe::plugin_common {

bool SseParser::Feed(std::string_view bytes, const std::function<bool(const SseEvent&)>& on_event) {
  if (overflowed_) return false;
  if (!started_) {
    line_.append(bytes);
    if (line_.size() < 3 && std::string_view("\xEF\xBB\xBF").substr(0, line_.size()) == line_) {
      return true;  // could still be a BOM
    }
    started_ = true;
    if (line_.compare(0, 3, "\xEF\xBB\xBF") == 0) line_.erase(0, 3);
    std::string first;
    first.swap(line_);
    return Feed(first, on_event);
  }
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c != '\r' && c != '\n') {
      after_cr_ = false;
      continue;
    }
    if (c == '\n' && after_cr_ && i == start && line_.empty()) {
      // The LF of a CRLF whose CR ended the previous read.
      after_cr_ = false;
      start = i + 1;
      continue;
    }
    line_.append(bytes.substr(start, i - start));
    bool crlf = c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n';
    after_cr_ = c == '\r' && !crlf;
    start = i + (crlf ? 2 : 1);
    if (crlf) ++i;
    std::string line;
    line.swap(line_);
    if (!Line(line, on_event)) return false;
  }
  line_.append(bytes.substr(start));
  if (line_.size() + current_.data.size() > max_event_bytes_) {
    overflowed_ = true;
    return false;
  }
  return true;
}

bool SseParser::Line(std::string_view line, const std::function<bool(const SseEvent&)>& on_event) {
  if (line.empty()) {
    bool keep_going = true;
    if (current_.has_data || !current_.other.empty()) keep_going = on_event(current_);
    current_ = SseEvent{};
    return keep_going;
  }
  if (line[0] == ':') return true;  // comment
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (current_.has_data) current_.data.push_back('\n');
    current_.data.append(value);
    current_.has_data = true;
    if (current_.data.size() > max_event_bytes_) {
      overflowed_ = true;
      return false;
    }
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) current_.id.assign(value);  // per WHATWG
  } else if (field != "retry") {
    current_.other.emplace_back(std::string(field), std::string(value));
  }
  return true;
}

}  // namespace scribe::plugin_common
