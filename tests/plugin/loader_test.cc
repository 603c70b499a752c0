// The plugin loader against real .so files: a good plugin, a wrong major
// ABI version, a newer minor, a library without the entry symbol, and a
// plugin whose init() fails. A bad plugin is refused with a clear reason and
// the rest load.
#include <gtest/gtest.h>

#include <cstddef>

#include "host/plugin/registry.h"
#include "scribe/provider_abi.h"
#include "tests/support/host_process.h"

namespace scribe::plugin {
namespace {

// The layout every plugin relies on, as the C++ compiler sees it (the C
// fixture checks the same with _Static_assert).
static_assert(offsetof(scribe_provider, abi_major) == 0);
static_assert(offsetof(scribe_provider, abi_minor) == 4);
static_assert(offsetof(scribe_provider, struct_size) == 8);
static_assert(sizeof(scribe_sink) == 2 * sizeof(void*));
static_assert(SCRIBE_ERROR_INTERNAL == 12 && SCRIBE_GENERATE_CANCELLED == 2);

std::string Fixture(const std::string& name) {
  return testing::FixturePluginDir() + "/" + name + ".so";
}

Registry MakeRegistry() {
  return Registry([](const std::string& key) -> std::optional<std::string> {
    if (key == "FIXTURE_SETTING") return std::string("value");
    return std::nullopt;
  });
}

class RecordingSink : public GenerationSink {
 public:
  bool Emit(std::string_view text) override {
    text_ += text;
    return true;
  }
  bool Cancelled() override { return false; }
  void Log(int32_t, std::string_view) override {}
  void SetError(int32_t, std::string_view, std::string_view, int64_t) override {}
  void ReportUsage(int64_t, int64_t output, int64_t) override { output_tokens_ = output; }
  void ReportModel(std::string_view) override {}
  std::string text_;
  int64_t output_tokens_ = -1;
};

TEST(LoaderTest, LoadsAGoodPluginAndCallsThroughItsTable) {
  Registry registry = MakeRegistry();
  ASSERT_TRUE(registry.LoadFile(Fixture("good")).ok());
  std::shared_ptr<const Provider> provider = registry.Find("good");
  ASSERT_TRUE(provider);
  EXPECT_EQ(provider->version(), "0.0.1");
  EXPECT_NE(provider->Describe().find("\"default_model\":\"echo\""), std::string::npos);
  EXPECT_TRUE(provider->Validate(R"({"model":"echo"})").ok());
  Status refused = provider->Validate(R"({"model":"forbidden"})");
  EXPECT_EQ(refused.reason(), "unknown_model");
  EXPECT_NE(refused.message().find("forbidden"), std::string::npos);
  RecordingSink sink;
  EXPECT_EQ(provider->Generate("{}", "", 1, sink), SCRIBE_GENERATE_DONE);
  EXPECT_EQ(sink.text_, "one two three");
  EXPECT_EQ(sink.output_tokens_, 3);
}

TEST(LoaderTest, RefusesAPluginBuiltForAnotherMajorVersion) {
  Registry registry = MakeRegistry();
  Status status = registry.LoadFile(Fixture("wrong_major"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("ABI 2."), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("major"), std::string::npos);
  EXPECT_FALSE(registry.Find("wrong_major"));
}

TEST(LoaderTest, RefusesAPluginThatNeedsANewerMinorVersion) {
  Registry registry = MakeRegistry();
  Status status = registry.LoadFile(Fixture("newer_minor"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("1.99"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("upgrade"), std::string::npos);
}

TEST(LoaderTest, RefusesALibraryWithoutTheEntrySymbol) {
  Registry registry = MakeRegistry();
  Status status = registry.LoadFile(Fixture("no_entry"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(SCRIBE_PROVIDER_ENTRY_SYMBOL), std::string::npos);
}

TEST(LoaderTest, RefusesAPluginWhoseInitFails) {
  Registry registry = MakeRegistry();
  Status status = registry.LoadFile(Fixture("init_fails"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("init"), std::string::npos);
  EXPECT_FALSE(registry.Find("init_fails"));
}

TEST(LoaderTest, RefusesAFileThatIsNotALibrary) {
  testing::TempDir dir;
  std::string path = dir.File("junk.so");
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("not an ELF file", f);
  std::fclose(f);
  Registry registry = MakeRegistry();
  Status status = registry.LoadFile(path);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot load"), std::string::npos);
}

TEST(LoaderTest, ADirectoryWithBadPluginsStillLoadsTheGoodOnes) {
  Registry registry = MakeRegistry();
  ASSERT_TRUE(registry.LoadDirectory(testing::FixturePluginDir()).ok());
  ASSERT_EQ(registry.All().size(), 1u);
  EXPECT_EQ(registry.All()[0]->name(), "good");
  EXPECT_EQ(registry.refused().size(), 4u);
}

TEST(LoaderTest, AMissingDirectoryIsAnError) {
  Registry registry = MakeRegistry();
  EXPECT_EQ(registry.LoadDirectory("/nonexistent/plugins").reason(), "plugin_directory");
}

TEST(LoaderTest, TheSameProviderNameLoadsOnce) {
  Registry registry = MakeRegistry();
  ASSERT_TRUE(registry.LoadFile(Fixture("good")).ok());
  Status again = registry.LoadFile(Fixture("good"));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find("already loaded"), std::string::npos);
}

TEST(LoaderTest, TheOfflinePluginLoadsAndValidatesItsParams) {
  Registry registry = MakeRegistry();
  ASSERT_TRUE(registry.LoadFile(testing::PluginDir() + "/scribe_offline.so").ok());
  std::shared_ptr<const Provider> offline = registry.Find("offline");
  ASSERT_TRUE(offline);
  EXPECT_TRUE(offline->Validate(R"({"model":"","params":{"chunks_per_second":5}})").ok());
  EXPECT_EQ(offline->Validate(R"({"model":"gpt-9","params":{}})").reason(), "unknown_model");
  EXPECT_EQ(offline->Validate(R"({"model":"","params":{"chunks_per_second":-1}})").reason(),
            "invalid_request");
  EXPECT_EQ(offline->Validate(R"({"model":"","params":{"chunks_per_second":"fast"}})").reason(),
            "invalid_request");
}

}  // namespace
}  // namespace scribe::plugin
