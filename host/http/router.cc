#include "host/http/router.h"

#include <Poco/URI.h>

#include <set>

namespace scribe::http {

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
  if (route.segments.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
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
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!Match(route, segments, params)) continue;
    if (route.method != method) {
      allowed.insert(route.method);
      continue;
    }
    if (!exchange.query_status().ok()) {
      exchange.SendError(exchange.query_status());
      return;
    }
    if (route.access != Access::kPublic && authenticate_) {
      Result<jobs::Caller> caller = authenticate_(exchange);
      if (!caller.ok()) {
        exchange.response().set("WWW-Authenticate", "Bearer realm=\"scribe\"");
        exchange.SendError(caller.status());
        return;
      }
      if (route.access == Access::kAdmin && !caller->SeesAll()) {
        exchange.SendError(PermissionDenied(method + " " + path + " needs an admin API key"));
        return;
      }
      exchange.SetCaller(std::move(caller).value());
    }
    exchange.SetParams(std::move(params));
    route.handler(exchange);
    return;
  }
  if (allowed.empty()) {
    exchange.SendError(NotFound("route_not_found", "no route for " + method + " " + path));
    return;
  }
  std::string allow;
  for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  exchange.response().set("Allow", allow);
  exchange.SendError(Status(Code::kMethodNotAllowed, "method_not_allowed",
                            method + " is not allowed on " + path + " (allowed: " + allow + ")"));
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) out.push_back(RouteInfo{route.method, route.pattern});
  return out;
}

}  // namespace scribe::http
