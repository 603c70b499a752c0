#include "host/stream/durable.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <random>

#include "host/stream/sse.h"

namespace scribe::stream {
namespace {

constexpr std::string_view kOffsetEpoch = "0000000000000000_";
constexpr size_t kPositionDigits = 16;
constexpr int64_t kCursorEpochMs = 1728432000000;  // 2024-10-09T00:00:00Z
constexpr int64_t kCursorIntervalMs = 20000;

Status BadOffset(std::string_view text) {
  return InvalidArgument("invalid_offset", "offset '" + std::string(text.substr(0, 40)) +
                                               "' is not one this host issued (nor -1 or now)");
}

}  // namespace

std::string FormatStreamOffset(int64_t position) {
  std::string digits = std::to_string(position);
  std::string out(kOffsetEpoch);
  if (digits.size() < kPositionDigits) out.append(kPositionDigits - digits.size(), '0');
  return out + digits;
}

Result<int64_t> ParseStreamOffset(std::string_view token) {
  if (token.size() != kOffsetEpoch.size() + kPositionDigits ||
      token.substr(0, kOffsetEpoch.size()) != kOffsetEpoch) {
    return BadOffset(token);
  }
  std::string_view digits = token.substr(kOffsetEpoch.size());
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  std::optional<int64_t> position = ParseDigits(digits);
  if (!position) return BadOffset(token);
  return *position;
}

Result<ReadFrom> ParseReadOffset(std::string_view text) {
  if (text == "-1") return ReadFrom{ReadFrom::Kind::kStart, 0};
  if (text == "now") return ReadFrom{ReadFrom::Kind::kNow, 0};
  Result<int64_t> position = ParseStreamOffset(text);
  if (!position.ok()) return position.status();
  return ReadFrom{ReadFrom::Kind::kPosition, *position};
}

std::string StreamCursor(int64_t now_ms, std::string_view client_cursor) {
  int64_t cursor = (now_ms - kCursorEpochMs) / kCursorIntervalMs;
  std::optional<int64_t> theirs = ParseDigits(client_cursor);
  if (theirs && *theirs >= cursor) {
    // 1 to 3600 s ahead of theirs, in whole intervals.
    thread_local std::minstd_rand random{std::random_device{}()};
    cursor = *theirs + 1 + static_cast<int64_t>(random() % (3600000 / kCursorIntervalMs));
  }
  return std::to_string(cursor);
}

Result<std::string> JsonMessagesFromBody(std::string_view body, bool allow_empty) {
  nlohmann::json value = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return InvalidArgument("invalid_json", "the body is not valid JSON");
  }
  auto dump = [](const nlohmann::json& message) {
    return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  };
  if (!value.is_array()) return dump(value);
  if (value.empty() && !allow_empty) {
    return InvalidArgument("empty_json_array", "an empty JSON array appends nothing");
  }
  std::string lines;
  for (const nlohmann::json& message : value) lines += dump(message);
  return lines;
}

std::string JsonArrayOfMessages(std::string_view lines) {
  std::string out = "[";
  size_t start = 0;
  while (start < lines.size()) {
    size_t end = lines.find('\n', start);
    if (end == std::string_view::npos) end = lines.size();
    if (out.size() > 1) out += ',';
    out.append(lines.substr(start, end - start));
    start = end + 1;
  }
  return out + "]";
}

SseEncoding SseEncodingFor(std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.pop_back();
  if (media == "application/json") return SseEncoding::kJson;
  if (media.rfind("text/", 0) == 0) return SseEncoding::kText;
  return SseEncoding::kBase64;
}

void AppendStreamData(std::string& out, SseEncoding encoding, std::string_view bytes) {
  switch (encoding) {
    case SseEncoding::kText:
      AppendNamedEvent(out, "data", bytes);
      break;
    case SseEncoding::kJson:
      AppendNamedEvent(out, "data", JsonArrayOfMessages(bytes));
      break;
    case SseEncoding::kBase64:
      AppendNamedEvent(out, "data", Base64(bytes));
      break;
  }
}

void AppendStreamControl(std::string& out, int64_t next, const std::string& cursor, bool up_to_date,
                         bool closed) {
  std::string data = "{\"streamNextOffset\":\"" + FormatStreamOffset(next) + "\"";
  if (!closed) data += ",\"streamCursor\":\"" + cursor + "\"";
  if (up_to_date) data += ",\"upToDate\":true";
  if (closed) data += ",\"streamClosed\":true";
  AppendNamedEvent(out, "control", data + "}");
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace scribe::stream
