// API keys against the real host: requests without a valid key get 401, a
// key sees and steers only its own documents and jobs (others' are 404),
// an admin key sees everything and /metrics, a revoked key stops at once,
// and a host refuses a non-loopback address it would serve to anyone.
#include "tests/e2e/host_fixture.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

class AuthTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--auth", "on"}; }

  std::vector<std::string> Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), BinDir() + "/scribectl");
    return args;
  }
  // Creates a key on the host's database (beside the running host); returns
  // its secret.
  std::string CreateKey(const std::string& name, bool admin = false) {
    std::vector<std::string> args =
        Ctl({"--db", dir_.File("scribe.db"), "keys", "create", "--name", name});
    if (admin) args.push_back("--admin");
    ProcessResult created = RunProcess(args);
    EXPECT_EQ(created.exit_code, 0) << created.err;
    EXPECT_NE(created.err.find("only its hash is stored"), std::string::npos);
    return created.out.substr(0, created.out.find('\n'));
  }
  HttpResponse As(const std::string& key, const std::string& method, const std::string& path,
                  const std::string& body = "") {
    return Http(port(), method, path, body, "application/json",
                {{"Authorization", "Bearer " + key}});
  }
  std::string SubmitAs(const std::string& key, const std::string& extra = "") {
    HttpResponse response =
        As(key, "POST", "/api/jobs",
           R"({"content":"# Mine\n\nOnly mine.","params":{"chunks_per_second":0})" + extra + "}");
    EXPECT_EQ(response.status, 201) << response.body;
    return response.Json().value("id", "");
  }
  // Waits for a job to finish, asking as `key`.
  std::string WaitFinished(const std::string& key, const std::string& id) {
    for (int i = 0; i < 1500; ++i) {
      std::string state = As(key, "GET", "/api/jobs/" + id).Json().value("state", "");
      if (state == "succeeded" || state == "failed" || state == "cancelled") return state;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
  }
  void ExpectError(const HttpResponse& response, int status, const std::string& code,
                   const std::string& what) {
    EXPECT_EQ(response.status, status) << what << ": " << response.body;
    EXPECT_EQ(response.Json()["error"]["code"], code) << what << ": " << response.body;
  }
};

TEST_F(AuthTest, RequestsWithoutAValidKeyGet401AndPublicRoutesStayOpen) {
  std::string user = CreateKey("alice");
  std::string admin = CreateKey("ops", /*admin=*/true);
  HttpResponse none = Http(port(), "GET", "/api/jobs");
  ExpectError(none, 401, "unauthorized", "no key");
  EXPECT_NE(none.Header("www-authenticate").find("Bearer"), std::string::npos);
  ExpectError(As("sk_scribe_not-a-real-key", "GET", "/api/jobs"), 401, "unauthorized",
              "unknown key");
  ExpectError(Http(port(), "GET", "/api/jobs", "", "", {{"Authorization", "Basic " + user}}), 401,
              "unauthorized", "not a Bearer token");
  ExpectError(Http(port(), "POST", "/api/jobs", R"({"content":"x"})"), 401, "unauthorized",
              "submit without a key");
  for (const char* open : {"/healthz", "/", "/app.js", "/style.css", "/api/openapi.json"}) {
    EXPECT_EQ(Http(port(), "GET", open).status, 200) << open;
  }
  EXPECT_EQ(As(user, "GET", "/api/jobs").status, 200);
  EXPECT_EQ(As(user, "GET", "/api/providers").status, 200);
  ExpectError(As(user, "GET", "/metrics"), 403, "forbidden", "metrics for a user key");
  EXPECT_EQ(As(admin, "GET", "/metrics").status, 200);
  // The viewer's EventSource cannot send headers: the same key as a cookie.
  std::string id = SubmitAs(user);
  EXPECT_EQ(Http(port(), "GET", "/api/jobs/" + id + "/output", "", "",
                 {{"Cookie", "theme=dark; scribe_key=" + user}})
                .status,
            200);
  EXPECT_EQ(Http(port(), "GET", "/api/jobs/" + id + "/output").status, 401);

  // Signing in sets that cookie, HttpOnly and SameSite=Strict; a bad key sets nothing.
  HttpResponse bad = Http(port(), "POST", "/api/session", R"({"key":"sk_scribe_wrong"})");
  ExpectError(bad, 401, "unauthorized", "sign in with a bad key");
  EXPECT_EQ(bad.Header("set-cookie"), "");
  HttpResponse signed_in =
      Http(port(), "POST", "/api/session", nlohmann::json{{"key", user}}.dump());
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(signed_in.Header("set-cookie"),
            "scribe_key=" + user + "; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(signed_in.Json()["admin"], false);
  EXPECT_EQ(As(admin, "GET", "/api/session").Json()["admin"], true);
  HttpResponse signed_out = Http(port(), "DELETE", "/api/session");
  EXPECT_EQ(signed_out.status, 204);
  EXPECT_NE(signed_out.Header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(AuthTest, AKeySeesAndSteersOnlyItsOwnJobsAndDocuments) {
  std::string alice = CreateKey("alice");
  std::string bob = CreateKey("bob");
  std::string admin = CreateKey("ops", /*admin=*/true);
  std::string job = SubmitAs(alice);
  ASSERT_EQ(WaitFinished(alice, job), "succeeded");
  HttpResponse doc = As(alice, "POST", "/api/documents", R"({"title":"a","content":"alice's"})");
  ASSERT_EQ(doc.status, 201);
  std::string doc_id = doc.Json()["id"];

  // To bob, alice's things do not exist.
  const std::string base = "/api/jobs/" + job;
  for (auto [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", base},
                                                        {"GET", base + "/events"},
                                                        {"GET", base + "/output"},
                                                        {"POST", base + "/cancel"},
                                                        {"POST", base + "/continue"},
                                                        {"POST", base + "/retry"},
                                                        {"DELETE", base}}) {
    ExpectError(As(bob, method, path), 404, "job_not_found", method + " " + path);
  }
  ExpectError(As(bob, "GET", "/api/documents/" + doc_id), 404, "document_not_found", "doc");
  ExpectError(As(bob, "DELETE", "/api/documents/" + doc_id), 404, "document_not_found", "delete");
  ExpectError(As(bob, "POST", "/api/jobs", R"({"document_id":")" + doc_id + R"("})"), 404,
              "document_not_found", "submit from another's document");
  EXPECT_EQ(As(bob, "GET", "/api/jobs").Json()["jobs"].size(), 0u);
  EXPECT_EQ(As(bob, "GET", "/api/documents").Json()["documents"].size(), 0u);

  // Alice sees and steers hers; the admin sees everyone's.
  EXPECT_EQ(As(alice, "GET", base).status, 200);
  EXPECT_EQ(As(alice, "GET", base + "/output").body.empty(), false);
  EXPECT_EQ(As(alice, "GET", "/api/jobs").Json()["jobs"].size(), 1u);
  HttpResponse retried = As(alice, "POST", base + "/retry");
  ASSERT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(As(alice, "GET", "/api/jobs").Json()["jobs"].size(), 2u) << "a retry stays hers";
  std::string bobs = SubmitAs(bob);
  EXPECT_EQ(As(admin, "GET", "/api/jobs").Json()["jobs"].size(), 3u);
  EXPECT_EQ(As(admin, "GET", "/api/jobs/" + bobs).status, 200);
  EXPECT_EQ(As(admin, "GET", "/api/documents/" + doc_id).status, 200);

  // Idempotency keys are per API key: the same key names different jobs.
  auto submit_with = [&](const std::string& key) {
    return Http(port(), "POST", "/api/jobs", R"({"content":"same words"})", "application/json",
                {{"Authorization", "Bearer " + key}, {"Idempotency-Key", "retry-1"}});
  };
  HttpResponse first = submit_with(alice);
  HttpResponse other = submit_with(bob);
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(other.status, 201) << other.body;
  EXPECT_NE(first.Json()["id"], other.Json()["id"]);
  EXPECT_EQ(submit_with(alice).Json()["id"], first.Json()["id"]);
}

TEST_F(AuthTest, KeysAreListedWithoutSecretsAndARevokedKeyStopsAtOnce) {
  std::string alice = CreateKey("alice");
  CreateKey("ops", /*admin=*/true);
  ASSERT_EQ(As(alice, "GET", "/api/jobs").status, 200);
  ProcessResult listed =
      RunProcess(Ctl({"--db", dir_.File("scribe.db"), "keys", "list", "--json"}));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  nlohmann::json keys = nlohmann::json::parse(listed.out);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0]["name"], "alice");
  EXPECT_EQ(keys[1]["admin"], true);
  EXPECT_EQ(alice.rfind(keys[0]["prefix"].get<std::string>(), 0), 0u);
  EXPECT_EQ(listed.out.find(alice), std::string::npos) << "the secret is never shown again";

  ProcessResult revoked = RunProcess(
      Ctl({"--db", dir_.File("scribe.db"), "keys", "revoke", keys[0]["id"].get<std::string>()}));
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  ExpectError(As(alice, "GET", "/api/jobs"), 401, "unauthorized", "revoked");
  EXPECT_EQ(
      RunProcess(Ctl({"--db", dir_.File("scribe.db"), "keys", "revoke", "key_nope"})).exit_code, 4);
  EXPECT_EQ(RunProcess(Ctl({"--db", dir_.File("scribe.db"), "keys", "create"})).exit_code, 2);
  // The host never logged a secret.
  EXPECT_EQ(host_->Log().find(alice), std::string::npos);
}

TEST_F(AuthTest, ScribectlSendsItsKeyAndExitsNineWithoutOne) {
  std::string alice = CreateKey("alice");
  std::string id = SubmitAs(alice);
  ASSERT_EQ(WaitFinished(alice, id), "succeeded");
  std::vector<std::string> base = {"--url", host_->base_url()};
  auto ctl = [&](std::vector<std::string> args, const EnvChanges& env = {}) {
    args.insert(args.begin(), base.begin(), base.end());
    return RunProcess(Ctl(args), "", env);
  };
  ProcessResult without = ctl({"jobs"}, {"-SCRIBE_KEY"});
  EXPECT_EQ(without.exit_code, 9) << without.err;
  EXPECT_NE(without.err.find("needs an API key"), std::string::npos) << without.err;
  ProcessResult with = ctl({"--key", alice, "jobs", "--json"});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(nlohmann::json::parse(with.out)[0]["id"], id);
  ProcessResult from_env = ctl({"tail", id, "-f"}, {"SCRIBE_KEY=" + alice});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(ctl({"--key", alice, "stats"}).exit_code, 9) << "/metrics needs an admin key";
}

TEST(ExposureTest, AHostRefusesAPublicAddressItWouldServeToAnyone) {
  TempDir dir;
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--auth", "off"}, std::vector<std::string>{"--auth", "on"}}) {
    std::vector<std::string> args = {BinDir() + "/scribed", "--listen",  "0.0.0.0:0", "--db",
                                     dir.File("scribe.db"), "--plugins", PluginDir()};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcessResult refused = RunProcess(args, "", {}, 15);
    EXPECT_NE(refused.exit_code, 0) << flags[1];
    EXPECT_NE(refused.err.find("refusing to listen on 0.0.0.0:0"), std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("--insecure-public-listen yes"), std::string::npos);
  }
}

}  // namespace
}  // namespace scribe::testing
