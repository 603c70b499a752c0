// Every bad request gets a 4xx with {"error":{"code","message"}} and changes
// no stored data.
#include "tests/e2e/host_fixture.h"

namespace scribe::testing {
namespace {

class ApiErrorsTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--max-body-bytes", "4096"}; }

  // Everything a client can see of the stored data.
  std::string Snapshot() {
    std::string all;
    for (const char* path : {"/api/jobs?limit=1000", "/api/documents?limit=1000"}) {
      all += Http(port(), "GET", path).body;
    }
    std::string metrics = Http(port(), "GET", "/metrics").body;
    size_t at = metrics.find("scribe_bytes_appended_total ");
    all += metrics.substr(at, metrics.find('\n', at) - at);
    return all;
  }

  void ExpectError(const HttpResponse& response, int status, const std::string& code,
                   const std::string& what) {
    EXPECT_EQ(response.status, status) << what << ": " << response.body;
    nlohmann::json body = response.Json();
    ASSERT_TRUE(body.is_object()) << what << ": " << response.body;
    EXPECT_EQ(body["error"]["code"], code) << what;
    EXPECT_TRUE(body["error"]["message"].is_string() &&
                !body["error"]["message"].get<std::string>().empty())
        << what;
  }
};

TEST_F(ApiErrorsTest, BadSubmissionsAreRefusedAndStoreNothing) {
  std::string before = Snapshot();
  struct Case {
    std::string what, body, content_type;
    int status;
    std::string code;
  };
  std::vector<Case> cases = {
      {"malformed JSON", "{\"content\": ", "application/json", 400, "invalid_json"},
      {"not an object", "[1,2]", "application/json", 400, "invalid_json"},
      {"no input", "{}", "application/json", 400, "missing_input"},
      {"unknown document", R"({"document_id":"doc_missing"})", "application/json", 404,
       "document_not_found"},
      {"both inputs", R"({"document_id":"d","content":"x"})", "application/json", 400,
       "conflicting_input"},
      {"empty content", R"({"content":"   "})", "application/json", 400, "empty_document"},
      {"unknown provider", R"({"content":"x","provider":"nope"})", "application/json", 400,
       "unknown_provider"},
      {"unknown model", R"({"content":"x","model":"gpt-9"})", "application/json", 400,
       "unknown_model"},
      {"bad params", R"({"content":"x","params":[1]})", "application/json", 400, "invalid_field"},
      {"bad plugin param", R"({"content":"x","params":{"chunks_per_second":-3}})",
       "application/json", 400, "invalid_request"},
      {"bad temperature", R"({"content":"x","temperature":"hot"})", "application/json", 400,
       "invalid_field"},
      {"temperature out of range", R"({"content":"x","temperature":9})", "application/json", 400,
       "invalid_temperature"},
      {"negative tokens", R"({"content":"x","max_output_tokens":-1})", "application/json", 400,
       "invalid_max_output_tokens"},
      {"huge tokens", R"({"content":"x","max_output_tokens":99999999999999999999})",
       "application/json", 400, "invalid_field"},
      {"unknown field", R"({"content":"x","colour":"red"})", "application/json", 400,
       "unknown_field"},
      {"bad fallback", R"({"content":"x","fallback":[{"provider":"nope"}]})", "application/json",
       400, "unknown_provider"},
      {"invalid UTF-8", "{\"content\":\"caf\xC3\x28\"}", "application/json", 400, "invalid_utf8"},
      {"wrong media type", R"({"content":"x"})", "text/plain", 415, "unsupported_media_type"},
      {"body over the limit", "{\"content\":\"" + std::string(5000, 'a') + "\"}",
       "application/json", 413, "body_too_large"},
  };
  for (const Case& c : cases) {
    ExpectError(Http(port(), "POST", "/api/jobs", c.body, c.content_type), c.status, c.code,
                c.what);
  }
  ExpectError(Http(port(), "POST", "/api/documents", "caf\xC3\x28", "text/plain"), 400,
              "invalid_utf8", "non-UTF-8 document");
  ExpectError(Http(port(), "POST", "/api/documents", R"({"title":"t"})"), 400, "missing_content",
              "document without content");
  ExpectError(Http(port(), "POST", "/api/documents", "x", "image/png"), 415,
              "unsupported_media_type", "binary document");
  ExpectError(Http(port(), "POST", "/api/jobs", "{}", "application/json",
                   {{"Idempotency-Key", std::string(300, 'k')}}),
              400, "invalid_idempotency_key", "long idempotency key");
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ApiErrorsTest, BadOffsetsAreRefusedPrecisely) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  std::string script = Script(1);
  size_t check = script.find("✓");  // 3 bytes
  ASSERT_NE(check, std::string::npos);
  std::string inside = std::to_string(check + 1);
  std::string past = std::to_string(script.size() + 1);
  std::string before = Snapshot();
  for (std::string path : {"/events", "/output"}) {
    std::string base = "/api/jobs/" + id + path;
    ExpectError(Http(port(), "GET", base + "?offset=-1"), 400, "invalid_offset",
                path + " negative");
    ExpectError(Http(port(), "GET", base + "?offset=abc"), 400, "invalid_offset",
                path + " not a number");
    ExpectError(Http(port(), "GET", base + "?offset=1e3"), 400, "invalid_offset",
                path + " exponent");
    ExpectError(Http(port(), "GET", base + "?offset=" + inside), 400, "invalid_offset",
                path + " mid-character");
    ExpectError(Http(port(), "GET", base + "?offset=" + past), 416, "offset_out_of_range",
                path + " past end");
    ExpectError(Http(port(), "GET", "/api/jobs/job_missing" + path), 404, "job_not_found",
                path + " unknown job");
  }
  ExpectError(
      Http(port(), "GET", "/api/jobs/" + id + "/events", "", "", {{"Last-Event-ID", "garbage"}}),
      400, "invalid_offset", "bad Last-Event-ID");
  ExpectError(Http(port(), "GET", "/api/jobs/" + id + "/output", "", "", {{"Range", "bytes=9-2"}}),
              400, "invalid_range", "reversed range");
  HttpResponse beyond = Http(port(), "GET", "/api/jobs/" + id + "/output", "", "",
                             {{"Range", "bytes=" + past + "-"}});
  ExpectError(beyond, 416, "range_not_satisfiable", "range past the end");
  EXPECT_EQ(beyond.Header("content-range"), "bytes */" + std::to_string(script.size()));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ApiErrorsTest, TransitionsThatDoNotApplyAreConflicts) {
  std::string done = SubmitOffline(port(), "Finished quickly.", 0);
  WaitForState(port(), done, {"succeeded"});
  std::string slow = SubmitOffline(port(), Document(3), 5);
  WaitForState(port(), slow, {"running"});
  std::string before = Snapshot();
  ExpectError(Http(port(), "POST", "/api/jobs/" + done + "/cancel"), 409, "job_finished",
              "cancel finished");
  ExpectError(Http(port(), "POST", "/api/jobs/" + done + "/continue"), 409, "job_succeeded",
              "continue succeeded");
  ExpectError(Http(port(), "POST", "/api/jobs/" + slow + "/continue"), 409, "job_active",
              "continue running");
  ExpectError(Http(port(), "POST", "/api/jobs/" + slow + "/retry"), 409, "job_active",
              "retry running");
  ExpectError(Http(port(), "DELETE", "/api/jobs/" + slow), 409, "job_active", "delete running");
  ExpectError(Http(port(), "POST", "/api/jobs/job_missing/cancel"), 404, "job_not_found",
              "cancel unknown");
  ExpectError(Http(port(), "DELETE", "/api/documents/doc_missing"), 404, "document_not_found",
              "delete unknown doc");
  EXPECT_EQ(Http(port(), "POST", "/api/jobs/" + slow + "/cancel").status, 200);
}

TEST_F(ApiErrorsTest, UnknownRoutesMethodsAndQueriesAreClientErrors) {
  ExpectError(Http(port(), "GET", "/api/nothing"), 404, "route_not_found", "unknown route");
  ExpectError(Http(port(), "GET", "/nothing/here"), 404, "route_not_found", "unknown page");
  HttpResponse put = Http(port(), "PUT", "/api/jobs", "{}");
  ExpectError(put, 405, "method_not_allowed", "PUT /api/jobs");
  EXPECT_EQ(put.Header("allow"), "GET, POST");
  ExpectError(Http(port(), "GET", "/api/jobs/x/cancel"), 405, "method_not_allowed", "GET cancel");
  ExpectError(Http(port(), "GET", "/api/jobs?state=bogus"), 400, "invalid_state", "bad state");
  ExpectError(Http(port(), "GET", "/api/jobs?limit=0"), 400, "invalid_limit", "bad limit");
  ExpectError(Http(port(), "GET", "/api/jobs?since=yesterday"), 400, "invalid_timestamp",
              "bad since");
  ExpectError(Http(port(), "GET", "/api/jobs?cursor=zzz"), 400, "invalid_cursor", "bad cursor");
  ExpectError(Http(port(), "GET", "/api/jobs?x=%zz"), 400, "invalid_query", "bad escape");
}

TEST_F(ApiErrorsTest, NoAnswerLetsABrowserGuessItsType) {
  std::string id = SubmitOffline(port(), "# A\n\nB.", 0);
  WaitForState(port(), id, {"succeeded"});
  for (const std::string& path :
       std::vector<std::string>{"/", "/healthz", "/api/jobs", "/api/jobs/" + id + "/output",
                                "/api/nothing", "/api/jobs?limit=0"}) {
    EXPECT_EQ(Http(port(), "GET", path).Header("x-content-type-options"), "nosniff") << path;
  }
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  EXPECT_NE(viewer.head().find("X-Content-Type-Options: nosniff"), std::string::npos)
      << viewer.head();
}

}  // namespace
}  // namespace scribe::testing
