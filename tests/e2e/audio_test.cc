// The original app's script endpoints, driven by a client written the way
// the original app's client was (tests/compat/original_client.py: httpx,
// aiter_lines, data: lines dispatched on type), against the real host and
// the fake Gemini server.
#include <cstdio>

#include "tests/e2e/fake_provider_fixture.h"

namespace scribe::testing {
namespace {

class AudioEndpointsTest : public FakeProviderTest {
 protected:
  std::string Provider() const override { return "gemini"; }
  nlohmann::json PluginConfig() override {
    return {{"GEMINI_BASE_URL", fake_.base_url()}, {"GOOGLE_API_KEY", "test-key"}};
  }

  std::string StoreDocument() {
    HttpResponse created =
        Http(port(), "POST", "/api/documents", nlohmann::json{{"content", kDocument}}.dump());
    EXPECT_EQ(created.status, 201);
    return created.Json().value("id", "");
  }

  // Runs the original-style client; returns what it printed.
  nlohmann::json RunClient(const std::string& knowledge_id, const std::string& model) {
    std::string command = "/usr/bin/python3 " + SourceDir() + "/tests/compat/original_client.py " +
                          host_->base_url() + " " + knowledge_id + " " + model + " 2>&1";
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return nullptr;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
    int status = pclose(pipe);
    EXPECT_EQ(status, 0) << output;
    nlohmann::json result = nlohmann::json::parse(output, nullptr, false);
    EXPECT_FALSE(result.is_discarded()) << output;
    return result;
  }

  // `min_tokens`: a fast job may arrive as one coalesced token event.
  void CheckSucceeded(const nlohmann::json& result, int min_tokens) {
    std::string script = FakeScript(kDocument);
    const nlohmann::json& stream = result["stream"];
    EXPECT_EQ(stream["status"], 200);
    EXPECT_EQ(stream["headers"]["content-type"], "text/event-stream; charset=utf-8");
    EXPECT_EQ(stream["headers"]["cache-control"], "no-cache");
    EXPECT_EQ(stream["headers"]["x-scribe-job-id"], stream["job_id"]);
    EXPECT_EQ(stream["text"], script);
    EXPECT_GE(stream["tokens"].get<int>(), min_tokens);
    ASSERT_TRUE(stream["complete"].is_object()) << stream.dump(2);
    EXPECT_EQ(stream["complete"]["script"],
              script.substr(0, script.size() - 1));  // cleaned: no final newline
    EXPECT_EQ(stream["complete"]["model_used"], "gemini-fake-001");
    EXPECT_EQ(stream["error"], nullptr);
    // The job underneath can be resumed like any other.
    std::string job_id = stream["job_id"];
    EXPECT_EQ(Output(job_id), script);

    const nlohmann::json& plain = result["plain"];
    EXPECT_EQ(plain["status"], 200);
    EXPECT_EQ(plain["body"]["script"], script.substr(0, script.size() - 1));
    EXPECT_EQ(plain["body"]["model_used"], "gemini-fake-001");
    EXPECT_FALSE(plain["body"].contains("error"));
  }
};

TEST_F(AudioEndpointsTest, TheOriginalClientGetsTokensThenTheCompleteScript) {
  CheckSucceeded(RunClient(StoreDocument(), "fake-normal"), 1);
}

TEST_F(AudioEndpointsTest, ALongSlowGenerationOutlastsTheClientsReadTimeout) {
  // 3 s of silence, then 12 s of slow streaming: longer than the client's
  // 10-second read timeout in total, on both endpoints.
  CheckSucceeded(RunClient(StoreDocument(), "fake-slow-3-12"), 5);
}

TEST_F(AudioEndpointsTest, AnUnknownDocumentIsAnErrorEventAsBefore) {
  nlohmann::json result = RunClient("doc_missing", "fake-normal");
  const nlohmann::json& stream = result["stream"];
  EXPECT_EQ(stream["status"], 200);
  ASSERT_TRUE(stream["error"].is_object());
  EXPECT_EQ(stream["error"]["type"], "error");
  EXPECT_NE(stream["error"]["message"].get<std::string>().find("doc_missing"), std::string::npos);
  EXPECT_EQ(result["plain"]["status"], 404);
}

TEST_F(AudioEndpointsTest, AFailureReturnsThePartialScriptWithTheError) {
  std::string doc = StoreDocument();
  HttpResponse response =
      Http(port(), "POST", "/api/audio/generate-script",
           nlohmann::json{{"knowledge_id", doc}, {"model_name", "fake-max-tokens"}}.dump());
  ASSERT_EQ(response.status, 200);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "output_limit_reached");
  EXPECT_EQ(body["error"]["partial"], true);
  std::string script = FakeScript(kDocument);
  std::string partial = body["script"];
  EXPECT_FALSE(partial.empty());
  EXPECT_EQ(script.rfind(partial, 0), 0u);
}

TEST_F(AudioEndpointsTest, BadBodiesAreJsonErrors) {
  HttpResponse missing = Http(port(), "POST", "/api/audio/generate-script-stream", "{}");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.Json()["error"]["code"], "missing_input");
  HttpResponse malformed = Http(port(), "POST", "/api/audio/generate-script", "{nope");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.Json()["error"]["code"], "invalid_json");
}

}  // namespace
}  // namespace scribe::testing
