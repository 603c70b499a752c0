// The OpenAPI document and the router agree: every route the router serves
// is documented, and every documented operation is served.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "host/http/routes.h"
#include "tests/support/host_process.h"

namespace scribe::http {
namespace {

std::set<std::string> Served() {
  testing::TempDir dir;
  auto store = store::OpenStore(dir.File("routes.db"), store::StoreOptions{});
  EXPECT_TRUE(store.ok());
  plugin::Registry registry([](const std::string&) { return std::nullopt; });
  struct NoLog : stream::LogSource {
    Result<std::string> ReadLog(const std::string&, int64_t, int64_t) override {
      return std::string();
    }
  } source;
  stream::SseHub hub(source, stream::HubOptions{});
  jobs::JobService service(**store, registry, hub, jobs::JobServiceOptions{});
  streams::StreamService streams(**store, hub, streams::StreamServiceOptions{});
  streams::SubscriptionService subscriptions(**store, streams::SubscriptionOptions{});
  Router router;
  Authenticator authenticator(**store, /*required=*/true);
  AddApiRoutes(router, service, streams, subscriptions, hub, authenticator);
  std::set<std::string> served;
  for (const Router::RouteInfo& route : router.Routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // OpenAPI has no rest-of-path parameter: {path...} is documented as {path}.
    std::string pattern = route.pattern;
    if (size_t rest = pattern.find("...}"); rest != std::string::npos) pattern.erase(rest, 3);
    served.insert(method + " " + pattern);
  }
  return served;
}

std::set<std::string> Documented() {
  nlohmann::json doc = nlohmann::json::parse(kOpenApiJson);
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      documented.insert(method + " " + path);
    }
  }
  return documented;
}

TEST(OpenApiRoutesTest, EveryServedRouteIsDocumentedAndViceVersa) {
  std::set<std::string> served = Served(), documented = Documented();
  for (const std::string& route : served)
    EXPECT_TRUE(documented.count(route)) << "undocumented: " << route;
  for (const std::string& op : documented) EXPECT_TRUE(served.count(op)) << "not served: " << op;
  EXPECT_GE(served.size(), 17u);
}

TEST(OpenApiRoutesTest, EveryOperationDocumentsItsErrorsAsTheErrorSchema) {
  nlohmann::json doc = nlohmann::json::parse(kOpenApiJson);
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      for (const auto& [code, response] : operation["responses"].items()) {
        if (code[0] != '4' && code[0] != '5') continue;
        EXPECT_EQ(response["content"]["application/json"]["schema"]["$ref"],
                  "#/components/schemas/Error")
            << method << " " << path << " " << code;
      }
    }
  }
}

}  // namespace
}  // namespace scribe::http
