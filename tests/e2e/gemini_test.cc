// The gemini plugin through the real host, against a fake Gemini server on
// loopback that speaks the wire format byte for byte (tests/fakes/
// fake_llm.py): every scenario's final state, error code, stored text,
// events and usage; retries, fallback, continuation, cancel, TLS, and a long
// silent generation kept alive by heartbeats.
#include <cstdlib>
#include <thread>

#include "tests/e2e/fake_provider_fixture.h"

namespace scribe::testing {
namespace {

class GeminiTest : public FakeProviderTest {
 protected:
  std::string Provider() const override { return "gemini"; }
  nlohmann::json PluginConfig() override {
    nlohmann::json plugin = Settings();
    plugin["GEMINI_BASE_URL"] = BaseUrl();
    if (WithKey()) plugin["GOOGLE_API_KEY"] = "test-key";
    return plugin;
  }
  virtual nlohmann::json Settings() { return {{"GEMINI_IDLE_TIMEOUT_MS", "1500"}}; }
  virtual std::string BaseUrl() { return fake_.base_url(); }
  virtual bool WithKey() { return true; }
};

class GeminiScenarioTest : public ScenarioTest {
 protected:
  std::string Provider() const override { return "gemini"; }
  nlohmann::json PluginConfig() override {
    return {{"GEMINI_IDLE_TIMEOUT_MS", "1500"},
            {"GEMINI_BASE_URL", fake_.base_url()},
            {"GOOGLE_API_KEY", "test-key"}};
  }
};

TEST_P(GeminiScenarioTest, EndsAsTheWireFormatSays) { Check("gemini-fake-001"); }

INSTANTIATE_TEST_SUITE_P(
    Scenarios, GeminiScenarioTest,
    ::testing::Values(
        Scenario{"fake-normal", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-thoughts", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-empty-final", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-no-candidates", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-lf", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-utf8-split", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-bytewise", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-bigline", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-max-tokens", "failed", "output_limit_reached", "MAX_TOKENS", Text::kPrefix,
                 1},
        Scenario{"fake-safety", "failed", "content_blocked", "SAFETY", Text::kEmpty, 1},
        Scenario{"fake-blocked", "failed", "content_blocked", "PROHIBITED_CONTENT", Text::kEmpty,
                 1},
        Scenario{"fake-400-key", "failed", "provider_auth_failed", "API_KEY_INVALID", Text::kEmpty,
                 1},
        Scenario{"fake-400", "failed", "provider_bad_request", "INVALID_ARGUMENT", Text::kEmpty, 1},
        Scenario{"fake-403", "failed", "provider_auth_failed", "PERMISSION_DENIED", Text::kEmpty,
                 1},
        Scenario{"fake-404", "failed", "model_not_found", "NOT_FOUND", Text::kEmpty, 1},
        Scenario{"fake-429-quota", "failed", "provider_quota_exhausted", "RESOURCE_EXHAUSTED",
                 Text::kEmpty, 1},
        Scenario{"fake-500", "failed", "provider_unavailable", "INTERNAL", Text::kEmpty, 3},
        Scenario{"fake-503", "failed", "provider_unavailable", "UNAVAILABLE", Text::kEmpty, 3},
        Scenario{"fake-504", "failed", "provider_timeout", "DEADLINE_EXCEEDED", Text::kEmpty, 3},
        Scenario{"fake-429-retry", "failed", "provider_rate_limited", "RESOURCE_EXHAUSTED",
                 Text::kEmpty, 3},
        Scenario{"fake-flaky-2", "succeeded", "", "", Text::kFull, 3},
        Scenario{"fake-ratelimit-once", "succeeded", "", "", Text::kFull, 2},
        Scenario{"fake-midstream-error", "succeeded", "", "", Text::kFull, 2},
        Scenario{"fake-cut-40", "succeeded", "", "", Text::kFull, 2},
        Scenario{"fake-stall-5", "succeeded", "", "", Text::kFull, 2},
        Scenario{"fake-silent-2", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-no-finish", "failed", "provider_truncated", "missing_finish_reason",
                 Text::kFull, 3}),
    ScenarioName);

TEST_F(GeminiTest, SendsTheRequestTheApiExpects) {
  std::string id = Submit(
      "fake-normal",
      {{"temperature", 0.3}, {"max_output_tokens", 2048}, {"params", {{"thinking_budget", 512}}}});
  WaitForState(port(), id, {"succeeded"});
  nlohmann::json requests = FakeRequests();
  ASSERT_EQ(requests.size(), 1u);
  const nlohmann::json& r = requests[0];
  EXPECT_EQ(r["model"], "fake-normal");
  EXPECT_EQ(r["query"], "alt=sse");
  EXPECT_EQ(r["headers"]["x-goog-api-key"], "test-key");
  EXPECT_EQ(r["headers"]["content-type"], "application/json");
  const nlohmann::json& body = r["body"];
  EXPECT_NE(body["systemInstruction"]["parts"][0]["text"].get<std::string>().find("audio lesson"),
            std::string::npos);
  EXPECT_EQ(body["contents"].size(), 1u);
  EXPECT_EQ(body["contents"][0]["role"], "user");
  EXPECT_EQ(body["contents"][0]["parts"][0]["text"], kDocument);
  EXPECT_DOUBLE_EQ(body["generationConfig"]["temperature"].get<double>(), 0.3);
  EXPECT_EQ(body["generationConfig"]["maxOutputTokens"], 2048);
  EXPECT_EQ(body["generationConfig"]["thinkingConfig"]["thinkingBudget"], 512);
}

TEST_F(GeminiTest, ACustomPromptBecomesTheSystemInstructionAndTemperatureDefaultsTo07) {
  std::string id = Submit("fake-normal", {{"prompt", "Write a limerick."}});
  WaitForState(port(), id, {"succeeded"});
  nlohmann::json body = FakeRequests()[0]["body"];
  EXPECT_EQ(body["systemInstruction"]["parts"][0]["text"], "Write a limerick.");
  EXPECT_DOUBLE_EQ(body["generationConfig"]["temperature"].get<double>(), 0.7);
}

TEST_F(GeminiTest, AStreamCutAt40PercentIsContinuedWithoutRepeatingAnything) {
  std::string id = Submit("fake-cut-40");
  nlohmann::json job = WaitForState(port(), id, {"succeeded", "failed"});
  ASSERT_EQ(job["state"], "succeeded");
  std::string full = FakeScript(kDocument);
  EXPECT_EQ(Output(id), full);
  // The second request carried the first 40% as the model's turn.
  nlohmann::json requests = FakeRequests();
  ASSERT_EQ(requests.size(), 2u);
  const nlohmann::json& contents = requests[1]["body"]["contents"];
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[1]["role"], "model");
  std::string partial = contents[1]["parts"][0]["text"];
  EXPECT_EQ(partial, full.substr(0, partial.size()));
  EXPECT_NEAR(static_cast<double>(partial.size()), full.size() * 0.4, full.size() * 0.1);
  EXPECT_EQ(job["history"]["attempts"][0]["error"]["code"], "provider_truncated");
  EXPECT_EQ(job["history"]["attempts"][1]["start_offset"], static_cast<int64_t>(partial.size()));
}

TEST_F(GeminiTest, AJobWhosePrimaryReturns503CompletesOnItsFallback) {
  std::string id =
      Submit("fake-503", {{"fallback", {{{"provider", "gemini"}, {"model", "fake-normal"}}}}});
  nlohmann::json job = WaitForState(port(), id, {"succeeded", "failed"});
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  EXPECT_EQ(Output(id), FakeScript(kDocument));
  const nlohmann::json& attempts = job["history"]["attempts"];
  ASSERT_EQ(attempts.size(), 4u);  // three tries on the primary, then the fallback
  EXPECT_EQ(attempts[0]["model"], "fake-503");
  EXPECT_EQ(attempts[2]["error"]["code"], "provider_unavailable");
  EXPECT_EQ(attempts[3]["model"], "fake-normal");
  EXPECT_EQ(attempts[3]["state"], "succeeded");
}

TEST_F(GeminiTest, UsageIsAccountedForEveryAttempt) {
  std::string id = Submit("fake-midstream-error");
  nlohmann::json job = WaitForState(port(), id, {"succeeded", "failed"});
  ASSERT_EQ(job["state"], "succeeded");
  const nlohmann::json& attempts = job["history"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u);
  int64_t input = 0;
  for (const auto& a : attempts) {
    EXPECT_GT(a["usage"]["input_tokens"].get<int64_t>(), 0);
    input += a["usage"]["input_tokens"].get<int64_t>();
  }
  EXPECT_EQ(job["usage"]["input_tokens"], input);
  std::string metrics = Http(port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("scribe_provider_tokens_total{provider=\"gemini\",kind=\"input\"} " +
                         std::to_string(input)),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("scribe_provider_attempts_total{provider=\"gemini\"} 2"),
            std::string::npos);
}

TEST_F(GeminiTest, CancelClosesTheUpstreamConnectionPromptly) {
  std::string id = Submit("fake-slow-0-8");
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  ASSERT_TRUE(viewer.ReadUntil([](const SseEvent& e) { return e.event == "token"; }));
  auto asked = std::chrono::steady_clock::now();
  ASSERT_EQ(Http(port(), "POST", "/api/jobs/" + id + "/cancel").status, 200);
  bool stopped = false;
  while (!stopped && std::chrono::steady_clock::now() - asked < std::chrono::seconds(5)) {
    stopped = Http(port(), "GET", "/metrics").body.find("scribe_generations_running 0\n") !=
              std::string::npos;
    if (!stopped) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(stopped);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(2));
  ASSERT_TRUE(viewer.ReadToEnd());
  EXPECT_EQ(viewer.events().back().event, "cancelled");
  // The tokens the cancelled attempt used are accounted for.
  nlohmann::json job = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_GT(job["usage"]["input_tokens"].get<int64_t>(), 0);
  EXPECT_GT(job["history"]["attempts"][0]["usage"]["input_tokens"].get<int64_t>(), 0);
}

class GeminiAliasTest : public GeminiTest {
 protected:
  nlohmann::json Settings() override {
    return {{"GEMINI_MODEL_ALIASES", R"({"quick": "fake-normal"})"}};
  }
};

TEST_F(GeminiAliasTest, AModelAliasFromTheConfigResolvesToItsApiId) {
  std::string id = Submit("quick");
  ASSERT_EQ(WaitForState(port(), id, {"succeeded", "failed"})["state"], "succeeded");
  EXPECT_EQ(FakeRequests()[0]["model"], "fake-normal");
  nlohmann::json providers = Http(port(), "GET", "/api/providers").Json();
  bool listed = false;
  for (const auto& p : providers["providers"]) {
    if (p["name"] != "gemini") continue;
    for (const auto& m : p["models"]) listed |= m["id"] == "quick";
    EXPECT_EQ(p["accepts_any_model"], true);
  }
  EXPECT_TRUE(listed);
}

class GeminiWithoutKeyTest : public GeminiTest {
 protected:
  bool WithKey() override { return false; }
};

TEST_F(GeminiWithoutKeyTest, FailsAtOnceWithoutCallingTheApi) {
  std::string id = Submit("fake-normal");
  nlohmann::json job = WaitForState(port(), id, {"succeeded", "failed"});
  EXPECT_EQ(job["state"], "failed");
  EXPECT_EQ(job["error"]["code"], "provider_not_configured");
  EXPECT_NE(job["error"]["message"].get<std::string>().find("GOOGLE_API_KEY"), std::string::npos);
  EXPECT_EQ(job["attempts"], 1);
  EXPECT_TRUE(FakeRequests().empty());
}

// The same plugin over HTTPS, trusting the fake's self-signed certificate
// through GEMINI_CA_FILE.
class GeminiTlsTest : public GeminiTest {
 protected:
  nlohmann::json Settings() override { return {{"GEMINI_CA_FILE", cert_}}; }
  std::string BaseUrl() override { return tls_fake_.base_url(); }

  std::string cert_ = MakeCertificate(dir_);
  FakeProvider tls_fake_{dir_.File("tls-fake.log"), cert_, dir_.File("key.pem")};
};

TEST_F(GeminiTlsTest, StreamsOverHttpsWithTheGivenCa) {
  ASSERT_TRUE(tls_fake_.ok());
  EXPECT_EQ(tls_fake_.base_url().rfind("https://", 0), 0u);
  std::string id = Submit("fake-utf8-split");
  nlohmann::json job = WaitForState(port(), id, {"succeeded", "failed"});
  EXPECT_EQ(job["state"], "succeeded") << job.dump(2);
  EXPECT_EQ(Output(id), FakeScript(kDocument));
}

// A 90-second generation: a 60-second silent thinking phase, then 30
// seconds of slow streaming. Heartbeats keep the viewer's connection alive;
// no timeout fires anywhere.
class GeminiLongTest : public GeminiTest {
 protected:
  nlohmann::json Settings() override { return nlohmann::json::object(); }  // default timeouts
};

TEST_F(GeminiLongTest, ANinetySecondGenerationCompletesWithHeartbeats) {
  std::string id = Submit("fake-slow-60-30");
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  ASSERT_TRUE(viewer.ReadToEnd(std::chrono::seconds(150)));
  ASSERT_FALSE(viewer.events().empty());
  EXPECT_EQ(viewer.events().back().event, "complete");
  EXPECT_EQ(viewer.Text(), FakeScript(kDocument));
  int heartbeats = 0;
  for (const std::string& c : viewer.comments())
    heartbeats += c.find("keep-alive") != std::string::npos;
  EXPECT_GE(heartbeats, 3);  // one per 15 s of silence
  nlohmann::json job = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_EQ(job["state"], "succeeded");
  EXPECT_EQ(job["attempts"], 1);
}

}  // namespace
}  // namespace scribe::testing
