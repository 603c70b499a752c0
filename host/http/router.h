// Router: the only table of Scribe's routes. A route is a method and a path
// pattern whose `{name}` segments match one path segment each; a last
// segment `{name...}` matches the rest of the path (one segment or more). A path that
// matches no pattern gets 404; one that matches with another method, 405
// with an Allow header. The router also answers for cross-origin access
// (CORS): off unless origins are configured.
//
// Thread safety: Add() during set-up; Dispatch() from any thread afterwards.
#ifndef SCRIBE_HOST_HTTP_ROUTER_H_
#define SCRIBE_HOST_HTTP_ROUTER_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "host/http/exchange.h"

namespace scribe::http {

using Handler = std::function<void(Exchange&)>;

// Who may use a route: anyone (the viewer's files, /healthz), any valid API
// key, or only an admin key. With authentication off, everyone is admin.
enum class Access { kPublic, kKey, kAdmin };

// Finds out who made a request (auth.h); Unauthenticated when no valid key.
using Authenticate = std::function<Result<jobs::Caller>(Exchange&)>;

// Which other origins' pages may call the API from a browser (CORS).
struct CorsPolicy {
  std::vector<std::string> origins;  // "https://app.example[:port]", or "*" for any

  bool enabled() const { return !origins.empty(); }
  // The Access-Control-Allow-Origin value for a request from `origin`
  // (empty: not allowed).
  std::string AllowOriginFor(const std::string& origin) const;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler, Access access = Access::kKey);
  // Set once, before serving; without it every request is the local user.
  void SetAuthenticate(Authenticate authenticate) { authenticate_ = std::move(authenticate); }
  // Set once, before serving. With origins, a request from one of them gets
  // Access-Control-Allow-Origin on its answer (SSE streams included), and a
  // preflight (OPTIONS with Access-Control-Request-Method) gets 204 with the
  // path's methods and the headers Scribe reads, before any authentication;
  // a preflight from another origin gets 403.
  void SetCors(CorsPolicy cors) { cors_ = std::move(cors); }
  // Finds the route for the exchange's method and path and runs it.
  void Dispatch(Exchange& exchange) const;

  struct RouteInfo {
    std::string method;
    std::string pattern;
  };
  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    Access access;
  };
  static bool Match(const Route& route, const std::vector<std::string>& segments,
                    std::map<std::string, std::string>& params);

  // Answers a CORS preflight; false when the request is not one.
  bool Preflight(Exchange& exchange, const std::string& path,
                 const std::set<std::string>& methods) const;

  std::vector<Route> routes_;
  Authenticate authenticate_;
  CorsPolicy cors_;
};

// Splits "/a/b/c" into {"a","b","c"}; percent-escapes are decoded.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_ROUTER_H_
