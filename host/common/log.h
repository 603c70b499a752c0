// Scribe's log: one line per record on stderr, "2026-11-25T16:35:29.123Z
// LEVEL component: message". Secrets are never passed to it.
//
// Thread safety: Log() may be called from any thread.
#ifndef SCRIBE_HOST_COMMON_LOG_H_
#define SCRIBE_HOST_COMMON_LOG_H_

#include <string_view>

namespace scribe {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void SetLogLevel(LogLevel level);
bool ParseLogLevel(std::string_view text, LogLevel& level);
void Log(LogLevel level, std::string_view component, std::string_view message);

}  // namespace scribe

#endif  // SCRIBE_HOST_COMMON_LOG_H_
