// The offline provider's narrator: turns a knowledge document into a script
// meant to be listened to, with no network and no model. Deterministic: the
// same document always gives the same bytes, so tests can compare output and
// a continuation can produce exactly the rest of a script.
#ifndef SCRIBE_PLUGINS_OFFLINE_NARRATOR_H_
#define SCRIBE_PLUGINS_OFFLINE_NARRATOR_H_

#include <string>
#include <string_view>
#include <vector>

namespace scribe::offline {

// The narration script of a document: an opening line, each section read as
// short spoken sentences with transitions between sections, lists counted
// out, code and tables described rather than read, and a closing summary.
// `title` may be empty (the first heading or the first words stand in).
std::string Narrate(std::string_view title, std::string_view content);

// Splits `text` into the small pieces the provider streams: roughly one word
// each, never splitting a UTF-8 character, never longer than 24 bytes.
// Concatenated they give back `text` exactly.
std::vector<std::string_view> SplitIntoChunks(std::string_view text);

}  // namespace scribe::offline

#endif  // SCRIBE_PLUGINS_OFFLINE_NARRATOR_H_
