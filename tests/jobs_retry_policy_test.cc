#include <gtest/gtest.h>

#include "host/jobs/retry_policy.h"

namespace scribe::jobs {
namespace {

const store::JobError kUnavailable{"provider_unavailable", "503", "UNAVAILABLE", true};
const store::JobError kAuth{"provider_auth_failed", "bad key", "API_KEY_INVALID", false};
const store::JobError kNotConfigured{"provider_not_configured", "no key", "", false};

RetryPlan Plan(std::vector<Route> routes) {
  RetryOptions options;
  options.tries_per_provider = 3;
  options.backoff_base_ms = 100;
  options.backoff_max_ms = 300;
  options.retry_after_cap_ms = 5000;
  options.auto_continues = 2;
  return RetryPlan(options, std::move(routes), [] { return 0.5; });
}

TEST(RetryPolicyTest, RetriesBeforeTheFirstByteWithExponentialBackoffAndJitter) {
  RetryPlan plan = Plan({{"gemini", "m"}});
  RetryPlan::Step first = plan.AfterFailure(kUnavailable, -1, false);
  EXPECT_TRUE(first.again);
  EXPECT_EQ(first.delay_ms, 150);  // 100 + half of 100 jitter
  RetryPlan::Step second = plan.AfterFailure(kUnavailable, -1, false);
  EXPECT_TRUE(second.again);
  EXPECT_EQ(second.delay_ms, 250);                                 // 200 + 50
  EXPECT_FALSE(plan.AfterFailure(kUnavailable, -1, false).again);  // three tries used
}

TEST(RetryPolicyTest, HonoursAProvidersRetryDelayUpToTheCap) {
  RetryPlan plan = Plan({{"gemini", ""}});
  EXPECT_EQ(plan.AfterFailure(kUnavailable, 1200, false).delay_ms, 1200);
  EXPECT_EQ(plan.AfterFailure(kUnavailable, 90000, false).delay_ms, 5000);
}

TEST(RetryPolicyTest, NeverRetriesWhatCannotSucceed) {
  RetryPlan plan = Plan({{"gemini", ""}, {"openai", "gpt"}});
  EXPECT_FALSE(plan.AfterFailure(kAuth, -1, false).again);
}

TEST(RetryPolicyTest, FallsBackAfterTheTriesOrWhenAProviderIsNotConfigured) {
  RetryPlan plan = Plan({{"gemini", "a"}, {"openai", "b"}});
  plan.AfterFailure(kUnavailable, -1, false);
  plan.AfterFailure(kUnavailable, -1, false);
  RetryPlan::Step fallback = plan.AfterFailure(kUnavailable, -1, false);
  EXPECT_TRUE(fallback.again);
  EXPECT_EQ(fallback.delay_ms, 0);
  EXPECT_EQ(plan.route().provider, "openai");
  EXPECT_NE(fallback.note.find("falling back to openai"), std::string::npos);

  RetryPlan unconfigured = Plan({{"gemini", "a"}, {"offline", ""}});
  EXPECT_TRUE(unconfigured.AfterFailure(kNotConfigured, -1, false).again);
  EXPECT_EQ(unconfigured.route().provider, "offline");
}

TEST(RetryPolicyTest, OnceBytesExistItContinuesAndNeverFallsBack) {
  RetryPlan plan = Plan({{"gemini", "a"}, {"openai", "b"}});
  RetryPlan::Step one = plan.AfterFailure(kUnavailable, -1, true);
  EXPECT_TRUE(one.again);
  EXPECT_EQ(one.delay_ms, 0);
  EXPECT_NE(one.note.find("continuing"), std::string::npos);
  EXPECT_TRUE(plan.AfterFailure(kUnavailable, -1, true).again);
  EXPECT_FALSE(plan.AfterFailure(kUnavailable, -1, true).again);  // two continues used
  EXPECT_EQ(plan.route().provider, "gemini");
  EXPECT_FALSE(Plan({{"gemini", ""}}).AfterFailure(kAuth, -1, true).again);
}

}  // namespace
}  // namespace scribe::jobs
