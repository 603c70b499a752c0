#include "host/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/host_process.h"

namespace scribe {
namespace {

TEST(ConfigTest, FlagsBeatEnvironmentWhichBeatsTheFile) {
  testing::TempDir dir;
  std::string file = dir.File("scribe.json");
  std::ofstream(file) << R"({"workers": 3, "heartbeat_ms": 500, "db": "from-file.db",
                            "plugin_config": {"GOOGLE_API_KEY": "k"}})";
  Result<Config> config =
      LoadConfig({"--config", file, "--db", "from-flag.db"},
                 {{"SCRIBE_HEARTBEAT_MS", "700"}, {"SCRIBE_DB", "from-env.db"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->workers, 3);
  EXPECT_EQ(config->heartbeat_ms, 700);
  EXPECT_EQ(config->db, "from-flag.db");
  EXPECT_EQ(config->plugin_config.at("GOOGLE_API_KEY"), "k");
}

TEST(ConfigTest, TheDocumentedCommandLineWorks) {
  Result<Config> config = LoadConfig(
      {"--listen", "127.0.0.1:0", "--db", "/tmp/x.db", "--plugins", "/tmp/p", "--workers=4"}, {});
  ASSERT_TRUE(config.ok());
  std::string host;
  int port = -1;
  ASSERT_TRUE(config->ListenAddress(host, port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  EXPECT_EQ(config->plugins, "/tmp/p");
  EXPECT_EQ(config->workers, 4);
}

TEST(ConfigTest, BadValuesAreRefusedWithTheirSource) {
  EXPECT_NE(LoadConfig({"--workers", "lots"}, {}).status().message().find("--workers"),
            std::string::npos);
  EXPECT_NE(LoadConfig({}, {{"SCRIBE_HEARTBEAT_MS", "-5"}})
                .status()
                .message()
                .find("SCRIBE_HEARTBEAT_MS"),
            std::string::npos);
  EXPECT_FALSE(LoadConfig({"--listen", "nowhere"}, {}).ok());
  EXPECT_FALSE(LoadConfig({"--listen", "127.0.0.1:70000"}, {}).ok());
  EXPECT_FALSE(LoadConfig({"--no-such-flag", "1"}, {}).ok());
  EXPECT_FALSE(LoadConfig({"--db"}, {}).ok());
  EXPECT_FALSE(LoadConfig({"--config", "/nonexistent.json"}, {}).ok());
  EXPECT_NE(LoadConfig({"--auth", "maybe"}, {}).status().message().find("on or off"),
            std::string::npos);
  EXPECT_FALSE(LoadConfig({}, {{"SCRIBE_INSECURE_PUBLIC_LISTEN", "sure"}}).ok());
  EXPECT_NE(LoadConfig({"--tls-cert", "cert.pem"}, {}).status().message().find("--tls-key"),
            std::string::npos);
  for (const char* bad : {"app.example", "https://", "https://app.example/path", "ftp://x",
                          "https://a.example, https://b.example?x"}) {
    EXPECT_NE(LoadConfig({"--cors-origins", bad}, {}).status().message().find("not an origin"),
              std::string::npos)
        << bad;
  }
}

TEST(ConfigTest, CorsOriginsAreAList) {
  Result<Config> config =
      LoadConfig({"--cors-origins", " https://a.example, http://127.0.0.1:5173 ,"}, {});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->cors_origins,
            (std::vector<std::string>{"https://a.example", "http://127.0.0.1:5173"}));
  EXPECT_EQ(LoadConfig({}, {{"SCRIBE_CORS_ORIGINS", "*"}})->cors_origins,
            std::vector<std::string>{"*"});
  EXPECT_TRUE(LoadConfig({}, {})->cors_origins.empty());
}

TEST(ConfigTest, ThePublicUrlIsAnHttpUrl) {
  EXPECT_EQ(LoadConfig({"--public-url", "https://scribe.example:8443/base"}, {})->public_url,
            "https://scribe.example:8443/base");
  EXPECT_EQ(LoadConfig({}, {{"SCRIBE_PUBLIC_URL", "http://10.0.0.5"}})->public_url,
            "http://10.0.0.5");
  EXPECT_TRUE(LoadConfig({}, {})->public_url.empty());  // the listen address
  for (const char* bad : {"scribe.example", "https://", "ftp://scribe.example", "http://a b",
                          "https://x.example/?q=1", "https://x.example/#f"}) {
    EXPECT_NE(LoadConfig({"--public-url", bad}, {}).status().message().find("not a URL"),
              std::string::npos)
        << bad;
  }
}

TEST(ConfigTest, HelpListsEverySetting) {
  std::string help = HelpText();
  for (const char* flag : {"--listen", "--db", "--plugins", "--workers", "--heartbeat-ms",
                           "--config", "SCRIBE_LISTEN", "SCRIBE_HEARTBEAT_MS"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_TRUE(LoadConfig({"--help"}, {})->show_help);
}

}  // namespace
}  // namespace scribe
