// The values handed to plugins as secrets (settings whose names say KEY,
// TOKEN, SECRET or PASSWORD), remembered so that no text a plugin sends back
// — an error a provider echoed, a log line — can carry one into a log, a
// job row, an event or an API response. Redact() replaces each with
// "[redacted]"; every piece of plugin text passes through it.
//
// Thread safety: both functions may be called from any thread.
#ifndef SCRIBE_HOST_PLUGIN_SECRETS_H_
#define SCRIBE_HOST_PLUGIN_SECRETS_H_

#include <string>
#include <string_view>

namespace scribe::plugin {

// Whether a setting's name marks its value as a secret.
bool IsSecretSetting(std::string_view name);
// Remembers `value` (values shorter than 6 characters are not secrets
// worth the name and would redact ordinary words).
void RememberSecret(const std::string& value);
std::string Redact(std::string_view text);

}  // namespace scribe::plugin

#endif  // SCRIBE_HOST_PLUGIN_SECRETS_H_
