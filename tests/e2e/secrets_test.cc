// Provider secrets never leave the host. After a run with two provider
// keys — one the provider accepted, one it refused and echoed back in its
// error, as some OpenAI-compatible servers do — neither key is in the host's
// log, the database file, any API answer, any event, /metrics or scribectl's
// output; the echoed one reads "[redacted]".
#include <fstream>
#include <sstream>

#include "tests/e2e/host_fixture.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

constexpr char kAcceptedKey[] = "AIzaAcceptedProviderKey-3f9c2a71";
constexpr char kRefusedKey[] = "sk-refused-provider-key-8d41be07";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SecretsTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override {
    std::string path = dir_.File("scribe.json");
    std::ofstream(path) << nlohmann::json{{"plugin_config",
                                           {{"GEMINI_BASE_URL", fake_.base_url()},
                                            {"GOOGLE_API_KEY", kAcceptedKey},
                                            {"OPENAI_BASE_URL", fake_.base_url() + "/v1"},
                                            {"OPENAI_API_KEY", kRefusedKey}}}}
                               .dump();
    return {"--config", path, "--retry-base-ms", "10"};
  }
  void SetUp() override {
    ASSERT_TRUE(fake_.ok());
    HostTest::SetUp();
  }

  FakeProvider fake_{dir_.File("fake.log"), "", "", kAcceptedKey};
};

TEST_F(SecretsTest, NoProviderKeyAppearsAnywhereAClientOrOperatorCanLook) {
  auto submit = [&](const std::string& provider) {
    nlohmann::json body = {
        {"content", "Secrets stay secret."}, {"provider", provider}, {"model", "fake-normal"}};
    return Http(port(), "POST", "/api/jobs", body.dump()).Json().value("id", "");
  };
  std::string accepted = submit("gemini");
  std::string refused = submit("openai");
  EXPECT_EQ(WaitForState(port(), accepted, {"succeeded", "failed"})["state"], "succeeded");
  nlohmann::json failed = WaitForState(port(), refused, {"succeeded", "failed"});
  ASSERT_EQ(failed["state"], "failed") << failed.dump();
  const std::string message = failed["error"]["message"];
  EXPECT_NE(message.find("Incorrect API key provided: [redacted]"), std::string::npos) << message;

  // Everything anyone can read, gathered in one place.
  std::string seen;
  for (const std::string& path : {std::string("/api/jobs?limit=1000"), "/api/jobs/" + accepted,
                                  "/api/jobs/" + refused, "/api/jobs/" + refused + "/output",
                                  std::string("/api/providers"), std::string("/metrics")}) {
    seen += Http(port(), "GET", path).body;
  }
  SseClient events;
  ASSERT_TRUE(events.Open(port(), "/api/jobs/" + refused + "/events"));
  ASSERT_TRUE(events.ReadToEnd());
  for (const SseEvent& e : events.events()) seen += e.data;
  for (const std::string& id : {accepted, refused}) {
    seen += RunProcess({BinDir() + "/scribectl", "--url", host_->base_url(), "show", id}).out;
  }
  ASSERT_EQ(host_->Stop(), 0);
  seen += host_->Log();
  seen += ReadFile(dir_.File("scribe.db"));
  seen += ReadFile(dir_.File("scribe.db-wal"));
  EXPECT_NE(seen.find("[redacted]"), std::string::npos);
  for (const char* key : {kAcceptedKey, kRefusedKey}) {
    EXPECT_EQ(seen.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace scribe::testing
