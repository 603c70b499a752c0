// scribectl's commands. Each takes the parsed command line and returns the
// process's exit code (cli.h); output goes to stdout, messages to stderr.
#ifndef SCRIBE_TOOLS_SCRIBECTL_COMMANDS_H_
#define SCRIBE_TOOLS_SCRIBECTL_COMMANDS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/scribectl/cli.h"
#include "tools/scribectl/host_client.h"
#include "tools/scribectl/render.h"
#include "tools/scribectl/source.h"

namespace scribe::ctl {

// What every command gets.
struct Context {
  Args args;
  std::string url;                // --url, SCRIBE_URL or the default
  std::string api_key;            // --key or SCRIBE_KEY; empty: none
  std::string ca_file;            // --cacert or SCRIBE_CA_FILE; empty: the system's CAs
  std::optional<std::string> db;  // --db: read the database file instead
  bool json = false;              // --json
  bool no_color = false;          // --no-color
  Style out;                      // colour for stdout

  // The host's client; InvalidArgument for a malformed --url.
  Result<HostClient> Client() const { return HostClient::Create(url, api_key, ca_file); }
  // The database with --db, else the host.
  Result<std::unique_ptr<JobSource>> Source() const;
  // Refuses --db for a command that needs the running host.
  Status RequireHost(const std::string& command) const;
};

struct Command {
  std::string name;
  std::string usage;    // "tail ID [--from OFFSET|-N] [-f]"
  std::string summary;  // one line for the command list
  std::string details;  // the options, for `scribectl help NAME`
  std::vector<OptionSpec> options;
  int (*run)(Context&);
};

// Every command, in the order `--help` lists them.
const std::vector<Command>& Commands();

int RunJobs(Context& ctx);
int RunShow(Context& ctx);
int RunTail(Context& ctx);
int RunSubmit(Context& ctx);
int RunCancel(Context& ctx);
int RunContinue(Context& ctx);
int RunRetry(Context& ctx);
int RunDelete(Context& ctx);
int RunProviders(Context& ctx);
int RunStats(Context& ctx);
int RunDb(Context& ctx);
int RunKeys(Context& ctx);

// Prints `value` as indented JSON on stdout.
void PrintJson(const nlohmann::json& value);
// The single positional ID a command takes, or a usage error.
Result<std::string> OneId(const Context& ctx, const std::string& command);
// Follows a job to its end (tail -f, submit --follow) and reports how it
// ended on stderr; the exit code says how.
int FollowJob(Context& ctx, const std::string& id, int64_t offset);

}  // namespace scribe::ctl

#endif  // SCRIBE_TOOLS_SCRIBECTL_COMMANDS_H_
