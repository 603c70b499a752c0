// Cross-origin access from browsers (CORS): off by default; with
// --cors-origins, the listed origins' pages may call the API and watch
// events, preflights are answered before authentication, and other origins
// get nothing that lets a browser read the answer.
#include "tests/e2e/host_fixture.h"

namespace scribe::testing {
namespace {

const std::string kApp = "https://app.example";

HttpResponse Preflight(int port, const std::string& path, const std::string& origin,
                       const std::string& method = "POST") {
  return Http(port, "OPTIONS", path, "", "application/json",
              {{"Origin", origin},
               {"Access-Control-Request-Method", method},
               {"Access-Control-Request-Headers", "authorization, content-type"}});
}

using CorsOffTest = HostTest;

TEST_F(CorsOffTest, WithoutCorsOriginsNoOtherOriginIsAllowed) {
  HttpResponse get = Http(port(), "GET", "/api/jobs", "", "", {{"Origin", kApp}});
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.Header("access-control-allow-origin"), "");
  HttpResponse preflight = Preflight(port(), "/api/jobs", kApp);
  EXPECT_EQ(preflight.status, 405);
  EXPECT_EQ(preflight.Header("access-control-allow-origin"), "");
}

class CorsTest : public HostTest {
 protected:
  // Keys required: a preflight carries none and must still pass.
  std::vector<std::string> HostArgs() override {
    return {"--cors-origins", kApp + ", http://127.0.0.1:5173", "--auth", "on"};
  }
};

TEST_F(CorsTest, APreflightFromAListedOriginIsAnsweredBeforeAuthentication) {
  HttpResponse preflight = Preflight(port(), "/api/jobs", kApp);
  EXPECT_EQ(preflight.status, 204) << preflight.body;
  EXPECT_EQ(preflight.Header("access-control-allow-origin"), kApp);
  EXPECT_EQ(preflight.Header("access-control-allow-methods"), "GET, POST");
  for (const char* header :
       {"Authorization", "Content-Type", "Idempotency-Key", "If-None-Match", "Last-Event-ID"}) {
    EXPECT_NE(preflight.Header("access-control-allow-headers").find(header), std::string::npos)
        << header;
  }
  EXPECT_EQ(preflight.Header("vary"), "Origin");
  EXPECT_EQ(preflight.Header("access-control-max-age"), "600");

  // The real request then needs its key like any other; its error is
  // readable by the page.
  HttpResponse denied = Http(port(), "GET", "/api/jobs", "", "", {{"Origin", kApp}});
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.Header("access-control-allow-origin"), kApp);
  EXPECT_NE(denied.Header("access-control-expose-headers").find("Retry-After"), std::string::npos);
}

TEST_F(CorsTest, OtherOriginsGetNoAllowOrigin) {
  HttpResponse preflight = Preflight(port(), "/api/jobs", "https://evil.example");
  EXPECT_EQ(preflight.status, 403);
  EXPECT_EQ(preflight.Json()["error"]["code"], "forbidden");
  EXPECT_EQ(preflight.Header("access-control-allow-origin"), "");
  HttpResponse health =
      Http(port(), "GET", "/healthz", "", "", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Header("access-control-allow-origin"), "");
  EXPECT_EQ(health.Header("vary"), "Origin");
  EXPECT_EQ(Preflight(port(), "/no/such/route", kApp).status, 404);
}

class CorsAnyOriginTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--cors-origins", "*"}; }
};

TEST_F(CorsAnyOriginTest, AnyOriginMayWatchALiveStream) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  HttpResponse events =
      RawHttp(port(), {"GET /api/jobs/" + id +
                       "/events HTTP/1.1\r\nHost: x\r\nAccept: "
                       "text/event-stream\r\nOrigin: https://any.example\r\n\r\n"});
  EXPECT_EQ(events.status, 200);
  EXPECT_EQ(events.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(events.Header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_NE(events.body.find("event: complete"), std::string::npos);
  EXPECT_EQ(events.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(Preflight(port(), "/api/jobs/" + id + "/events", "https://any.example", "GET").status,
            204);
}

}  // namespace
}  // namespace scribe::testing
