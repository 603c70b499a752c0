// How scribectl shows things to people: aligned tables, byte sizes, ages,
// and colour only when writing to a terminal.
//
// Thread safety: Style is set once at start-up; the functions are pure.
#ifndef SCRIBE_TOOLS_SCRIBECTL_RENDER_H_
#define SCRIBE_TOOLS_SCRIBECTL_RENDER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace scribe::ctl {

// Colour for one output stream: on when it is a terminal, NO_COLOR is unset,
// TERM is not "dumb" and --no-color was not given.
class Style {
 public:
  static Style For(int fd, bool no_color_flag);
  bool colour() const { return colour_; }

  std::string Bold(const std::string& text) const { return Wrap("1", text); }
  std::string Dim(const std::string& text) const { return Wrap("2", text); }
  std::string Red(const std::string& text) const { return Wrap("31", text); }
  // A job state in its colour: succeeded green, failed red, cancelled
  // yellow, running cyan, others plain.
  std::string State(const std::string& state) const;

 private:
  std::string Wrap(const char* code, const std::string& text) const;
  bool colour_ = false;
};

// 0 B, 999 B, 1.5 KiB, 12.3 MiB, 2.0 GiB.
std::string FormatBytes(int64_t bytes);
// 45s, 12m, 3h, 5d, 10w: how long ago, the way kubectl shows ages.
std::string FormatAge(int64_t millis);
// 0.4 s, 12.3 s, 4m05s, 2h10m.
std::string FormatDuration(int64_t millis);
// Milliseconds since the epoch from an RFC 3339 string; 0 when unparsable.
int64_t ParseTime(const std::string& rfc3339);
// Cuts `text` to `width` characters (not bytes), marking the cut with "…";
// line breaks become spaces.
std::string Abbreviate(const std::string& text, size_t width);

// Columns padded to their widest cell. Cells may hold colour codes: widths
// count only what is visible.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out, const Style& style) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace scribe::ctl

#endif  // SCRIBE_TOOLS_SCRIBECTL_RENDER_H_
