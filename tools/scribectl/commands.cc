// The command table and what the commands share.
#include "tools/scribectl/commands.h"

#include <unistd.h>

#include <iostream>

#include "tools/scribectl/follow.h"

namespace scribe::ctl {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"jobs",
       "jobs [--state S,..] [--provider P] [--since T] [--limit N]",
       "List jobs, newest first.",
       "Options:\n"
       "  --state S,...   only jobs in these states (queued, running, succeeded, failed,\n"
       "                  cancelled, interrupted)\n"
       "  --provider P    only jobs submitted to provider P\n"
       "  --since T       only jobs created since T: a time (2026-01-31T12:00:00Z) or a\n"
       "                  duration ago (90m, 12h, 7d)\n"
       "  --limit N       at most N jobs (default 30)\n",
       {{"state", 0, true}, {"provider", 0, true}, {"since", 0, true}, {"limit", 'n', true}},
       RunJobs},
      {"show",
       "show ID",
       "Everything about one job: input, prompt, params, history, usage.",
       "Shows the job's input summary, prompt, parameters, state history, attempts,\n"
       "token usage, timings, error and parent/children jobs.\n",
       {},
       RunShow},
      {"tail",
       "tail ID [--from OFFSET|-N] [-f]",
       "Print a job's output; -f follows it live.",
       "Options:\n"
       "  --from OFFSET   start at this byte offset (default 0)\n"
       "  --from -N       start with the last N bytes\n"
       "  -f, --follow    stream new text live until the job ends, reconnecting and\n"
       "                  resuming by offset if the connection drops or the host restarts;\n"
       "                  prints how the job ended on stderr\n"
       "  --no-progress   no progress line on stderr while following\n"
       "  --reconnect-for D  give up after the host was unreachable this long (default 10m)\n",
       {{"from", 0, true},
        {"follow", 'f', false},
        {"no-progress", 0, false},
        {"reconnect-for", 0, true}},
       RunTail},
      {"submit",
       "submit (--file PATH | --document ID) [options] [--follow]",
       "Submit a job.",
       "Prints the new job's id on stdout.\n\n"
       "Options:\n"
       "  --file PATH        the document to generate from (- reads stdin)\n"
       "  --document ID      a document already stored on the host, instead of --file\n"
       "  --title TEXT       the job's title (default: the file's name)\n"
       "  --provider NAME    e.g. offline, gemini, openai (default: the host's default)\n"
       "  --model NAME       the provider's model (default: the provider's default)\n"
       "  --prompt TEXT      the instructions; --prompt-file PATH reads them from a file\n"
       "  --param K=V        a provider parameter; V is read as JSON when it parses\n"
       "                     (--param chunks_per_second=50), else as a string; repeatable\n"
       "  --fallback P[/M]   a provider (and model) to fall back to; repeatable\n"
       "  --temperature X, --max-output-tokens N\n"
       "  --idempotency-key K  a retried submit with the same key returns the same job\n"
       "  -f, --follow       then follow the job's output like tail -f\n"
       "  --no-progress      no progress line on stderr while following\n",
       {{"file", 0, true},
        {"document", 0, true},
        {"title", 0, true},
        {"provider", 0, true},
        {"model", 0, true},
        {"prompt", 0, true},
        {"prompt-file", 0, true},
        {"param", 0, true},
        {"fallback", 0, true},
        {"temperature", 0, true},
        {"max-output-tokens", 0, true},
        {"idempotency-key", 0, true},
        {"follow", 'f', false},
        {"no-progress", 0, false},
        {"reconnect-for", 0, true}},
       RunSubmit},
      {"cancel", "cancel ID", "Stop a job now; its partial output is kept.", "", {}, RunCancel},
      {"continue",
       "continue ID",
       "Resume a failed, cancelled or interrupted job after its last byte.",
       "",
       {},
       RunContinue},
      {"retry",
       "retry ID",
       "Start a new job with the same input; prints its id.",
       "",
       {},
       RunRetry},
      {"delete", "delete ID", "Delete a finished job and its output.", "", {}, RunDelete},
      {"providers",
       "providers",
       "The host's provider plugins and their models.",
       "",
       {},
       RunProviders},
      {"stats",
       "stats [--interval D]",
       "Jobs by state, bytes, throughput and token usage.",
       "Options:\n"
       "  --interval D   measure throughput over this long (default 1s; 0s: skip)\n",
       {{"interval", 0, true}},
       RunStats},
      {"db",
       "db check|vacuum|purge --db DB",
       "Maintenance on the database itself.",
       "  db check --db DB     integrity of the file and of every job's log and history;\n"
       "                       safe while the host runs\n"
       "  db vacuum --db DB    compact the file; refused while a host holds the database\n"
       "                       (check and vacuum: SQLite files; PostgreSQL has its own)\n"
       "  db purge --db DB --older-than D [--state S,...] [--dry-run]\n"
       "                       delete finished jobs (default: succeeded, failed and\n"
       "                       cancelled) that finished more than D ago (30d, 12h); safe\n"
       "                       while the host runs\n",
       {{"older-than", 0, true}, {"state", 0, true}, {"dry-run", 0, false}},
       RunDb},
      {"keys",
       "keys create|list|revoke --db DB",
       "Create, list and revoke API keys.",
       "Keys are managed on the database itself, with the host running or not: a\n"
       "key stolen from a client can never mint others. The host checks keys on every\n"
       "request, so a new key works and a revoked one stops at once.\n\n"
       "  keys create --db DB --name NAME [--admin]\n"
       "                       prints the new key's secret, once: only its hash is kept\n"
       "  keys list --db DB    id, name, the secret's first characters, admin, created,\n"
       "                       revoked\n"
       "  keys revoke ID --db DB\n\n"
       "A key sees and acts only on its own documents and jobs; an admin key sees all\n"
       "and may read /metrics.\n",
       {{"name", 0, true}, {"admin", 0, false}},
       RunKeys},
  };
  return kCommands;
}

Result<std::unique_ptr<JobSource>> Context::Source() const {
  if (db) return DatabaseSource(*db);
  Result<HostClient> client = Client();
  if (!client.ok()) return client.status();
  return HostSource(std::move(client).value());
}

Status Context::RequireHost(const std::string& command) const {
  if (!db) return Status::Ok();
  return UsageError(command +
                    " needs the running host; --db serves only jobs, show, tail "
                    "(without -f), stats and db");
}

void PrintJson(const nlohmann::json& value) { std::cout << value.dump(2) << '\n'; }

Result<std::string> OneId(const Context& ctx, const std::string& command) {
  const std::vector<std::string>& words = ctx.args.positional();
  if (words.size() != 1) {
    return UsageError(command + (words.empty() ? " needs a job id" : " takes one job id"));
  }
  return words[0];
}

int FollowJob(Context& ctx, const std::string& id, int64_t offset) {
  Result<HostClient> client = ctx.Client();
  if (!client.ok()) return Fail(client.status());
  FollowOptions options;
  options.offset = offset;
  if (auto reconnect_for = ctx.args.Value("reconnect-for")) {
    Result<int64_t> millis = ParseDuration(*reconnect_for);
    if (!millis.ok()) return Fail(millis.status());
    options.reconnect_for_ms = *millis;
  }
  Result<FollowResult> result = [&] {
    ProgressLine progress(!ctx.args.Has("no-progress"));
    return Follow(*client, id, options, std::cout, progress);
  }();
  std::cout.flush();
  if (!result.ok()) return Fail(result.status());
  Style err = Style::For(2, ctx.no_color);
  std::string summary =
      FormatBytes(result->bytes_received) + " in " + FormatDuration(result->elapsed_ms) +
      (result->reconnects > 0 ? ", " + std::to_string(result->reconnects) + " reconnects" : "");
  // On a terminal the text may end mid-line; the verdict starts its own.
  if (isatty(STDOUT_FILENO) && isatty(STDERR_FILENO)) std::cerr << '\n';
  std::cerr << err.State(result->state) << ": job " << id << ", " << summary;
  if (result->state == "failed") {
    const nlohmann::json& t = result->terminal;
    std::cerr << "\n  " << t.value("code", std::string("failed")) << ": "
              << t.value("message", std::string()) << "\n  partial output kept (" << result->offset
              << " bytes); `scribectl continue " << id << "` resumes it";
  }
  std::cerr << std::endl;
  if (result->state == "succeeded") return kExitOk;
  return result->state == "cancelled" ? kExitJobCancelled : kExitJobFailed;
}

}  // namespace scribe::ctl
