// The command line of scribectl: parsed arguments, exit codes, and how a
// failure becomes a message and an exit code.
//
// Thread safety: values and pure functions.
#ifndef SCRIBE_TOOLS_SCRIBECTL_CLI_H_
#define SCRIBE_TOOLS_SCRIBECTL_CLI_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/common/status.h"

namespace scribe::ctl {

// Documented in `scribectl --help`; scripts rely on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,         // anything else: the host answered 5xx, I/O failed
  kExitUsage = 2,         // bad arguments
  kExitUnavailable = 3,   // host unreachable, database missing or unreadable
  kExitNotFound = 4,      // no such job (or document)
  kExitConflict = 5,      // the job's state does not allow it; the database is in use
  kExitJobFailed = 6,     // tail -f / submit --follow: the job failed
  kExitJobCancelled = 7,  // tail -f / submit --follow: the job was cancelled
  kExitCheckFailed = 8,   // db check found problems
  kExitDenied = 9,        // no valid API key (--key, SCRIBE_KEY), or not an admin key
};

// The exit code for a failure.
int ExitCodeFor(const Status& status);
// Prints "scribectl: <message>" to stderr and returns ExitCodeFor(status).
int Fail(const Status& status);
// A usage error (exit 2) with a hint to --help.
Status UsageError(const std::string& message);

struct OptionSpec {
  std::string name;     // long name without dashes, e.g. "follow"
  char short_name = 0;  // e.g. 'f'; 0: none
  bool takes_value = false;
};

// Options (--name value, --name=value, -x value, flags) and positional
// words, checked against the options a command accepts.
class Args {
 public:
  static Result<Args> Parse(const std::vector<std::string>& words,
                            const std::vector<OptionSpec>& specs);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given for `name`.
  std::optional<std::string> Value(const std::string& name) const;
  // Every value given for `name`, in order.
  std::vector<std::string> Values(const std::string& name) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> values_;
};

// "30d", "12h", "90m", "45s", "2w" -> milliseconds.
Result<int64_t> ParseDuration(const std::string& text);
// A point in time: RFC 3339, or a duration meaning that long ago.
Result<int64_t> ParseSince(const std::string& text, int64_t now_ms);

}  // namespace scribe::ctl

#endif  // SCRIBE_TOOLS_SCRIBECTL_CLI_H_
