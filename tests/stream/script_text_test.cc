#include "host/stream/script_text.h"

#include <gtest/gtest.h>

namespace scribe::stream {
namespace {

TEST(ScriptTextTest, RemovesWhatShouldNotBeReadAloud) {
  EXPECT_EQ(PostProcessScript("## Welcome\r\n\r\n**Photosynthesis** is `key`.\n- First *point*\n"
                              "* Second\n> a quote\nSee [the guide](https://x.org/a)."),
            "Welcome\n\nPhotosynthesis is key.\nFirst point\nSecond\na quote\nSee the guide.");
}

TEST(ScriptTextTest, NormalisesWhitespaceAndTrims) {
  EXPECT_EQ(PostProcessScript("\n\n  Hello   there.\t\n\n\n\nBye ✓  \n\n"),
            "Hello there.\n\nBye ✓");
  EXPECT_EQ(PostProcessScript(""), "");
  EXPECT_EQ(PostProcessScript("snake_case stays; __bold__ goes"), "snake_case stays; bold goes");
}

TEST(ScriptTextTest, LeavesAnAlreadyCleanScriptAsItIs) {
  std::string clean = "One paragraph.\n\nAnother one, with «quotes» and 🎉.";
  EXPECT_EQ(PostProcessScript(clean), clean);
}

}  // namespace
}  // namespace scribe::stream
