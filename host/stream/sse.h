// Server-Sent Events framing and the parsers of client positions: the one
// place that knows the bytes of an SSE stream (DESIGN.md §3-4).
//
// Every event carries `id: <offset>`, the byte offset just after the text it
// delivers (status and terminal events carry the viewer's current offset),
// so a client that resumes with Last-Event-ID or ?offset= continues exactly
// there. Payloads are single-line JSON: no text can inject an event.
//
// Thread safety: pure functions.
#ifndef SCRIBE_HOST_STREAM_SSE_H_
#define SCRIBE_HOST_STREAM_SSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "host/common/status.h"

namespace scribe::stream {

// Appends `id: <id>\nevent: <event>\ndata: <data>\n\n`. `data` is one JSON
// value; should it ever hold a line break, each line becomes its own `data:`
// field, as the SSE format requires, so it can never end the event early.
void AppendEvent(std::string& out, int64_t id, std::string_view event, std::string_view data);

// Appends `event: <event>\ndata:<data>\n\n`, without an id (the Durable
// Streams protocol's events), splitting `data` into lines the same way; no
// space after "data:" (as that protocol's clients expect) unless the line
// starts with one.
void AppendNamedEvent(std::string& out, std::string_view event, std::string_view data);

// A `token` event delivering `text` (whole UTF-8 characters) that ends at
// byte offset `end`: data is {"type":"token","content":<text>}.
void AppendTokenEvent(std::string& out, int64_t end, std::string_view text);

// A comment line, ignored by clients; used as a heartbeat.
void AppendComment(std::string& out, std::string_view text);

// The `retry:` field telling EventSource how long to wait before reconnecting.
void AppendRetry(std::string& out, int64_t milliseconds);

// Parses a byte offset given by a client (?offset=, Last-Event-ID): a plain
// decimal number, no sign, no spaces inside, no leading zeros. Negative
// numbers and anything else give InvalidArgument("invalid_offset").
Result<int64_t> ParseOffset(std::string_view text);

// A plain decimal number: digits only (no sign, no spaces), no leading zero,
// at most 18 digits; nullopt otherwise.
std::optional<int64_t> ParseDigits(std::string_view text);

// A parsed `Range: bytes=...` header (a single range).
struct ByteRange {
  std::optional<int64_t> first;   // bytes=N- or bytes=N-M
  std::optional<int64_t> last;    // bytes=N-M (inclusive)
  std::optional<int64_t> suffix;  // bytes=-N: the last N bytes
};
Result<ByteRange> ParseRange(std::string_view header);

}  // namespace scribe::stream

#endif  // SCRIBE_HOST_STREAM_SSE_H_
