// Wall-clock time as Scribe stores and prints it: milliseconds since the
// Unix epoch, and RFC 3339 UTC text for JSON.
#ifndef SCRIBE_HOST_COMMON_CLOCK_H_
#define SCRIBE_HOST_COMMON_CLOCK_H_

#include <cstdint>
#include <string>

namespace scribe {

int64_t NowMillis();
// "2026-11-25T16:35:29.123Z"
std::string FormatRfc3339(int64_t millis);

// Parses RFC 3339 date-time text ("2026-11-25T16:35:29Z",
// "2026-11-25T17:35:29.5+01:00"); false for anything else.
bool ParseRfc3339(const std::string& text, int64_t& millis);

// A random identifier of `length` characters from [0-9a-z], from the
// operating system's random source; used for job and document ids.
std::string RandomId(size_t length = 16);

}  // namespace scribe

#endif  // SCRIBE_HOST_COMMON_CLOCK_H_
