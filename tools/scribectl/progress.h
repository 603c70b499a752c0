// ProgressLine: one status line on stderr (bytes, rate, what is happening)
// while a job's text streams to stdout. Drawn only when stderr is a
// terminal; when stdout is that same terminal, the line is pinned to the
// bottom row with a scroll region (as apt does) so the text scrolls above it
// untouched. Ctrl-C restores the terminal before exiting.
//
// Thread safety: one per process, used by the thread that writes stdout.
#ifndef SCRIBE_TOOLS_SCRIBECTL_PROGRESS_H_
#define SCRIBE_TOOLS_SCRIBECTL_PROGRESS_H_

#include <string>

namespace scribe::ctl {

class ProgressLine {
 public:
  // `enabled` false (--no-progress): Show() does nothing, Notice() prints.
  explicit ProgressLine(bool enabled);
  ~ProgressLine();  // removes the line and restores the terminal
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Replaces the line's text.
  void Show(const std::string& text);
  // Something worth telling even without a terminal (a reconnect): shown
  // on the line when there is one, else as its own line on stderr.
  void Notice(const std::string& text);

 private:
  enum class Mode { kOff, kLine, kPinned };
  void Restore();

  Mode mode_ = Mode::kOff;
  int rows_ = 0;
};

}  // namespace scribe::ctl

#endif  // SCRIBE_TOOLS_SCRIBECTL_PROGRESS_H_
