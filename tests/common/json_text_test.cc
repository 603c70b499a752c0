#include "host/common/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace scribe {
namespace {

TEST(JsonTextTest, EscapesEverythingThatCouldBreakALine) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\nd\re\tf\x01g");
  EXPECT_EQ(out, R"("a\"b\\c\nd\re\tf\u0001g")");
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out.find('\r'), std::string::npos);
}

TEST(JsonTextTest, RoundTripsThroughAJsonParser) {
  std::string text = "line one\nline two: «quoted» ✓ 🎉 \"and\" \\ back\x1f";
  std::string out;
  AppendJsonString(out, text);
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), text);
}

}  // namespace
}  // namespace scribe
