// Secrets for API keys: drawn from the kernel's random source (getrandom),
// and hashed with SHA-256 for storage and lookup, so a stolen database holds
// no usable key.
//
// Thread safety: pure functions.
#ifndef SCRIBE_HOST_COMMON_SECRET_H_
#define SCRIBE_HOST_COMMON_SECRET_H_

#include <string>
#include <string_view>

namespace scribe {

// "sk_scribe_" and 32 random characters of [0-9A-Za-z] (about 190 bits).
std::string NewApiKeySecret();
// Lower-case hex SHA-256 of `text`.
std::string Sha256Hex(std::string_view text);

}  // namespace scribe

#endif  // SCRIBE_HOST_COMMON_SECRET_H_
