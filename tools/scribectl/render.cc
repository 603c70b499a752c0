#include "tools/scribectl/render.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "host/common/clock.h"
#include "host/common/utf8.h"

namespace scribe::ctl {
namespace {

// Characters a terminal shows: UTF-8 lead bytes outside escape sequences.
size_t VisibleWidth(const std::string& text) {
  size_t width = 0;
  bool escape = false;
  for (char c : text) {
    if (escape) {
      if (c == 'm') escape = false;
      continue;
    }
    if (c == '\033') {
      escape = true;
      continue;
    }
    if (utf8::IsLeadByte(static_cast<unsigned char>(c))) ++width;
  }
  return width;
}

}  // namespace

Style Style::For(int fd, bool no_color_flag) {
  Style style;
  const char* term = std::getenv("TERM");
  style.colour_ = !no_color_flag && isatty(fd) && std::getenv("NO_COLOR") == nullptr &&
                  !(term != nullptr && std::strcmp(term, "dumb") == 0);
  return style;
}

std::string Style::Wrap(const char* code, const std::string& text) const {
  if (!colour_) return text;
  return std::string("\033[") + code + "m" + text + "\033[0m";
}

std::string Style::State(const std::string& state) const {
  if (state == "succeeded") return Wrap("32", state);
  if (state == "failed") return Wrap("31", state);
  if (state == "cancelled") return Wrap("33", state);
  if (state == "running") return Wrap("36", state);
  if (state == "interrupted") return Wrap("35", state);
  return state;
}

std::string FormatBytes(int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string FormatAge(int64_t millis) {
  int64_t seconds = std::max<int64_t>(0, millis / 1000);
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 120 * 60) return std::to_string(seconds / 60) + "m";
  if (seconds < 48 * 3600) return std::to_string(seconds / 3600) + "h";
  if (seconds < 14 * 86400) return std::to_string(seconds / 86400) + "d";
  return std::to_string(seconds / (7 * 86400)) + "w";
}

std::string FormatDuration(int64_t millis) {
  char text[32];
  if (millis < 60'000) {
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(millis) / 1000);
  } else if (millis < 3'600'000) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(millis / 60'000),
                  static_cast<long long>(millis / 1000 % 60));
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(millis / 3'600'000),
                  static_cast<long long>(millis / 60'000 % 60));
  }
  return text;
}

int64_t ParseTime(const std::string& rfc3339) {
  int64_t millis = 0;
  return ParseRfc3339(rfc3339, millis) ? millis : 0;
}

std::string Abbreviate(const std::string& text, size_t width) {
  std::string flat = text;
  std::replace_if(
      flat.begin(), flat.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  size_t chars = 0;
  size_t cut = 0;  // where the character that the mark replaces starts
  for (size_t i = 0; i < flat.size(); ++i) {
    if (!utf8::IsLeadByte(static_cast<unsigned char>(flat[i]))) continue;
    if (chars + 1 == width) cut = i;
    ++chars;
  }
  if (chars <= width || width == 0) return flat;
  return flat.substr(0, cut) + "…";
}

void Table::Print(std::ostream& out, const Style& style) const {
  std::vector<size_t> widths(header_.size(), 0);
  auto measure = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], VisibleWidth(row[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto print = [&](const std::vector<std::string>& row, bool header) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      std::string cell = header ? style.Bold(row[i]) : row[i];
      line += cell;
      if (i + 1 < row.size()) line += std::string(widths[i] - VisibleWidth(row[i]) + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  };
  print(header_, true);
  for (const auto& row : rows_) print(row, false);
}

}  // namespace scribe::ctl
