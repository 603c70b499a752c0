#include "host/http/router.h"

#include <Poco/URI.h>

#include <set>

namespace scribe::http {
namespace {

// What a cross-origin page may send and read.
// (The Stream-* and Producer-* headers are the Durable Streams protocol's.)
constexpr char kCorsRequestHeaders[] =
    "Authorization, Content-Type, Idempotency-Key, If-None-Match, Last-Event-ID, Range, "
    "Stream-Seq, Stream-TTL, Stream-Expires-At, Stream-Closed, Stream-Forked-From, "
    "Stream-Fork-Offset, Stream-Fork-Sub-Offset, Producer-Id, Producer-Epoch, Producer-Seq";
constexpr char kCorsExposedHeaders[] =
    "Content-Range, Location, Retry-After, WWW-Authenticate, X-Scribe-Job-Id, ETag, "
    "Stream-Next-Offset, Stream-Up-To-Date, Stream-Closed, Stream-Cursor, Stream-TTL, "
    "Stream-Expires-At, Stream-SSE-Data-Encoding, Producer-Epoch, Producer-Seq, "
    "Producer-Expected-Seq, Producer-Received-Seq";
constexpr char kCorsMaxAgeSeconds[] = "600";

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

std::string CorsPolicy::AllowOriginFor(const std::string& origin) const {
  for (const std::string& allowed : origins) {
    if (allowed == "*") return "*";
    if (allowed == origin) return origin;
  }
  return "";
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) {
      std::string segment;
      Poco::URI::decode(path.substr(start, slash - start), segment);
      segments.push_back(segment);
    }
    start = slash + 1;
  }
  return segments;
}

void Router::Add(std::string method, std::string pattern, Handler handler, Access access) {
  std::vector<std::string> segments = SplitPath(pattern);
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments),
                          std::move(handler), access});
}

bool Router::Match(const Route& route, const std::vector<std::string>& segments,
                   std::map<std::string, std::string>& params) {
  const bool rest = !route.segments.empty() && route.segments.back().size() > 5 &&
                    route.segments.back().compare(route.segments.back().size() - 4, 4, "...}") == 0;
  if (rest ? segments.size() < route.segments.size() : route.segments.size() != segments.size()) {
    return false;
  }
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (rest && i + 1 == route.segments.size()) {
      std::string tail = segments[i];
      for (size_t j = i + 1; j < segments.size(); ++j) tail += "/" + segments[j];
      found[want.substr(1, want.size() - 5)] = std::move(tail);
    } else if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      found[want.substr(1, want.size() - 2)] = segments[i];
    } else if (want != segments[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

void Router::Dispatch(Exchange& exchange) const {
  std::string path;
  try {
    path = Poco::URI(exchange.request().getURI()).getPath();
  } catch (const Poco::Exception&) {
    exchange.SendError(InvalidArgument("invalid_uri", "the request URI is malformed"));
    return;
  }
  std::vector<std::string> segments = SplitPath(path);
  const std::string& method = exchange.request().getMethod();
  const Route* found = nullptr;
  std::map<std::string, std::string> params;
  std::set<std::string> allowed;  // the path's methods
  for (const Route& route : routes_) {
    std::map<std::string, std::string> matched;
    if (!Match(route, segments, matched)) continue;
    allowed.insert(route.method);
    if (found == nullptr && route.method == method) {
      found = &route;
      params = std::move(matched);
    }
  }
  if (cors_.enabled()) {
    if (Preflight(exchange, path, allowed)) return;
    std::string allow_origin = cors_.AllowOriginFor(exchange.Header("Origin").value_or(""));
    if (!allow_origin.empty()) {
      exchange.response().set("Access-Control-Allow-Origin", allow_origin);
      exchange.response().set("Access-Control-Expose-Headers", kCorsExposedHeaders);
    }
    exchange.response().set("Vary", "Origin");
  }
  if (found == nullptr) {
    if (allowed.empty()) {
      exchange.SendError(NotFound("route_not_found", "no route for " + method + " " + path));
      return;
    }
    const std::string allow = Join(allowed);
    exchange.response().set("Allow", allow);
    exchange.SendError(Status(Code::kMethodNotAllowed, "method_not_allowed",
                              method + " is not allowed on " + path + " (allowed: " + allow + ")"));
    return;
  }
  if (!exchange.query_status().ok()) {
    exchange.SendError(exchange.query_status());
    return;
  }
  if (found->access != Access::kPublic && authenticate_) {
    Result<jobs::Caller> caller = authenticate_(exchange);
    if (!caller.ok()) {
      exchange.response().set("WWW-Authenticate", "Bearer realm=\"scribe\"");
      exchange.SendError(caller.status());
      return;
    }
    if (found->access == Access::kAdmin && !caller->SeesAll()) {
      exchange.SendError(PermissionDenied(method + " " + path + " needs an admin API key"));
      return;
    }
    exchange.SetCaller(std::move(caller).value());
  }
  exchange.SetParams(std::move(params));
  found->handler(exchange);
}

bool Router::Preflight(Exchange& exchange, const std::string& path,
                       const std::set<std::string>& methods) const {
  if (exchange.request().getMethod() != "OPTIONS" ||
      !exchange.Header("Access-Control-Request-Method")) {
    return false;
  }
  const std::string origin = exchange.Header("Origin").value_or("");
  const std::string allow_origin = cors_.AllowOriginFor(origin);
  exchange.response().set("Vary", "Origin");
  if (methods.empty()) {
    exchange.SendError(NotFound("route_not_found", "no route for " + path));
  } else if (allow_origin.empty()) {
    exchange.SendError(PermissionDenied("origin '" + origin +
                                        "' may not call this API from a browser (--cors-origins)"));
  } else {
    exchange.response().set("Access-Control-Allow-Origin", allow_origin);
    exchange.response().set("Access-Control-Allow-Methods", Join(methods));
    exchange.response().set("Access-Control-Allow-Headers", kCorsRequestHeaders);
    exchange.response().set("Access-Control-Max-Age", kCorsMaxAgeSeconds);
    exchange.SendNoContent();
  }
  return true;
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) out.push_back(RouteInfo{route.method, route.pattern});
  return out;
}

}  // namespace scribe::http
