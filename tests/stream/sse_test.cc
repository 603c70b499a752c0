#include "host/stream/sse.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace scribe::stream {
namespace {

TEST(SseFramingTest, TokenEventCarriesTheEndOffsetAndEscapedText) {
  std::string out;
  AppendTokenEvent(out, 42, "Hello\n\nid: 7\nevent: complete\r\n");
  EXPECT_EQ(
      out,
      "id: 42\nevent: token\n"
      "data: {\"type\":\"token\",\"content\":\"Hello\\n\\nid: 7\\nevent: complete\\r\\n\"}\n\n");
}

TEST(SseFramingTest, TextCannotInjectAnEvent) {
  std::string out;
  AppendTokenEvent(out, 5, "x\n\ndata: evil\n\n");
  // Exactly one blank line: the end of this event.
  EXPECT_EQ(out.find("\n\n"), out.size() - 2);
}

TEST(SseFramingTest, MultiLineDataBecomesSeveralDataFields) {
  std::string out;
  AppendEvent(out, 3, "status", "a\nb\r\nc");
  EXPECT_EQ(out, "id: 3\nevent: status\ndata: a\ndata: b\ndata: c\n\n");
}

TEST(SseFramingTest, CommentsAndRetry) {
  std::string out;
  AppendComment(out, "keep-alive\nsneaky");
  AppendRetry(out, 2000);
  EXPECT_EQ(out, ": keep-alive sneaky\n\nretry: 2000\n\n");
}

TEST(OffsetParsingTest, AcceptsPlainDecimals) {
  EXPECT_EQ(*ParseOffset("0"), 0);
  EXPECT_EQ(*ParseOffset("1234"), 1234);
  EXPECT_EQ(*ParseOffset(" 77 "), 77);  // Last-Event-ID may carry spaces
  EXPECT_EQ(*ParseOffset("999999999999999999"), 999999999999999999);
}

TEST(OffsetParsingTest, RejectsEverythingElseWithInvalidOffset) {
  for (const char* bad : {"", "-1", "-0", "+1", "1e3", "0x10", "1.5", "01", "abc", "12abc",
                          "9999999999999999999", "1 2"}) {
    Result<int64_t> parsed = ParseOffset(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().reason(), "invalid_offset") << bad;
    EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseOffset("-5").status().message().find("negative"), std::string::npos);
}

TEST(RangeParsingTest, ParsesTheThreeSingleRangeForms) {
  ByteRange open = *ParseRange("bytes=10-");
  EXPECT_EQ(*open.first, 10);
  EXPECT_FALSE(open.last);
  ByteRange closed = *ParseRange("bytes=10-19");
  EXPECT_EQ(*closed.first, 10);
  EXPECT_EQ(*closed.last, 19);
  ByteRange suffix = *ParseRange("bytes=-5");
  EXPECT_EQ(*suffix.suffix, 5);
}

TEST(RangeParsingTest, RejectsMalformedAndMultipleRanges) {
  for (const char* bad : {"bytes=", "bytes=-", "bytes=5-2", "bytes=1-2,4-5", "items=1-", "bytes=a-",
                          "bytes=-1-2", "bytes=01-", "bytes=--500", "bytes=-+5", "bytes=+5-"}) {
    EXPECT_FALSE(ParseRange(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace scribe::stream
