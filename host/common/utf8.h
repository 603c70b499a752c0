// UTF-8 checks used wherever text crosses into Scribe: plugin output, request
// bodies, offsets. Offsets are byte offsets; a valid offset sits on a
// character boundary (DESIGN.md §3).
//
// Thread safety: pure functions; Utf8Assembler is a value owned by one thread.
#ifndef SCRIBE_HOST_COMMON_UTF8_H_
#define SCRIBE_HOST_COMMON_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace scribe::utf8 {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool IsValid(std::string_view text);

// True when a byte can start a character, i.e. an offset pointing at it is a
// character boundary.
inline bool IsLeadByte(unsigned char byte) { return (byte & 0xC0) != 0x80; }

// Length of the longest well-formed prefix of `text`.
size_t ValidPrefixLength(std::string_view text);

// How many bytes at the start of `text` continue a character begun before
// it: text cut at an arbitrary byte offset starts a character after them.
size_t LeadingContinuationBytes(std::string_view text);

// The largest character boundary <= pos in valid UTF-8 `text`.
size_t BoundaryAtOrBefore(std::string_view text, size_t pos);

// Joins text that arrives in arbitrary byte pieces (a plugin may split a
// character across two emits) into runs of whole characters.
class Assembler {
 public:
  // Appends `piece`; on success moves every complete character (including
  // any carried over from the previous piece) into `out` and returns true.
  // Returns false when the bytes can never become valid UTF-8; nothing is
  // appended to `out` then and the assembler keeps its previous state.
  bool Add(std::string_view piece, std::string& out);
  // Bytes of an unfinished character held back, waiting for the next piece.
  size_t pending() const { return pending_.size(); }

 private:
  std::string pending_;
};

}  // namespace scribe::utf8

#endif  // SCRIBE_HOST_COMMON_UTF8_H_
