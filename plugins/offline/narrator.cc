#include "narrator.h"

#include <cctype>
#include <cstddef>

namespace scribe::offline {
namespace {

constexpr size_t kMaxSpokenWords = 22;  // longer sentences are split at commas
constexpr size_t kMaxChunkBytes = 24;

enum class BlockKind { kHeading, kParagraph, kList, kCode, kTable, kQuote };

struct Block {
  BlockKind kind;
  std::string text;                // heading or paragraph text
  std::vector<std::string> items;  // list items
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Length of a list marker ("- ", "* ", "+ ", "12. ", "3) ") at the start of
// `line`, or 0.
size_t ListMarkerLength(std::string_view line) {
  if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') {
    return 2;
  }
  size_t i = 0;
  while (i < line.size() && i < 3 && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  if (i > 0 && i + 1 < line.size() && (line[i] == '.' || line[i] == ')') && line[i + 1] == ' ') {
    return i + 2;
  }
  return 0;
}

// Removes markdown that should not be read aloud: emphasis markers, inline
// code ticks, link targets, images, HTML tags; bare URLs become "a link".
std::string CleanInline(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if ((c == '!' && i + 1 < s.size() && s[i + 1] == '[') || c == '[') {
      size_t open = c == '!' ? i + 1 : i;
      size_t close = s.find(']', open);
      if (close != std::string_view::npos && close + 1 < s.size() && s[close + 1] == '(') {
        size_t end = s.find(')', close);
        if (end != std::string_view::npos) {
          out.append(CleanInline(s.substr(open + 1, close - open - 1)));
          i = end + 1;
          continue;
        }
      }
    }
    if (c == '<') {
      size_t end = s.find('>', i);
      if (end != std::string_view::npos && end > i + 1 &&
          (std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '/')) {
        i = end + 1;
        continue;
      }
    }
    if (StartsWith(s.substr(i), "http://") || StartsWith(s.substr(i), "https://")) {
      size_t end = i;
      while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end]))) ++end;
      out.append("a link");
      i = end;
      continue;
    }
    if (c == '*' || c == '`' || (c == '_' && (i + 1 < s.size() && s[i + 1] == '_'))) {
      i += (c == '_') ? 2 : 1;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  // Collapse runs of whitespace into one space.
  std::string collapsed;
  collapsed.reserve(out.size());
  bool space = false;
  for (char ch : out) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      space = !collapsed.empty();
      continue;
    }
    if (space) collapsed.push_back(' ');
    space = false;
    collapsed.push_back(ch);
  }
  return collapsed;
}

std::vector<Block> ParseBlocks(std::string_view content) {
  std::vector<Block> blocks;
  std::string paragraph;
  auto flush_paragraph = [&] {
    std::string text = CleanInline(paragraph);
    if (!text.empty()) blocks.push_back({BlockKind::kParagraph, text, {}});
    paragraph.clear();
  };
  bool in_code = false;
  size_t pos = 0;
  while (pos <= content.size()) {
    size_t eol = content.find('\n', pos);
    if (eol == std::string_view::npos) eol = content.size();
    std::string_view raw = content.substr(pos, eol - pos);
    pos = eol + 1;
    std::string_view line = Trim(raw);
    if (StartsWith(line, "```") || StartsWith(line, "~~~")) {
      if (!in_code) {
        flush_paragraph();
        blocks.push_back({BlockKind::kCode, "", {}});
      }
      in_code = !in_code;
      continue;
    }
    if (in_code) continue;
    if (line.empty()) {
      flush_paragraph();
      continue;
    }
    if (line[0] == '#') {
      flush_paragraph();
      size_t hashes = line.find_first_not_of('#');
      std::string text =
          CleanInline(line.substr(hashes == std::string_view::npos ? line.size() : hashes));
      while (!text.empty() && text.back() == '#') text.pop_back();
      text = std::string(Trim(text));
      if (!text.empty()) blocks.push_back({BlockKind::kHeading, text, {}});
      continue;
    }
    if (line[0] == '|') {
      flush_paragraph();
      if (blocks.empty() || blocks.back().kind != BlockKind::kTable) {
        blocks.push_back({BlockKind::kTable, "", {}});
      }
      continue;
    }
    if (size_t marker = ListMarkerLength(line); marker > 0) {
      flush_paragraph();
      if (blocks.empty() || blocks.back().kind != BlockKind::kList) {
        blocks.push_back({BlockKind::kList, "", {}});
      }
      std::string item = CleanInline(line.substr(marker));
      if (!item.empty()) blocks.back().items.push_back(item);
      continue;
    }
    if (line[0] == '>') {
      flush_paragraph();
      std::string text = CleanInline(line.substr(1));
      if (!text.empty()) blocks.push_back({BlockKind::kQuote, text, {}});
      continue;
    }
    if (!blocks.empty() && blocks.back().kind == BlockKind::kList && paragraph.empty() &&
        (raw.size() > 0 && (raw[0] == ' ' || raw[0] == '\t')) && !blocks.back().items.empty()) {
      blocks.back().items.back() += " " + CleanInline(line);  // a wrapped list item
      continue;
    }
    if (!paragraph.empty()) paragraph.push_back(' ');
    paragraph.append(line);
  }
  flush_paragraph();
  return blocks;
}

size_t CountWords(std::string_view s) {
  size_t words = 0;
  bool in_word = false;
  for (char c : s) {
    bool space = std::isspace(static_cast<unsigned char>(c));
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

void Capitalize(std::string& s) {
  if (!s.empty() && std::islower(static_cast<unsigned char>(s[0]))) {
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  }
}

// Ends a spoken sentence with a full stop unless it already has an ending.
std::string Finish(std::string s) {
  while (!s.empty() && (s.back() == ',' || s.back() == ';' || s.back() == ':' || s.back() == ' ')) {
    s.pop_back();
  }
  if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s.push_back('.');
  Capitalize(s);
  return s;
}

// Splits text into sentences at ". ", "! " and "? ".
std::vector<std::string> Sentences(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool end = (c == '.' || c == '!' || c == '?') && (i + 1 == text.size() || text[i + 1] == ' ');
    if (end) {
      std::string_view s = Trim(text.substr(start, i + 1 - start));
      if (!s.empty()) out.emplace_back(s);
      start = i + 1;
    }
  }
  std::string_view rest = Trim(text.substr(start));
  if (!rest.empty()) out.emplace_back(rest);
  return out;
}

// Breaks a long sentence into short ones at the clause boundary (", ", "; ",
// " - ") nearest its middle, recursively, so each is easy to follow by ear.
void SpeakSentence(std::string_view sentence, std::vector<std::string>& out) {
  if (CountWords(sentence) <= kMaxSpokenWords) {
    out.push_back(Finish(std::string(sentence)));
    return;
  }
  size_t best = std::string_view::npos;
  size_t best_len = 0;
  size_t middle = sentence.size() / 2;
  for (std::string_view sep : {", ", "; ", " - ", ": "}) {
    for (size_t at = sentence.find(sep); at != std::string_view::npos;
         at = sentence.find(sep, at + 1)) {
      size_t distance = at > middle ? at - middle : middle - at;
      size_t best_distance = best == std::string_view::npos
                                 ? std::string_view::npos
                                 : (best > middle ? best - middle : middle - best);
      if (distance < best_distance) {
        best = at;
        best_len = sep.size();
      }
    }
  }
  if (best == std::string_view::npos || best == 0) {
    out.push_back(Finish(std::string(sentence)));
    return;
  }
  SpeakSentence(Trim(sentence.substr(0, best)), out);
  SpeakSentence(Trim(sentence.substr(best + best_len)), out);
}

std::string Ordinal(size_t n) {
  static const char* const kWords[] = {"First", "Second",  "Third",  "Fourth", "Fifth",
                                       "Sixth", "Seventh", "Eighth", "Ninth",  "Tenth"};
  if (n < 10) return kWords[n];
  return "Point " + std::to_string(n + 1);
}

std::string NumberWord(size_t n) {
  static const char* const kWords[] = {"zero", "one",   "two",   "three", "four", "five",
                                       "six",  "seven", "eight", "nine",  "ten"};
  return n <= 10 ? kWords[n] : std::to_string(n);
}

std::string Transition(size_t index, size_t count, const std::string& heading) {
  if (index == 0) return "Let's begin with " + heading + ".";
  if (index + 1 == count) return "Finally, let's look at " + heading + ".";
  static const char* const kMiddle[] = {"Next, let's turn to ", "Now, on to ",
                                        "Moving on, let's talk about ", "Our next topic is "};
  return std::string(kMiddle[(index - 1) % 4]) + heading + ".";
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? (names.size() > 2 ? ", and " : " and ") : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

std::string Narrate(std::string_view title_in, std::string_view content) {
  std::vector<Block> blocks = ParseBlocks(content);
  std::vector<std::string> headings;
  for (const Block& b : blocks) {
    if (b.kind == BlockKind::kHeading) headings.push_back(b.text);
  }
  std::string title = CleanInline(Trim(title_in));
  if (title.empty() && !headings.empty() && !blocks.empty() &&
      blocks[0].kind == BlockKind::kHeading) {
    title = headings.front();
    headings.erase(headings.begin());
    blocks.erase(blocks.begin());
  }
  if (title.empty()) title = "this document";

  std::vector<std::string> paragraphs;  // the script, one spoken paragraph each
  std::string opening = "Welcome. Today we're going to listen our way through " + title + ".";
  if (headings.size() > 1) {
    opening +=
        " We'll cover " + NumberWord(headings.size()) + " parts: " + JoinNames(headings) + ".";
  }
  paragraphs.push_back(opening);

  size_t section = 0;
  for (const Block& block : blocks) {
    std::vector<std::string> spoken;
    switch (block.kind) {
      case BlockKind::kHeading:
        spoken.push_back(Transition(section++, headings.size(), block.text));
        break;
      case BlockKind::kParagraph:
      case BlockKind::kQuote:
        if (block.kind == BlockKind::kQuote) spoken.push_back("Here's a quote.");
        for (const std::string& sentence : Sentences(block.text)) SpeakSentence(sentence, spoken);
        break;
      case BlockKind::kList:
        spoken.push_back(block.items.size() == 1
                             ? std::string("There's one key point here.")
                             : "There are " + NumberWord(block.items.size()) + " key points here.");
        for (size_t i = 0; i < block.items.size(); ++i) {
          std::string lead = (i + 1 == block.items.size() && i > 0) ? "And last" : Ordinal(i);
          std::vector<std::string> item;
          SpeakSentence(block.items[i], item);
          if (!item.empty()) {
            std::string first = item.front();
            if (!first.empty() && std::isupper(static_cast<unsigned char>(first[0])) &&
                !(first.size() > 1 && std::isupper(static_cast<unsigned char>(first[1])))) {
              first[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(first[0])));
            }
            item.front() = lead + ", " + first;
          }
          spoken.insert(spoken.end(), item.begin(), item.end());
        }
        break;
      case BlockKind::kCode:
        spoken.push_back(
            "There's a code example here. It's easier to follow on screen, so we'll skip reading "
            "it "
            "aloud.");
        break;
      case BlockKind::kTable:
        spoken.push_back("There's a table here. Its figures are best read in the document itself.");
        break;
    }
    std::string text;
    for (const std::string& s : spoken) {
      if (!text.empty()) text.push_back(' ');
      text += s;
    }
    if (!text.empty()) paragraphs.push_back(text);
  }

  std::string closing = "To sum up: ";
  closing += headings.empty() ? "that was a short tour of " + title + "."
                              : "we covered " + JoinNames(headings) + ".";
  closing += " Thanks for listening.";
  paragraphs.push_back(closing);

  std::string script;
  for (const std::string& p : paragraphs) {
    script += p;
    script += "\n\n";
  }
  script.pop_back();  // end with a single newline
  return script;
}

std::vector<std::string_view> SplitIntoChunks(std::string_view text) {
  std::vector<std::string_view> chunks;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = start;
    // One word, then the whitespace after it.
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    while (end < text.size() && std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    if (end - start > kMaxChunkBytes) {
      end = start + kMaxChunkBytes;
      while (end > start && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
      if (end == start) end = start + kMaxChunkBytes;  // not UTF-8; never happens for valid text
    }
    chunks.push_back(text.substr(start, end - start));
    start = end;
  }
  return chunks;
}

}  // namespace scribe::offline
