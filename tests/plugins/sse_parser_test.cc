#include "sse_parser.h"

#include <gtest/gtest.h>

namespace scribe::plugin_common {
namespace {

std::vector<SseEvent> ParseInPieces(const std::string& bytes, size_t piece) {
  SseParser parser;
  std::vector<SseEvent> events;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    EXPECT_TRUE(parser.Feed(bytes.substr(at, piece), [&](const SseEvent& e) {
      events.push_back(e);
      return true;
    }));
  }
  return events;
}

TEST(SseParserTest, HandlesCrLfAndMixedLineEndsSplitAnywhere) {
  std::string stream = "data: {\"a\":1}\r\n\r\ndata:{\"b\":2}\n\ndata: x\r\rdata: y\n\r\n";
  for (size_t piece = 1; piece <= stream.size(); ++piece) {
    std::vector<SseEvent> events = ParseInPieces(stream, piece);
    ASSERT_EQ(events.size(), 4u) << "piece size " << piece;
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[1].data, "{\"b\":2}");
    EXPECT_EQ(events[2].data, "x");
    EXPECT_EQ(events[3].data, "y");
  }
}

TEST(SseParserTest, JoinsDataLinesAndKeepsUnknownFields) {
  std::vector<SseEvent> events = ParseInPieces(
      ": OPENROUTER PROCESSING\n\nevent: delta\nid: 7\nretry: 10\ndata: one\ndata: two\n\n"
      "error: {\"code\":400}\ndata: [DONE]\n\n",
      5);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "delta");
  EXPECT_EQ(events[0].data, "one\ntwo");
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[1].id, "");
  ASSERT_EQ(events[1].other.size(), 1u);
  EXPECT_EQ(events[1].other[0].first, "error");
  EXPECT_EQ(events[1].other[0].second, "{\"code\":400}");
  EXPECT_EQ(events[1].data, "[DONE]");
}

TEST(SseParserTest, StripsALeadingBomAndKeepsUtf8SplitAcrossReads) {
  std::string stream =
      "\xEF\xBB\xBF"
      "data: caf\xC3\xA9 \xF0\x9F\x8E\x89\n\n";
  std::vector<SseEvent> events = ParseInPieces(stream, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "caf\xC3\xA9 \xF0\x9F\x8E\x89");
}

TEST(SseParserTest, AcceptsMultiMegabyteLinesButCapsMemory) {
  std::string big(3 << 20, 'x');
  std::vector<SseEvent> events = ParseInPieces("data: " + big + "\n\n", 65536);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data.size(), big.size());

  SseParser small(1024);
  EXPECT_FALSE(small.Feed("data: " + std::string(2048, 'y'), [](const SseEvent&) { return true; }));
  EXPECT_TRUE(small.overflowed());
}

TEST(SseParserTest, ACallbackCanStopTheStream) {
  SseParser parser;
  int seen = 0;
  EXPECT_FALSE(parser.Feed("data: 1\n\ndata: 2\n\n", [&](const SseEvent&) {
    ++seen;
    return false;
  }));
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace scribe::plugin_common
