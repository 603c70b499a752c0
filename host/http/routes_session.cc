// /api/session: how the viewer signs in. A browser's EventSource cannot send
// an Authorization header, so the page posts the key once and the host
// keeps it in an HttpOnly, SameSite=Strict cookie that scripts cannot read
// and other sites cannot send; every later request carries it.
#include "host/http/routes.h"

namespace scribe::http {
namespace {

void SetKeyCookie(Exchange& ex, const std::string& value, bool clear) {
  std::string cookie = "scribe_key=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (ex.request().secure()) cookie += "; Secure";  // over HTTPS, never sent in clear
  if (clear) cookie += "; Max-Age=0";
  ex.response().set("Set-Cookie", cookie);
}

nlohmann::json SessionJson(const jobs::Caller& caller, bool required) {
  return {
      {"auth_required", required},
      {"key_id", caller.key_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(caller.key_id)},
      {"admin", caller.SeesAll()}};
}

}  // namespace

void AddSessionRoutes(Router& router, const Authenticator& authenticator) {
  router.Add("GET", "/api/session", [&authenticator](Exchange& ex) {
    ex.SendJson(200, SessionJson(ex.caller(), authenticator.required()));
  });
  router.Add(
      "POST", "/api/session",
      [&authenticator](Exchange& ex) {
        Result<nlohmann::json> body = ex.JsonBody();
        if (!body.ok()) return ex.SendError(body.status());
        if (!body->is_object() || !(*body)["key"].is_string()) {
          return ex.SendError(InvalidArgument("missing_key", "send {\"key\": \"<API key>\"}"));
        }
        const std::string key = (*body)["key"].get<std::string>();
        Result<jobs::Caller> caller = authenticator.Check(key);
        if (!caller.ok()) return ex.SendError(caller.status());
        SetKeyCookie(ex, key, /*clear=*/false);
        ex.SendJson(200, SessionJson(*caller, authenticator.required()));
      },
      Access::kPublic);
  router.Add(
      "DELETE", "/api/session",
      [](Exchange& ex) {
        SetKeyCookie(ex, "", /*clear=*/true);
        ex.SendNoContent();
      },
      Access::kPublic);
}

}  // namespace scribe::http
