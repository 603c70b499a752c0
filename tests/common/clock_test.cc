#include "host/common/clock.h"

#include <gtest/gtest.h>

namespace scribe {
namespace {

TEST(ClockTest, FormatsAndParsesRfc3339) {
  int64_t millis = 0;
  ASSERT_TRUE(ParseRfc3339("2026-11-25T16:35:29.123Z", millis));
  EXPECT_EQ(FormatRfc3339(millis), "2026-11-25T16:35:29.123Z");
  ASSERT_TRUE(ParseRfc3339("2026-11-25T17:35:29+01:00", millis));
  EXPECT_EQ(FormatRfc3339(millis), "2026-11-25T16:35:29.000Z");
  ASSERT_TRUE(ParseRfc3339("1970-01-01T00:00:00Z", millis));
  EXPECT_EQ(millis, 0);
}

TEST(ClockTest, RejectsAnythingThatIsNotRfc3339) {
  int64_t millis = 0;
  for (const char* bad : {"yesterday", "2026-11-25", "2026-11-25 16:35:29Z", "2026-13-01T00:00:00Z",
                          "2026-11-25T16:35:29", "2026-11-25T16:35:29.Z",
                          "2026-11-25T16:35:29Zjunk", "2026-11-25T16:35:29+0100", ""}) {
    EXPECT_FALSE(ParseRfc3339(bad, millis)) << bad;
  }
}

TEST(ClockTest, RandomIdsAreLowercaseAlphanumericAndDistinct) {
  std::string a = RandomId(16), b = RandomId(16);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, b);
  for (char c : a) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
}

}  // namespace
}  // namespace scribe
