// scribectl: inspect and steer Scribe's jobs from a terminal.
#include <cstdlib>
#include <iostream>

#include "tools/scribectl/commands.h"

namespace scribe::ctl {
namespace {

constexpr const char* kVersion = "0.1.0";

const std::vector<OptionSpec> kGlobalOptions = {
    {"url", 0, true},   {"db", 0, true},        {"key", 0, true},    {"cacert", 0, true},
    {"json", 0, false}, {"no-color", 0, false}, {"help", 'h', false}};

const char* kExitCodes =
    "Exit codes:\n"
    "  0  success (tail -f, submit --follow: the job succeeded)\n"
    "  1  any other error (the host answered 5xx, output could not be written)\n"
    "  2  bad arguments\n"
    "  3  host unreachable or busy (over a limit), or the database is missing or\n"
    "     unreadable\n"
    "  4  no such job\n"
    "  5  the job's state does not allow it, or the database is in use by a host\n"
    "  6  the job failed (tail -f, submit --follow)\n"
    "  7  the job was cancelled (tail -f, submit --follow)\n"
    "  8  db check found problems\n"
    "  9  no valid API key (--key, SCRIBE_KEY), or the key may not do this\n";

void PrintHelp() {
  std::cout << "scribectl: inspect and steer Scribe's jobs.\n\n"
               "Usage: scribectl [--url URL [--key KEY] [--cacert PEM] | --db PATH] [--json] "
               "[--no-color] COMMAND "
               "...\n\n"
               "Commands:\n";
  for (const Command& command : Commands()) {
    std::cout << "  " << command.name << std::string(12 - command.name.size(), ' ')
              << command.summary << '\n';
  }
  std::cout << "\nGlobal options:\n"
               "  --url URL    the host (default $SCRIBE_URL, else http://127.0.0.1:8080)\n"
               "  --db DB      read the database instead of asking the host (a file, or a\n"
               "               postgresql:// URL): jobs, show, tail (without -f) and stats\n"
               "               work while the host is down\n"
               "  --key KEY    the API key to send (default $SCRIBE_KEY) when the host\n"
               "               requires one\n"
               "  --cacert PEM trust only this CA for an https:// --url (default\n"
               "               $SCRIBE_CA_FILE, else the system's CAs)\n"
               "  --json       machine-readable output\n"
               "  --no-color   no colour even on a terminal (also NO_COLOR=1)\n"
               "  -h, --help   this help; `scribectl help COMMAND` or `COMMAND --help` for one\n\n"
            << kExitCodes;
}

int PrintCommandHelp(const Command& command) {
  std::cout << "Usage: scribectl " << command.usage << "\n\n"
            << command.summary << "\n\n"
            << command.details << "\n"
            << kExitCodes;
  return kExitOk;
}

const Command* FindCommand(const std::string& name) {
  for (const Command& command : Commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

int Main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  // The command is the first word that is neither an option nor its value.
  size_t at = 0;
  while (at < words.size() && words[at].size() > 1 && words[at][0] == '-') {
    if (words[at] == "--version") {
      std::cout << "scribectl " << kVersion << '\n';
      return kExitOk;
    }
    const std::string& word = words[at];
    at += (word == "--url" || word == "--db" || word == "--key" || word == "--cacert") ? 2 : 1;
  }
  if (at >= words.size()) {
    PrintHelp();
    return words.empty() || words[0] == "--help" || words[0] == "-h" ? kExitOk : kExitUsage;
  }
  std::string name = words[at];
  words.erase(words.begin() + static_cast<std::ptrdiff_t>(at));
  if (name == "help") {
    if (words.empty()) {
      PrintHelp();
      return kExitOk;
    }
    const Command* command = FindCommand(words.back());
    if (command == nullptr) return Fail(UsageError("unknown command '" + words.back() + "'"));
    return PrintCommandHelp(*command);
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) return Fail(UsageError("unknown command '" + name + "'"));

  std::vector<OptionSpec> specs = kGlobalOptions;
  specs.insert(specs.end(), command->options.begin(), command->options.end());
  Result<Args> args = Args::Parse(words, specs);
  if (!args.ok()) return Fail(args.status());
  if (args->Has("help")) return PrintCommandHelp(*command);

  Context ctx;
  ctx.args = *args;
  const char* env_url = std::getenv("SCRIBE_URL");
  ctx.url = args->Value("url").value_or(env_url && *env_url ? env_url : "http://127.0.0.1:8080");
  ctx.db = args->Value("db");
  const char* env_key = std::getenv("SCRIBE_KEY");
  ctx.api_key = args->Value("key").value_or(env_key ? env_key : "");
  const char* env_ca = std::getenv("SCRIBE_CA_FILE");
  ctx.ca_file = args->Value("cacert").value_or(env_ca ? env_ca : "");
  ctx.json = args->Has("json");
  ctx.no_color = args->Has("no-color");
  ctx.out = Style::For(1, ctx.no_color);
  if (ctx.db && args->Has("url")) return Fail(UsageError("give --url or --db, not both"));
  return command->run(ctx);
}

}  // namespace
}  // namespace scribe::ctl

int main(int argc, char** argv) { return scribe::ctl::Main(argc, argv); }
