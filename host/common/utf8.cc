#include "host/common/utf8.h"

namespace scribe::utf8 {
namespace {

// Length of the well-formed character at text[i], 0 if it is malformed, or
// -1 if it is a well-formed prefix cut short by the end of `text`.
int CharLength(std::string_view text, size_t i) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  unsigned char c = s[i];
  if (c < 0x80) return 1;
  int len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (int k = 1; k < len; ++k) {
    if (i + k >= n) return -1;
    unsigned char b = s[i + k];
    if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return 0;
  }
  return len;
}

}  // namespace

size_t ValidPrefixLength(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {  // ASCII, most text: no call
      ++i;
      continue;
    }
    int len = CharLength(text, i);
    if (len <= 0) break;
    i += static_cast<size_t>(len);
  }
  return i;
}

bool IsValid(std::string_view text) { return ValidPrefixLength(text) == text.size(); }

size_t LeadingContinuationBytes(std::string_view text) {
  size_t count = 0;
  while (count < text.size() && !IsLeadByte(static_cast<unsigned char>(text[count]))) ++count;
  return count;
}

size_t BoundaryAtOrBefore(std::string_view text, size_t pos) {
  if (pos >= text.size()) return text.size();
  while (pos > 0 && !IsLeadByte(static_cast<unsigned char>(text[pos]))) --pos;
  return pos;
}

bool Assembler::Add(std::string_view piece, std::string& out) {
  std::string joined;
  std::string_view text = piece;
  if (!pending_.empty()) {
    joined = pending_ + std::string(piece);
    text = joined;
  }
  size_t valid = ValidPrefixLength(text);
  if (valid < text.size() && CharLength(text, valid) != -1) return false;
  out.append(text.substr(0, valid));
  pending_.assign(text.substr(valid));
  return true;
}

}  // namespace scribe::utf8
