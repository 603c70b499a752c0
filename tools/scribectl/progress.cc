#include "tools/scribectl/progress.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

namespace scribe::ctl {
namespace {

// What the signal handler writes to give the terminal back; prepared
// before the handler can run, since it may only call write() and _exit().
char g_restore[64];
size_t g_restore_size = 0;

void RestoreAndExit(int signal) {
  if (g_restore_size > 0) {
    ssize_t ignored = write(STDERR_FILENO, g_restore, g_restore_size);
    (void)ignored;
  }
  _exit(128 + signal);
}

bool SameTerminal(int a, int b) {
  struct stat sa {};
  struct stat sb {};
  return isatty(a) && isatty(b) && fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
         sa.st_rdev == sb.st_rdev;
}

void WriteErr(const std::string& text) {
  std::cout.flush();  // the text so far reaches the terminal before the line moves
  std::cerr << text << std::flush;
}

}  // namespace

ProgressLine::ProgressLine(bool enabled) {
  if (!enabled || !isatty(STDERR_FILENO)) return;
  mode_ = Mode::kLine;
  struct winsize size {};
  if (SameTerminal(STDOUT_FILENO, STDERR_FILENO)) {
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_row < 3) {
      mode_ = Mode::kOff;  // no room for a pinned line: text only
      return;
    }
    mode_ = Mode::kPinned;
    rows_ = size.ws_row;
    // A free last row, then a scroll region above it; the cursor stays put.
    WriteErr("\n\0337\033[1;" + std::to_string(rows_ - 1) + "r\0338\033[1A");
    g_restore_size = static_cast<size_t>(std::snprintf(
        g_restore, sizeof g_restore, "\0337\033[1;%dr\033[%d;1H\033[2K\0338", rows_, rows_));
  } else {
    g_restore_size = static_cast<size_t>(std::snprintf(g_restore, sizeof g_restore, "\r\033[2K"));
  }
  std::signal(SIGINT, RestoreAndExit);
  std::signal(SIGTERM, RestoreAndExit);
}

ProgressLine::~ProgressLine() { Restore(); }

void ProgressLine::Restore() {
  if (mode_ == Mode::kOff) return;
  WriteErr(std::string(g_restore, g_restore_size));
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_restore_size = 0;
  mode_ = Mode::kOff;
}

void ProgressLine::Show(const std::string& text) {
  switch (mode_) {
    case Mode::kOff:
      return;
    case Mode::kLine:
      return WriteErr("\r\033[2K" + text);
    case Mode::kPinned:
      return WriteErr("\0337\033[" + std::to_string(rows_) + ";1H\033[2K" + text + "\0338");
  }
}

void ProgressLine::Notice(const std::string& text) {
  if (mode_ == Mode::kOff) {
    std::cout.flush();
    std::cerr << "scribectl: " << text << std::endl;
  } else {
    Show(text);
  }
}

}  // namespace scribe::ctl
