// The Durable Streams protocol's reserved subscription APIs under
// /v1/stream/__ds/ (host/streams/subscriptions.h): subscriptions, their
// streams, webhook callbacks, pull-wake claims, and the webhook signing
// keys. Registered before the streams' own routes, which leave every path
// under __ds/ to these.
#include "host/http/routes.h"

namespace scribe::http {
namespace {

constexpr char kControl[] = "/v1/stream/__ds/";

// The wake token of a callback, ack or release: "Authorization: Bearer T".
std::optional<std::string> WakeToken(Exchange& ex) {
  std::optional<std::string> header = ex.Header("Authorization");
  if (!header || header->rfind("Bearer ", 0) != 0 || header->size() == 7) {
    ex.SendError(Status(Code::kUnauthenticated, "TOKEN_INVALID",
                        "Missing or malformed Authorization header"));
    return std::nullopt;
  }
  return header->substr(7);
}

// The body as JSON; an empty body is {}.
std::optional<nlohmann::json> Body(Exchange& ex) {
  Result<std::string> raw = ex.Body();
  if (!raw.ok()) {
    ex.SendError(raw.status());
    return std::nullopt;
  }
  if (raw->empty()) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    ex.SendError(InvalidArgument("INVALID_REQUEST", "Invalid JSON body"));
    return std::nullopt;
  }
  return body;
}

// A route answered with the wake token and the body of the request.
template <typename Answer>
Handler WakeRoute(Answer answer) {
  return [answer](Exchange& ex) {
    std::optional<std::string> token = WakeToken(ex);
    if (!token) return;
    std::optional<nlohmann::json> body = Body(ex);
    if (body) answer(ex, *token, *body);
  };
}

void SendResult(Exchange& ex, const Result<nlohmann::json>& result) {
  if (!result.ok()) return ex.SendError(result.status());
  ex.SendJson(200, *result);
}

void SendStatus(Exchange& ex, const Status& status) {
  if (!status.ok()) return ex.SendError(status);
  ex.SendNoContent();
}

}  // namespace

void AddSubscriptionRoutes(Router& router, streams::SubscriptionService& subscriptions) {
  using streams::SubscriptionService;
  const std::string base = std::string(kControl) + "subscriptions/{id}";
  router.Add(
      "GET", std::string(kControl) + "jwks.json",
      [&subscriptions](Exchange& ex) {
        ex.response().set("Cache-Control", "public, max-age=300");
        ex.SendText(200, "application/jwk-set+json", subscriptions.Jwks().dump());
      },
      Access::kPublic);
  router.Add("PUT", base, [&subscriptions](Exchange& ex) {
    std::optional<nlohmann::json> body = Body(ex);
    if (!body) return;
    Result<SubscriptionService::Put> put = subscriptions.Create(ex.Param("id"), *body);
    if (!put.ok()) return ex.SendError(put.status());
    ex.SendJson(put->created ? 201 : 200, put->subscription);
  });
  router.Add("GET", base,
             [&subscriptions](Exchange& ex) { SendResult(ex, subscriptions.Get(ex.Param("id"))); });
  router.Add("DELETE", base, [&subscriptions](Exchange& ex) {
    SendStatus(ex, subscriptions.Delete(ex.Param("id")));
  });
  router.Add("POST", base + "/streams", [&subscriptions](Exchange& ex) {
    std::optional<nlohmann::json> body = Body(ex);
    if (body) SendStatus(ex, subscriptions.AddStreams(ex.Param("id"), *body));
  });
  router.Add("DELETE", base + "/streams/{path...}", [&subscriptions](Exchange& ex) {
    SendStatus(ex, subscriptions.RemoveStream(ex.Param("id"), ex.Param("path")));
  });
  router.Add("POST", base + "/claim", [&subscriptions](Exchange& ex) {
    std::optional<nlohmann::json> body = Body(ex);
    if (!body) return;
    Result<SubscriptionService::Claimed> claimed = subscriptions.Claim(ex.Param("id"), *body);
    if (!claimed.ok()) return ex.SendError(claimed.status());
    if (!claimed->holder.empty()) {
      ex.response().set("Cache-Control", "no-store");
      return ex.SendJson(409, {{"error",
                                {{"code", "ALREADY_CLAIMED"},
                                 {"message", "Another worker holds the wake"},
                                 {"current_holder", claimed->holder},
                                 {"generation", claimed->generation}}}});
    }
    ex.SendJson(200, claimed->wake);
  });
  // Authorized by the wake's token, not by an API key: a webhook receiver
  // or a worker holds only that.
  router.Add("POST", base + "/callback",
             WakeRoute([&subscriptions](Exchange& ex, const std::string& token,
                                        const nlohmann::json& body) {
               SendResult(ex, subscriptions.Callback(ex.Param("id"), token, body));
             }),
             Access::kPublic);
  router.Add("POST", base + "/ack",
             WakeRoute([&subscriptions](Exchange& ex, const std::string& token,
                                        const nlohmann::json& body) {
               SendResult(ex, subscriptions.Ack(ex.Param("id"), token, body));
             }),
             Access::kPublic);
  router.Add("POST", base + "/release",
             WakeRoute([&subscriptions](Exchange& ex, const std::string& token,
                                        const nlohmann::json& body) {
               SendStatus(ex, subscriptions.Release(ex.Param("id"), token, body));
             }),
             Access::kPublic);
}

}  // namespace scribe::http
