#include "host/stream/durable.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace scribe::stream {
namespace {

TEST(StreamOffsetTest, TokensAreByteOffsetsThatSortAsTheyDo) {
  EXPECT_EQ(FormatStreamOffset(0), "0000000000000000_0000000000000000");
  EXPECT_EQ(FormatStreamOffset(1234), "0000000000000000_0000000000001234");
  EXPECT_LT(FormatStreamOffset(99), FormatStreamOffset(100));
  for (int64_t position : {0LL, 7LL, 1234567LL, 9999999999999999LL}) {
    Result<int64_t> parsed = ParseStreamOffset(FormatStreamOffset(position));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, position);
  }
}

TEST(StreamOffsetTest, AnythingElseIsRejected) {
  for (const char* bad : {"", "0", "12", "-1", "now", "0000000000000000_000000000000001",
                          "0000000000000001_0000000000000000", "0000000000000000_00000000000000x1",
                          "0000000000000000_-000000000000001", "0000000000000000_0000000000000001 ",
                          "0000000000000000,0000000000000001"}) {
    EXPECT_EQ(ParseStreamOffset(bad).status().reason(), "invalid_offset") << bad;
  }
}

TEST(StreamOffsetTest, ReadOffsetsTakeTheTwoSentinels) {
  EXPECT_EQ(ParseReadOffset("-1")->kind, ReadFrom::Kind::kStart);
  EXPECT_EQ(ParseReadOffset("now")->kind, ReadFrom::Kind::kNow);
  Result<ReadFrom> at = ParseReadOffset(FormatStreamOffset(5));
  EXPECT_EQ(at->kind, ReadFrom::Kind::kPosition);
  EXPECT_EQ(at->position, 5);
  EXPECT_FALSE(ParseReadOffset("NOW").ok());
  EXPECT_FALSE(ParseReadOffset("-2").ok());
}

TEST(StreamCursorTest, CountsTwentySecondIntervalsAndMovesPastTheClients) {
  const int64_t epoch = 1728432000000;  // 2024-10-09T00:00:00Z
  EXPECT_EQ(StreamCursor(epoch + 45000, ""), "2");
  EXPECT_EQ(StreamCursor(epoch + 45000, "1"), "2");  // theirs is older: the current one
  for (int i = 0; i < 50; ++i) {
    int64_t next = std::stoll(StreamCursor(epoch + 45000, "2"));
    EXPECT_GT(next, 2);
    EXPECT_LE(next, 2 + 180);  // at most an hour ahead
  }
}

TEST(JsonMessagesTest, AnArrayIsFlattenedOneLevelIntoLines) {
  EXPECT_EQ(*JsonMessagesFromBody(R"([{"a":1}, [1,2], "x\ny"])", false),
            "{\"a\":1}\n[1,2]\n\"x\\ny\"\n");
  EXPECT_EQ(*JsonMessagesFromBody(R"({"one": true})", false), "{\"one\":true}\n");
  EXPECT_EQ(*JsonMessagesFromBody("[]", true), "");
  EXPECT_EQ(JsonMessagesFromBody("[]", false).status().reason(), "empty_json_array");
  EXPECT_EQ(JsonMessagesFromBody("{nope", true).status().reason(), "invalid_json");
  EXPECT_EQ(JsonArrayOfMessages("{\"a\":1}\n[1,2]\n"), "[{\"a\":1},[1,2]]");
  EXPECT_EQ(JsonArrayOfMessages(""), "[]");
}

TEST(StreamSseTest, DataIsSplitIntoLinesOrBase64AndFollowedByControl) {
  EXPECT_EQ(SseEncodingFor("text/plain; charset=utf-8"), SseEncoding::kText);
  EXPECT_EQ(SseEncodingFor("Application/JSON"), SseEncoding::kJson);
  EXPECT_EQ(SseEncodingFor("application/octet-stream"), SseEncoding::kBase64);

  std::string out;
  AppendStreamData(out, SseEncoding::kText, "a\r\nb\rc\n\n event: x");
  EXPECT_EQ(out, "event: data\ndata:a\ndata:b\ndata:c\ndata:\ndata:  event: x\n\n");
  out.clear();
  AppendStreamData(out, SseEncoding::kBase64, std::string("\0\xff\x10", 3));
  EXPECT_EQ(out, "event: data\ndata:AP8Q\n\n");
  out.clear();
  AppendStreamControl(out, 12, "77", true, false);
  EXPECT_EQ(out,
            "event: control\ndata:{\"streamNextOffset\":\"0000000000000000_0000000000000012\","
            "\"streamCursor\":\"77\",\"upToDate\":true}\n\n");
  out.clear();
  AppendStreamControl(out, 12, "77", true, true);
  EXPECT_EQ(nlohmann::json::parse(out.substr(out.find('{'))),
            nlohmann::json::parse(R"({"streamNextOffset":"0000000000000000_0000000000000012",
                                      "upToDate":true,"streamClosed":true})"));
}

TEST(Base64Test, MatchesTheStandardAlphabetAndPadding) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace scribe::stream
