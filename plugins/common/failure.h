// How a provider call failed, in the ABI's error classes, and the default
// class of an HTTP status. Shared by the wire-format code of every network
// provider; each refines the cases its API documents (Gemini's RetryInfo,
// OpenAI's insufficient_quota...).
#ifndef SCRIBE_PLUGINS_COMMON_FAILURE_H_
#define SCRIBE_PLUGINS_COMMON_FAILURE_H_

#include <cmath>
#include <cstdint>
#include <string>

#include "scribe/provider_abi.h"

namespace scribe::plugin_common {

struct Failure {
  scribe_error_class error_class = SCRIBE_ERROR_NONE;
  std::string code;  // the provider's own reason, e.g. "API_KEY_INVALID"
  std::string message;
  int64_t retry_after_ms = -1;
};

// A provider's delay in seconds as whole milliseconds; -1 when negative,
// not a number, or absurd (over a year: no provider means that).
inline int64_t SecondsToMillis(double seconds) {
  if (!(seconds >= 0) || seconds > 365.0 * 86400) return -1;
  return static_cast<int64_t>(std::ceil(seconds * 1000));
}

// 401/403 auth, 404 unknown model, 408/504 timeout, 429 rate limited,
// other 5xx unavailable, other 4xx a bad request.
inline scribe_error_class ClassForHttpStatus(int status) {
  switch (status) {
    case 401:
    case 403:
      return SCRIBE_ERROR_AUTH;
    case 404:
      return SCRIBE_ERROR_MODEL_NOT_FOUND;
    case 408:
    case 504:
      return SCRIBE_ERROR_TIMEOUT;
    case 429:
      return SCRIBE_ERROR_RATE_LIMITED;
    default:
      return status >= 500 ? SCRIBE_ERROR_UNAVAILABLE : SCRIBE_ERROR_BAD_REQUEST;
  }
}

}  // namespace scribe::plugin_common

#endif  // SCRIBE_PLUGINS_COMMON_FAILURE_H_
