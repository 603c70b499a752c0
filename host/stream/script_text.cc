#include "host/stream/script_text.h"

#include <vector>

namespace scribe::stream {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// One line without its markdown artefacts and with single spaces.
std::string CleanLine(std::string_view line) {
  size_t start = 0;
  while (start < line.size() && IsSpace(line[start])) ++start;
  line.remove_prefix(start);
  // Heading marks and list bullets at the start of the line.
  size_t hashes = 0;
  while (hashes < line.size() && line[hashes] == '#') ++hashes;
  if (hashes > 0 && hashes < line.size() && line[hashes] == ' ') line.remove_prefix(hashes + 1);
  if (line.size() > 1 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') {
    line.remove_prefix(2);
  }
  if (line.size() > 1 && line[0] == '>' && line[1] == ' ') line.remove_prefix(2);
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '*' || c == '`') continue;  // emphasis and code marks
    if (c == '_' && i + 1 < line.size() && line[i + 1] == '_') {
      ++i;
      continue;
    }
    if (c == '[') {  // [text](target) -> text
      size_t close = line.find(']', i);
      if (close != std::string_view::npos && close + 1 < line.size() && line[close + 1] == '(') {
        size_t end = line.find(')', close);
        if (end != std::string_view::npos) {
          out.append(line.substr(i + 1, close - i - 1));
          i = end;
          continue;
        }
      }
    }
    if (IsSpace(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      continue;
    }
    out.push_back(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string PostProcessScript(std::string_view raw) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t eol = raw.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) eol = raw.size();
    lines.push_back(CleanLine(raw.substr(pos, eol - pos)));
    if (eol < raw.size() && raw[eol] == '\r' && eol + 1 < raw.size() && raw[eol + 1] == '\n') ++eol;
    pos = eol + 1;
  }
  std::string out;
  int blank_run = 0;
  for (const std::string& line : lines) {
    if (line.empty()) {
      ++blank_run;
      continue;
    }
    if (!out.empty()) out.append(blank_run > 0 ? "\n\n" : "\n");
    blank_run = 0;
    out.append(line);
  }
  return out;
}

}  // namespace scribe::stream
