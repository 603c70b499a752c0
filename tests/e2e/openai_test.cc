// The openai plugin (OpenAI-compatible chat completions) through the real
// host, against the fake server's /v1/chat/completions on loopback.
#include "tests/e2e/fake_provider_fixture.h"

namespace scribe::testing {
namespace {

class OpenAiTest : public FakeProviderTest {
 protected:
  std::string Provider() const override { return "openai"; }
  nlohmann::json PluginConfig() override {
    nlohmann::json plugin = {{"OPENAI_BASE_URL", fake_.base_url() + "/v1"},
                             {"OPENAI_IDLE_TIMEOUT_MS", "1500"}};
    if (WithKey()) plugin["OPENAI_API_KEY"] = "test-key";
    return plugin;
  }
  virtual bool WithKey() { return true; }
};

class OpenAiScenarioTest : public ScenarioTest {
 protected:
  std::string Provider() const override { return "openai"; }
  nlohmann::json PluginConfig() override {
    return {{"OPENAI_BASE_URL", fake_.base_url()}, {"OPENAI_API_KEY", "test-key"}};
  }
};

TEST_P(OpenAiScenarioTest, EndsAsTheWireFormatSays) { Check("fake-model-001"); }

INSTANTIATE_TEST_SUITE_P(
    Scenarios, OpenAiScenarioTest,
    ::testing::Values(
        Scenario{"fake-normal", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-reasoning", "succeeded", "", "", Text::kFull, 1},
        Scenario{"fake-length", "failed", "output_limit_reached", "length", Text::kPrefix, 1},
        Scenario{"fake-content-filter", "failed", "content_blocked", "content_filter", Text::kEmpty,
                 1},
        Scenario{"fake-401", "failed", "provider_auth_failed", "invalid_api_key", Text::kEmpty, 1},
        Scenario{"fake-404", "failed", "model_not_found", "model_not_found", Text::kEmpty, 1},
        Scenario{"fake-ollama-404", "failed", "model_not_found", "404", Text::kEmpty, 1},
        Scenario{"fake-429-quota", "failed", "provider_quota_exhausted", "insufficient_quota",
                 Text::kEmpty, 1},
        Scenario{"fake-503", "failed", "provider_unavailable", "server_error", Text::kEmpty, 3},
        Scenario{"fake-ratelimit-once", "succeeded", "", "", Text::kFull, 2},
        Scenario{"fake-midstream-error", "succeeded", "", "", Text::kFull, 2},
        Scenario{"fake-cut-40", "succeeded", "", "", Text::kFull, 2},
        Scenario{"fake-llamacpp-error", "failed", "provider_bad_request", "400", Text::kEmpty, 1},
        Scenario{"fake-no-done", "failed", "provider_truncated", "missing_done", Text::kFull, 3}),
    ScenarioName);

TEST_F(OpenAiTest, SendsAStreamingChatRequestWithUsage) {
  std::string id = Submit("fake-normal", {{"max_output_tokens", 300}, {"prompt", "Be brief."}});
  WaitForState(port(), id, {"succeeded"});
  nlohmann::json requests = FakeRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["path"], "/v1/chat/completions");
  EXPECT_EQ(requests[0]["headers"]["authorization"], "Bearer test-key");
  const nlohmann::json& body = requests[0]["body"];
  EXPECT_EQ(body["model"], "fake-normal");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(body["max_tokens"], 300);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], "Be brief.");
  EXPECT_EQ(body["messages"][1]["content"], kDocument);
  nlohmann::json job = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_EQ(job["usage"]["input_tokens"], 21);
}

TEST_F(OpenAiTest, AContinuationSendsThePartialAsTheAssistantTurn) {
  std::string id = Submit("fake-cut-40");
  ASSERT_EQ(WaitForState(port(), id, {"succeeded", "failed"})["state"], "succeeded");
  nlohmann::json requests = FakeRequests();
  ASSERT_EQ(requests.size(), 2u);
  const nlohmann::json& messages = requests[1]["body"]["messages"];
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[2]["role"], "assistant");
  std::string full = FakeScript(kDocument);
  std::string partial = messages[2]["content"];
  EXPECT_EQ(partial, full.substr(0, partial.size()));
  EXPECT_EQ(Output(id), full);
}

class OpenAiLocalServerTest : public OpenAiTest {
 protected:
  bool WithKey() override { return false; }
};

TEST_F(OpenAiLocalServerTest, NeedsNoKeyForALocalServer) {
  std::string id = Submit("fake-normal");
  ASSERT_EQ(WaitForState(port(), id, {"succeeded", "failed"})["state"], "succeeded");
  EXPECT_FALSE(FakeRequests()[0]["headers"].contains("authorization"));
}

TEST_F(OpenAiTest, AGeminiJobCanFallBackToAnOpenAiCompatibleServer) {
  nlohmann::json body = {{"content", kDocument},
                         {"provider", "gemini"},
                         {"model", "fake-normal"},
                         {"fallback", {{{"provider", "openai"}, {"model", "fake-normal"}}}}};
  HttpResponse created = Http(port(), "POST", "/api/jobs", body.dump());
  ASSERT_EQ(created.status, 201);
  std::string id = created.Json()["id"];
  nlohmann::json job = WaitForState(port(), id, {"succeeded", "failed"});
  // gemini has no key here: not configured, so the chain moves on at once.
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  ASSERT_EQ(job["history"]["attempts"].size(), 2u);
  EXPECT_EQ(job["history"]["attempts"][0]["error"]["code"], "provider_not_configured");
  EXPECT_EQ(job["history"]["attempts"][1]["provider"], "openai");
  EXPECT_EQ(job["model_used"], "fake-model-001");
  EXPECT_EQ(Output(id), FakeScript(kDocument));
}

}  // namespace
}  // namespace scribe::testing
