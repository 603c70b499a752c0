// Router: the only table of Scribe's routes. A route is a method and a path
// pattern whose `{name}` segments match one path segment each. A path that
// matches no pattern gets 404; one that matches with another method, 405
// with an Allow header.
//
// Thread safety: Add() during set-up; Dispatch() from any thread afterwards.
#ifndef SCRIBE_HOST_HTTP_ROUTER_H_
#define SCRIBE_HOST_HTTP_ROUTER_H_

#include <functional>
#include <string>
#include <vector>

#include "host/http/exchange.h"

namespace scribe::http {

using Handler = std::function<void(Exchange&)>;

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
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
  };
  static bool Match(const Route& route, const std::vector<std::string>& segments,
                    std::map<std::string, std::string>& params);

  std::vector<Route> routes_;
};

// Splits "/a/b/c" into {"a","b","c"}; percent-escapes are decoded.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_ROUTER_H_
