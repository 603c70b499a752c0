#include "host/common/utf8.h"

#include <gtest/gtest.h>

namespace scribe::utf8 {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValid(""));
  EXPECT_TRUE(IsValid("plain ascii"));
  EXPECT_TRUE(IsValid("Ünïcödé ✓ 🎉 日本語"));
  EXPECT_TRUE(IsValid("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(Utf8Test, RejectsMalformedText) {
  EXPECT_FALSE(IsValid("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValid("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValid("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValid("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValid("\x80"));              // lone continuation
  EXPECT_FALSE(IsValid("abc\xE2\x9C"));       // truncated
  EXPECT_FALSE(IsValid("\xFF"));
}

TEST(Utf8Test, BoundaryAtOrBeforeStepsBackOverContinuationBytes) {
  std::string text = "a✓b";  // ✓ is 3 bytes at [1,4)
  EXPECT_EQ(BoundaryAtOrBefore(text, 0), 0u);
  EXPECT_EQ(BoundaryAtOrBefore(text, 1), 1u);
  EXPECT_EQ(BoundaryAtOrBefore(text, 2), 1u);
  EXPECT_EQ(BoundaryAtOrBefore(text, 3), 1u);
  EXPECT_EQ(BoundaryAtOrBefore(text, 4), 4u);
  EXPECT_EQ(BoundaryAtOrBefore(text, 99), text.size());
}

TEST(Utf8Test, LeadingContinuationBytesCountsTheTailOfACutCharacter) {
  const std::string text = "\xE2\x82\xAC";  // one three-byte character
  EXPECT_EQ(LeadingContinuationBytes(text), 0u);
  EXPECT_EQ(LeadingContinuationBytes(text.substr(1)), 2u);
  EXPECT_EQ(LeadingContinuationBytes(text.substr(2) + "a"), 1u);
  EXPECT_EQ(LeadingContinuationBytes(""), 0u);
}

TEST(Utf8Test, AssemblerJoinsACharacterSplitAcrossPieces) {
  Assembler assembler;
  std::string out;
  std::string emoji = "🎉";  // 4 bytes
  ASSERT_TRUE(assembler.Add("x" + emoji.substr(0, 1), out));
  EXPECT_EQ(out, "x");
  EXPECT_EQ(assembler.pending(), 1u);
  ASSERT_TRUE(assembler.Add(emoji.substr(1, 2), out));
  EXPECT_EQ(out, "x");
  ASSERT_TRUE(assembler.Add(emoji.substr(3) + "y", out));
  EXPECT_EQ(out, "x" + emoji + "y");
  EXPECT_EQ(assembler.pending(), 0u);
}

TEST(Utf8Test, AssemblerRefusesBytesThatCanNeverBeUtf8) {
  Assembler assembler;
  std::string out;
  EXPECT_FALSE(assembler.Add("ok\xFF", out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(assembler.Add("\xE2\x28\xA1", out));  // bad second byte
  EXPECT_TRUE(assembler.Add("fine", out));
  EXPECT_EQ(out, "fine");
}

}  // namespace
}  // namespace scribe::utf8
