#include "host/plugin/secrets.h"

#include <gtest/gtest.h>

namespace scribe::plugin {
namespace {

TEST(SecretsTest, SettingsNamedLikeSecretsAreSecrets) {
  for (const char* name :
       {"GOOGLE_API_KEY", "OPENAI_API_KEY", "auth_token", "DB_PASSWORD", "client_secret"}) {
    EXPECT_TRUE(IsSecretSetting(name)) << name;
  }
  for (const char* name : {"GEMINI_BASE_URL", "OPENAI_MODELS", "GEMINI_IDLE_TIMEOUT_MS"}) {
    EXPECT_FALSE(IsSecretSetting(name)) << name;
  }
}

TEST(SecretsTest, RememberedValuesAreRedactedWhereverTheyAppear) {
  RememberSecret("sk-abcdef123456");
  RememberSecret("short");  // too short to be a secret: never redacted
  EXPECT_EQ(Redact("bad key sk-abcdef123456, again: sk-abcdef123456."),
            "bad key [redacted], again: [redacted].");
  EXPECT_EQ(Redact("a short answer"), "a short answer");
  EXPECT_EQ(Redact(""), "");
}

}  // namespace
}  // namespace scribe::plugin
