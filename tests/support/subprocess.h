// Running a tool (scribectl) the way a person or a script does: with
// arguments, stdin, environment changes, and its stdout, stderr and exit
// code captured; in the background; or under a pseudo-terminal.
#ifndef SCRIBE_TESTS_SUPPORT_SUBPROCESS_H_
#define SCRIBE_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace scribe::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed; -1 when it timed out
  std::string out;
  std::string err;
};

// Environment changes: "NAME=value" sets, "-NAME" removes.
using EnvChanges = std::vector<std::string>;

// A process whose stdout and stderr go to files in a private directory.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& args, const std::string& input = "",
                    const EnvChanges& env = {});
  ~BackgroundProcess();  // kills it if it still runs
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // Waits for the exit; kills it and returns -1 after `timeout_s`.
  int Wait(int timeout_s = 60);
  std::string Out() const;
  std::string Err() const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Runs to completion.
ProcessResult RunProcess(const std::vector<std::string>& args, const std::string& input = "",
                         const EnvChanges& env = {}, int timeout_s = 60);

// Runs under a 24x80 pseudo-terminal: stdout and stderr are the terminal;
// `out` holds everything written to it.
ProcessResult RunInTerminal(const std::vector<std::string>& args, const EnvChanges& env = {},
                            int timeout_s = 60);

}  // namespace scribe::testing

#endif  // SCRIBE_TESTS_SUPPORT_SUBPROCESS_H_
