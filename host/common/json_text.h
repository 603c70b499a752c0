// Writing JSON string literals by hand, for hot paths (SSE token events)
// where building an nlohmann::json value per chunk would cost more than the
// chunk itself. Everything else uses nlohmann::json.
#ifndef SCRIBE_HOST_COMMON_JSON_TEXT_H_
#define SCRIBE_HOST_COMMON_JSON_TEXT_H_

#include <string>
#include <string_view>

namespace scribe {

// Appends `utf8` as a quoted JSON string. Control characters (CR and LF
// among them), quotes and backslashes are escaped, so the result never
// contains a raw line break. `utf8` must be valid UTF-8.
void AppendJsonString(std::string& out, std::string_view utf8);

}  // namespace scribe

#endif  // SCRIBE_HOST_COMMON_JSON_TEXT_H_
