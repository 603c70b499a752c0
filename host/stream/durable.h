// The Durable Streams protocol's encodings (PROTOCOL.md of
// durable-streams/durable-streams): offset tokens, cursors, JSON messages and
// its SSE events. Pure functions; the HTTP side is host/http/routes_streams.cc.
//
// Offsets: Scribe's offset of a stream (or a job) is a byte position in its
// log. Its token is "0000000000000000_" and the position in 16 digits: the
// shape of the reference server's tokens (which the conformance suite sends
// literally), sorting as the positions do and one-to-one with them.
#ifndef SCRIBE_HOST_STREAM_DURABLE_H_
#define SCRIBE_HOST_STREAM_DURABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "host/common/status.h"

namespace scribe::stream {

std::string FormatStreamOffset(int64_t position);
// A token FormatStreamOffset made; InvalidArgument("invalid_offset") else.
Result<int64_t> ParseStreamOffset(std::string_view token);

// Where a read starts: a position, the start (-1) or the tail (now).
struct ReadFrom {
  enum class Kind { kPosition, kStart, kNow } kind = Kind::kStart;
  int64_t position = 0;
};
Result<ReadFrom> ParseReadOffset(std::string_view text);

// The cursor of a live answer (PROTOCOL.md §10.1): 20-second intervals since
// 2024-10-09T00:00:00Z, moved ahead when the client already sent this one so
// that caches never collapse two rounds into one.
std::string StreamCursor(int64_t now_ms, std::string_view client_cursor);

// A JSON body as stored messages, one compact JSON text per line: a
// top-level array gives its items (one level), anything else one message.
// InvalidArgument for invalid JSON, or for `[]` unless `allow_empty`.
Result<std::string> JsonMessagesFromBody(std::string_view body, bool allow_empty);
// Stored messages (lines) as the JSON array a read answers.
std::string JsonArrayOfMessages(std::string_view lines);

// How a stream's bytes travel in SSE data events.
enum class SseEncoding { kText, kJson, kBase64 };
SseEncoding SseEncodingFor(std::string_view content_type);

// A `data` event carrying `bytes` (JSON: whole stored messages).
void AppendStreamData(std::string& out, SseEncoding encoding, std::string_view bytes);
// A `control` event: the next offset, and the cursor while the stream is
// open; upToDate when the reader is at the tail, streamClosed at its end.
void AppendStreamControl(std::string& out, int64_t next, const std::string& cursor, bool up_to_date,
                         bool closed);

std::string Base64(std::string_view bytes);

}  // namespace scribe::stream

#endif  // SCRIBE_HOST_STREAM_DURABLE_H_
