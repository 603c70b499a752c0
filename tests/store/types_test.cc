#include "host/store/types.h"

#include <gtest/gtest.h>

namespace scribe::store {
namespace {

TEST(JobStatesTest, ParsesACommaSeparatedListAndNamesAnUnknownState) {
  Result<std::vector<JobState>> states = ParseJobStates("failed,,cancelled");
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(*states, (std::vector<JobState>{JobState::kFailed, JobState::kCancelled}));
  EXPECT_TRUE(ParseJobStates("")->empty());
  Result<std::vector<JobState>> bad = ParseJobStates("running,sleeping");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().reason(), "invalid_state");
  EXPECT_NE(bad.status().message().find("'sleeping'"), std::string::npos);
}

}  // namespace
}  // namespace scribe::store
