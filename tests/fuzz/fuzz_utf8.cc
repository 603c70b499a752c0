// The UTF-8 checks that stand between a plugin's bytes and the log: the
// assembler fed any bytes in two pieces emits only valid UTF-8, and exactly
// the input when the input is valid.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "host/common/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t split = data[0] % (text.size() + 1);
  namespace utf8 = scribe::utf8;
  const bool valid = utf8::IsValid(text);
  if (valid != (utf8::ValidPrefixLength(text) == text.size())) std::abort();
  utf8::Assembler assembler;
  std::string out;
  bool accepted = assembler.Add(text.substr(0, split), out);
  accepted = accepted && assembler.Add(text.substr(split), out);
  if (!utf8::IsValid(out)) std::abort();
  if (valid && (!accepted || out != text || assembler.pending() != 0)) std::abort();
  for (size_t pos = 0; pos <= text.size() && valid; ++pos) {
    size_t boundary = utf8::BoundaryAtOrBefore(text, pos);
    if (boundary > pos || !utf8::IsValid(text.substr(0, boundary))) std::abort();
  }
  return 0;
}
