// A fixture for provider plugins against the fake provider server
// (tests/fakes/fake_llm.py) on loopback, and the checks every provider's
// scenario table shares.
#ifndef SCRIBE_TESTS_E2E_FAKE_PROVIDER_FIXTURE_H_
#define SCRIBE_TESTS_E2E_FAKE_PROVIDER_FIXTURE_H_

#include <fstream>
#include <ostream>

#include "tests/e2e/host_fixture.h"

namespace scribe::testing {

inline constexpr char kDocument[] =
    "Photosynthesis turns light into sugar inside chloroplasts ✓ — "
    "plants, algae and some bacteria do it.";

// Runs the host with one provider plugin pointed at a fake server.
class FakeProviderTest : public HostTest {
 protected:
  virtual std::string Provider() const = 0;
  // The plugin's settings, written to the host's config file.
  virtual nlohmann::json PluginConfig() = 0;

  std::vector<std::string> HostArgs() override {
    std::string path = dir_.File("scribe.json");
    std::ofstream(path) << nlohmann::json{{"plugin_config", PluginConfig()}}.dump();
    return {"--config", path, "--retry-base-ms", "50", "--retry-max-ms", "200"};
  }
  void SetUp() override {
    ASSERT_TRUE(fake_.ok());
    HostTest::SetUp();
  }

  std::string FakeScript(const std::string& document) {
    return Http(fake_.port(), "POST", "/fake/script", document, "text/plain").body;
  }
  nlohmann::json FakeRequests() { return Http(fake_.port(), "GET", "/fake/requests").Json(); }

  std::string Submit(const std::string& model, nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json body = {{"content", kDocument}, {"provider", Provider()}, {"model", model}};
    body.update(extra);
    HttpResponse response = Http(port(), "POST", "/api/jobs", body.dump());
    EXPECT_EQ(response.status, 201) << response.body;
    return response.Json().value("id", "");
  }

  FakeProvider fake_{dir_.File("fake.log")};
};

enum class Text { kFull, kEmpty, kPrefix };

struct Scenario {
  std::string model;
  std::string state;
  std::string code;    // error code ("" when it succeeds)
  std::string detail;  // the provider's reason
  Text text;
  int attempts;  // 0: any
};

inline void PrintTo(const Scenario& s, std::ostream* os) { *os << s.model; }

inline std::string ScenarioName(const ::testing::TestParamInfo<Scenario>& info) {
  std::string name = info.param.model.substr(5);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// Submits the scenario's model, watches it over SSE, and checks the final
// state, error, stored text, the viewer's text and events, and usage.
class ScenarioTest : public FakeProviderTest, public ::testing::WithParamInterface<Scenario> {
 protected:
  void Check(const std::string& model_used) {
    const Scenario& s = GetParam();
    std::string id = Submit(s.model);
    SseClient viewer;
    ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
    ASSERT_TRUE(viewer.ReadToEnd(std::chrono::seconds(60)));
    nlohmann::json job = WaitForState(port(), id, {"succeeded", "failed", "cancelled"});
    EXPECT_EQ(job["state"], s.state) << job.dump(2);
    std::string output = Output(id);
    std::string full = FakeScript(kDocument);
    switch (s.text) {
      case Text::kFull:
        EXPECT_EQ(output, full);
        break;
      case Text::kEmpty:
        EXPECT_EQ(output, "");
        break;
      case Text::kPrefix:
        EXPECT_FALSE(output.empty());
        EXPECT_LT(output.size(), full.size());
        EXPECT_EQ(output, full.substr(0, output.size()));
        break;
    }
    EXPECT_EQ(viewer.Text(), output);
    ASSERT_FALSE(viewer.events().empty());
    const SseEvent& last = viewer.events().back();
    if (s.state == "succeeded") {
      EXPECT_EQ(last.event, "complete");
      EXPECT_EQ(last.Json()["model_used"], model_used);
      EXPECT_GT(job["usage"]["input_tokens"].get<int64_t>(), 0);
      EXPECT_EQ(job["model_used"], model_used);
    } else {
      EXPECT_EQ(last.event, "error");
      EXPECT_EQ(last.Json()["code"], s.code);
      EXPECT_EQ(job["error"]["code"], s.code);
      EXPECT_EQ(job["error"]["detail"], s.detail);
      EXPECT_EQ(last.Json()["partial"], !output.empty());
    }
    if (s.attempts > 0) {
      EXPECT_EQ(job["attempts"], s.attempts) << job["history"].dump(2);
    }
  }
};

}  // namespace scribe::testing

#endif  // SCRIBE_TESTS_E2E_FAKE_PROVIDER_FIXTURE_H_
