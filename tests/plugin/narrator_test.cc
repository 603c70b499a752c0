#include "narrator.h"

#include <gtest/gtest.h>

namespace scribe::offline {
namespace {

constexpr char kDocument[] =
    "# Photosynthesis\n\n"
    "Plants turn **light** into sugar. See [the article](https://example.org/p) for more.\n\n"
    "## Steps\n\n"
    "- Light reactions make ATP\n"
    "- The Calvin cycle fixes carbon\n\n"
    "```\ncode that should not be read\n```\n\n"
    "## Why it matters\n\n"
    "Almost all food chains start here, which is why it matters so much to every living thing "
    "on the planet, from the smallest plankton to the largest whales, and to us as well.\n";

TEST(NarratorTest, IsDeterministic) { EXPECT_EQ(Narrate("", kDocument), Narrate("", kDocument)); }

TEST(NarratorTest, WritesAScriptForListening) {
  std::string script = Narrate("", kDocument);
  EXPECT_EQ(script.rfind("Welcome. Today we're going to listen our way through Photosynthesis.", 0),
            0u);
  EXPECT_NE(script.find("Let's begin with Steps."), std::string::npos);
  EXPECT_NE(script.find("Finally, let's look at Why it matters."), std::string::npos);
  EXPECT_NE(script.find("There are two key points here. First, light reactions make ATP."),
            std::string::npos);
  EXPECT_NE(script.find("And last, the Calvin cycle fixes carbon."), std::string::npos);
  EXPECT_NE(script.find("code example"), std::string::npos);
  EXPECT_EQ(script.find("code that should not be read"), std::string::npos);
  EXPECT_EQ(script.find("**"), std::string::npos);
  EXPECT_EQ(script.find("https://"), std::string::npos);
  EXPECT_NE(script.find("See the article for more."), std::string::npos);
  EXPECT_NE(script.find("To sum up: we covered Steps and Why it matters. Thanks for listening."),
            std::string::npos);
  EXPECT_EQ(script.back(), '\n');
}

TEST(NarratorTest, ShortensLongSentences) {
  std::string script = Narrate("", kDocument);
  size_t start = script.find("Almost all food chains");
  ASSERT_NE(start, std::string::npos);
  std::string paragraph = script.substr(start, script.find('\n', start) - start);
  size_t words = 0, max_words = 0;
  for (char c : paragraph) {
    if (c == ' ') ++words;
    if (c == '.') {
      max_words = std::max(max_words, words);
      words = 0;
    }
  }
  EXPECT_LE(max_words, 23u);
}

TEST(NarratorTest, ChunksRejoinExactlyAndNeverSplitACharacter) {
  std::string text =
      Narrate("Ünïcödé ✓", "Émoji 🎉🎉🎉 and a verylongwordwithoutanyspacesinsideitatallreally ✓\n");
  std::string joined;
  for (std::string_view chunk : SplitIntoChunks(text)) {
    ASSERT_FALSE(chunk.empty());
    ASSERT_LE(chunk.size(), 24u);
    EXPECT_NE(static_cast<unsigned char>(chunk[0]) & 0xC0, 0x80) << "chunk starts mid-character";
    joined += chunk;
  }
  EXPECT_EQ(joined, text);
}

TEST(NarratorTest, PlainTextWithoutHeadingsStillGetsOpeningAndClosing) {
  std::string script = Narrate("Notes", "Just one paragraph.");
  EXPECT_EQ(script,
            "Welcome. Today we're going to listen our way through Notes.\n\n"
            "Just one paragraph.\n\n"
            "To sum up: that was a short tour of Notes. Thanks for listening.\n");
}

}  // namespace
}  // namespace scribe::offline
