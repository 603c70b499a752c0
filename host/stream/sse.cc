#include "host/stream/sse.h"

#include <charconv>

#include "host/common/json_text.h"

namespace scribe::stream {
namespace {

constexpr size_t kMaxOffsetDigits = 18;  // < 2^63

Status BadOffset(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 40));
  return InvalidArgument("invalid_offset",
                         "offset '" + shown + "' " + std::string(why) +
                             "; an offset is a byte position: 0, or a number the host sent as an "
                             "event id");
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `data:` fields for `data`, one per line: CR, LF and CRLF all end a line
// in SSE, so each line of the payload becomes its own field. `tight` leaves
// out the space after "data:" unless the line itself starts with one (a
// reader drops one leading space).
void AppendDataLines(std::string& out, std::string_view data, bool tight) {
  size_t start = 0;
  while (true) {
    // A plain scan: find_first_of would call memchr for every byte.
    size_t eol = start;
    while (eol < data.size() && data[eol] != '\n' && data[eol] != '\r') ++eol;
    if (eol == data.size()) eol = std::string_view::npos;
    std::string_view line = data.substr(start, eol - start);
    out.append(tight && (line.empty() || line[0] != ' ') ? "\ndata:" : "\ndata: ").append(line);
    if (eol == std::string_view::npos) break;
    start = eol + 1;
    if (data[eol] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out.append("\n\n");
}

}  // namespace

// Decimal digits only (from_chars alone would take a leading minus), no
// leading zero, at most kMaxOffsetDigits.
std::optional<int64_t> ParseDigits(std::string_view text) {
  if (text.empty() || text.size() > kMaxOffsetDigits) return std::nullopt;
  if (text[0] < '0' || text[0] > '9') return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void AppendEvent(std::string& out, int64_t id, std::string_view event, std::string_view data) {
  out.append("id: ").append(std::to_string(id)).append("\nevent: ").append(event);
  AppendDataLines(out, data, /*tight=*/false);
}

void AppendNamedEvent(std::string& out, std::string_view event, std::string_view data) {
  out.append("event: ").append(event);
  AppendDataLines(out, data, /*tight=*/true);
}

void AppendTokenEvent(std::string& out, int64_t end, std::string_view text) {
  out.append("id: ")
      .append(std::to_string(end))
      .append("\nevent: token\ndata: {\"type\":\"token\",\"content\":");
  AppendJsonString(out, text);
  out.append("}\n\n");
}

void AppendComment(std::string& out, std::string_view text) {
  out.append(": ");
  for (char c : text) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  out.append("\n\n");
}

void AppendRetry(std::string& out, int64_t milliseconds) {
  out.append("retry: ").append(std::to_string(milliseconds)).append("\n\n");
}

Result<int64_t> ParseOffset(std::string_view raw) {
  std::string_view text = TrimSpaces(raw);
  if (text.empty()) return BadOffset(raw, "is empty");
  if (text[0] == '-') return BadOffset(raw, "is negative");
  std::optional<int64_t> value = ParseDigits(text);
  if (!value) return BadOffset(raw, "is not a plain decimal number");
  return *value;
}

Result<ByteRange> ParseRange(std::string_view header) {
  auto bad = [&] {
    return InvalidArgument("invalid_range", "Range '" + std::string(header.substr(0, 60)) +
                                                "' is not 'bytes=N-', 'bytes=N-M' or 'bytes=-N'");
  };
  std::string_view text = TrimSpaces(header);
  if (text.substr(0, 6) != "bytes=") return bad();
  text.remove_prefix(6);
  size_t dash = text.find('-');
  if (dash == std::string_view::npos || text.find(',') != std::string_view::npos) return bad();
  std::string_view first = TrimSpaces(text.substr(0, dash));
  std::string_view last = TrimSpaces(text.substr(dash + 1));
  ByteRange range;
  if (first.empty()) {
    range.suffix = ParseDigits(last);
    if (!range.suffix) return bad();
    return range;
  }
  range.first = ParseDigits(first);
  if (!range.first) return bad();
  if (!last.empty()) {
    range.last = ParseDigits(last);
    if (!range.last || *range.last < *range.first) return bad();
  }
  return range;
}

}  // namespace scribe::stream
