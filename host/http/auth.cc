#include "host/http/auth.h"

#include <Poco/Net/NameValueCollection.h>

#include "host/common/secret.h"

namespace scribe::http {
namespace {

constexpr std::string_view kBearer = "Bearer ";

// The key the request carries: the Authorization header, else the cookie.
std::string PresentedKey(Exchange& ex) {
  if (auto header = ex.Header("Authorization")) {
    if (header->size() > kBearer.size() && header->compare(0, kBearer.size(), kBearer) == 0) {
      return header->substr(kBearer.size());
    }
    return "";
  }
  Poco::Net::NameValueCollection cookies;
  ex.request().getCookies(cookies);
  return cookies.get("scribe_key", "");
}

}  // namespace

Result<jobs::Caller> Authenticator::Authenticate(Exchange& ex) const {
  if (!required_) return jobs::Caller{};
  std::string key = PresentedKey(ex);
  if (key.empty()) {
    return Unauthenticated("this host needs an API key: send Authorization: Bearer <key>");
  }
  return Check(key);
}

Result<jobs::Caller> Authenticator::Check(const std::string& key) const {
  Result<std::optional<store::ApiKey>> found = keys_.FindApiKey(Sha256Hex(key));
  if (!found.ok()) return found.status();
  if (!found->has_value() || (*found)->revoked_ms) {
    return Unauthenticated("the API key is not valid (unknown or revoked)");
  }
  return jobs::Caller{(*found)->id, (*found)->admin};
}

}  // namespace scribe::http
