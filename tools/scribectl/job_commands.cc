// jobs, show, tail, submit, cancel, continue, retry, delete.
#include <fstream>
#include <iostream>
#include <sstream>

#include "host/common/clock.h"
#include "tools/scribectl/commands.h"

namespace scribe::ctl {
namespace {

std::string Str(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t Int(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string ProviderModel(const nlohmann::json& job) {
  std::string model = Str(job, "model_used");
  if (model.empty()) model = Str(job, "model");
  return Str(job, "provider") + (model.empty() ? "" : "/" + model);
}

std::string ErrorCode(const nlohmann::json& job) {
  return job["error"].is_object() ? Str(job["error"], "code") : "";
}

// "12.3 s" between two RFC 3339 times, or "" when either is missing.
std::string Between(const nlohmann::json& object, const char* from, const char* to) {
  int64_t start = ParseTime(Str(object, from));
  int64_t end = ParseTime(Str(object, to));
  return start > 0 && end > 0 ? FormatDuration(end - start) : "";
}

std::string Tokens(const nlohmann::json& usage) {
  return std::to_string(Int(usage, "input_tokens")) + " in, " +
         std::to_string(Int(usage, "output_tokens")) + " out, " +
         std::to_string(Int(usage, "thinking_tokens")) + " thinking";
}

std::string Ago(const std::string& time) {
  int64_t millis = ParseTime(time);
  return millis > 0 ? time + " (" + FormatAge(NowMillis() - millis) + " ago)" : time;
}

Result<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidArgument("usage", "cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// POSTs /api/jobs/{id}/{action} and prints the outcome.
int Steer(Context& ctx, const std::string& action) {
  Result<std::string> id = OneId(ctx, action);
  if (!id.ok()) return Fail(id.status());
  Status host = ctx.RequireHost(action);
  if (!host.ok()) return Fail(host);
  Result<HostClient> client = ctx.Client();
  if (!client.ok()) return Fail(client.status());
  const std::string path = "/api/jobs/" + UrlEncode(*id);
  if (action == "delete") {
    Result<HostResponse> deleted = client->Send("DELETE", path);
    if (!deleted.ok()) return Fail(deleted.status());
    if (ctx.json) {
      PrintJson({{"id", *id}, {"deleted", true}});
    } else {
      std::cout << "deleted job " << *id << '\n';
    }
    return kExitOk;
  }
  Result<nlohmann::json> job = client->Json("POST", path + "/" + action);
  if (!job.ok()) return Fail(job.status());
  if (ctx.json) {
    PrintJson(*job);
  } else if (action == "retry") {
    std::cout << Str(*job, "id") << '\n';
    std::cerr << "job " << Str(*job, "id") << " retries " << *id << '\n';
  } else {
    std::cout << "job " << *id << " is " << ctx.out.State(Str(*job, "state")) << " ("
              << FormatBytes(Int(*job, "output_bytes")) << " of output kept)\n";
  }
  return kExitOk;
}

}  // namespace

int RunJobs(Context& ctx) {
  if (!ctx.args.positional().empty()) return Fail(UsageError("jobs takes no arguments"));
  JobQuery query;
  if (auto states = ctx.args.Value("state")) {
    std::stringstream list(*states);
    for (std::string state; std::getline(list, state, ',');) {
      if (!state.empty()) query.states.push_back(state);
    }
  }
  query.provider = ctx.args.Value("provider").value_or("");
  if (auto since = ctx.args.Value("since")) {
    Result<int64_t> millis = ParseSince(*since, NowMillis());
    if (!millis.ok()) return Fail(millis.status());
    query.since_ms = *millis;
  }
  if (auto limit = ctx.args.Value("limit")) {
    char* end = nullptr;
    long value = std::strtol(limit->c_str(), &end, 10);
    if (limit->empty() || *end != '\0' || value < 1 || value > 1'000'000) {
      return Fail(UsageError("--limit must be a number from 1 to 1000000"));
    }
    query.limit = static_cast<int>(value);
  }
  Result<std::unique_ptr<JobSource>> source = ctx.Source();
  if (!source.ok()) return Fail(source.status());
  Result<std::vector<nlohmann::json>> jobs = (*source)->ListJobs(query);
  if (!jobs.ok()) return Fail(jobs.status());
  if (ctx.json) {
    PrintJson(*jobs);
    return kExitOk;
  }
  if (jobs->empty()) {
    std::cerr << "no jobs\n";
    return kExitOk;
  }
  Table table({"ID", "STATE", "PROVIDER/MODEL", "OUTPUT", "ATTEMPTS", "AGE", "ERROR", "TITLE"});
  const int64_t now = NowMillis();
  for (const nlohmann::json& job : *jobs) {
    table.Add({Str(job, "id"), ctx.out.State(Str(job, "state")), ProviderModel(job),
               FormatBytes(Int(job, "output_bytes")), std::to_string(Int(job, "attempts")),
               FormatAge(now - ParseTime(Str(job, "created_at"))), ErrorCode(job),
               Abbreviate(Str(job, "title"), 40)});
  }
  table.Print(std::cout, ctx.out);
  return kExitOk;
}

int RunShow(Context& ctx) {
  Result<std::string> id = OneId(ctx, "show");
  if (!id.ok()) return Fail(id.status());
  Result<std::unique_ptr<JobSource>> source = ctx.Source();
  if (!source.ok()) return Fail(source.status());
  Result<nlohmann::json> found = (*source)->GetJob(*id);
  if (!found.ok()) return Fail(found.status());
  const nlohmann::json& job = *found;
  if (ctx.json) {
    PrintJson(job);
    return kExitOk;
  }
  const Style& s = ctx.out;
  auto field = [&s](const std::string& name, const std::string& value) {
    if (!value.empty())
      std::cout << s.Bold(name) << std::string(11 - name.size(), ' ') << value << '\n';
  };
  field("Job", Str(job, "id"));
  field("State", s.State(Str(job, "state")) + " after " + std::to_string(Int(job, "attempts")) +
                     " attempt" + (Int(job, "attempts") == 1 ? "" : "s"));
  std::string input = Str(job, "title").empty() ? "(untitled)" : Str(job, "title");
  input += ", " + FormatBytes(Int(job, "input_bytes"));
  if (!Str(job, "document_id").empty()) input += ", from document " + Str(job, "document_id");
  field("Input", input);
  field("Provider", ProviderModel(job) + (Str(job, "model_used").empty() ||
                                                  Str(job, "model_used") == Str(job, "model")
                                              ? ""
                                              : " (asked for " + Str(job, "model") + ")"));
  if (job["fallback"].is_array() && !job["fallback"].empty())
    field("Fallback", job["fallback"].dump());
  if (job["params"].is_object() && !job["params"].empty()) field("Params", job["params"].dump());
  if (job["temperature"].is_number()) field("Temperature", job["temperature"].dump());
  if (job["max_output_tokens"].is_number()) field("Max tokens", job["max_output_tokens"].dump());
  field("Output", FormatBytes(Int(job, "output_bytes")) + " (" +
                      std::to_string(Int(job, "output_bytes")) + " bytes)");
  field("Usage", Tokens(job["usage"]) + " tokens");
  field("Created", Ago(Str(job, "created_at")));
  std::string waited = Between(job, "created_at", "started_at");
  if (!Str(job, "started_at").empty())
    field("Started", Ago(Str(job, "started_at")) + ", queued " + waited);
  std::string ran = Between(job, "started_at", "finished_at");
  if (!Str(job, "finished_at").empty())
    field("Finished", Ago(Str(job, "finished_at")) + ", ran " + ran);
  if (job["error"].is_object()) {
    const nlohmann::json& error = job["error"];
    field("Error", s.Red(Str(error, "code")) + ": " + Str(error, "message") +
                       (Str(error, "detail").empty() ? "" : " (" + Str(error, "detail") + ")") +
                       (error.value("retryable", false) ? "; retryable" : ""));
  }
  field("Parent", Str(job, "parent_id"));
  const nlohmann::json& history = job["history"];
  if (history.is_object() && !history["children"].empty()) {
    std::string children;
    for (const auto& child : history["children"]) {
      children += (children.empty() ? "" : ", ") + child.get<std::string>();
    }
    field("Children", children);
  }
  if (!Str(job, "prompt").empty()) {
    std::cout << s.Bold("Prompt") << '\n';
    std::istringstream lines(Str(job, "prompt"));
    for (std::string line; std::getline(lines, line);) std::cout << "  " << line << '\n';
  }
  if (history.is_object() && !history["attempts"].empty()) {
    std::cout << '\n' << s.Bold("Attempts") << '\n';
    Table attempts(
        {"  #", "PROVIDER/MODEL", "STATE", "BYTES", "STARTED", "TOOK", "TOKENS", "ERROR"});
    for (const nlohmann::json& a : history["attempts"]) {
      attempts.Add(
          {"  " + std::to_string(Int(a, "number")), ProviderModel(a), s.State(Str(a, "state")),
           std::to_string(Int(a, "start_offset")) + "-" + std::to_string(Int(a, "end_offset")),
           Str(a, "started_at"), Between(a, "started_at", "finished_at"), Tokens(a["usage"]),
           ErrorCode(a)});
    }
    attempts.Print(std::cout, s);
  }
  if (history.is_object() && !history["events"].empty()) {
    std::cout << '\n' << s.Bold("History") << '\n';
    Table events({"  AT", "STATE", "ATTEMPT", "OFFSET", "NOTE"});
    for (const nlohmann::json& e : history["events"]) {
      events.Add({"  " + Str(e, "at"), s.State(Str(e, "state")), std::to_string(Int(e, "attempt")),
                  std::to_string(Int(e, "offset")), Abbreviate(Str(e, "note"), 80)});
    }
    events.Print(std::cout, s);
  }
  return kExitOk;
}

int RunTail(Context& ctx) {
  Result<std::string> id = OneId(ctx, "tail");
  if (!id.ok()) return Fail(id.status());
  const bool follow = ctx.args.Has("follow");
  if (follow) {
    Status host = ctx.RequireHost("tail -f");
    if (!host.ok()) return Fail(host);
  }
  int64_t from = 0;
  std::optional<int64_t> last_bytes;
  if (auto text = ctx.args.Value("from")) {
    bool negative = !text->empty() && (*text)[0] == '-';
    std::string digits = negative ? text->substr(1) : *text;
    char* end = nullptr;
    long long value = std::strtoll(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0' || !std::isdigit(static_cast<unsigned char>(digits[0]))) {
      return Fail(UsageError("--from takes a byte offset (1024) or -N for the last N bytes"));
    }
    (negative ? last_bytes.emplace() : from) = value;
  }
  if (follow && !last_bytes) return FollowJob(ctx, *id, from);
  Result<std::unique_ptr<JobSource>> source = ctx.Source();
  if (!source.ok()) return Fail(source.status());
  Result<OutputInfo> written = (*source)->WriteOutput(*id, from, last_bytes, std::cout);
  std::cout.flush();
  if (!written.ok()) return Fail(written.status());
  if (!std::cout) return Fail(Internal("could not write the output"));
  return follow ? FollowJob(ctx, *id, written->next_offset) : kExitOk;
}

int RunSubmit(Context& ctx) {
  Status host = ctx.RequireHost("submit");
  if (!host.ok()) return Fail(host);
  if (!ctx.args.positional().empty()) {
    return Fail(UsageError("submit takes its document as --file PATH"));
  }
  const auto file = ctx.args.Value("file");
  const auto document = ctx.args.Value("document");
  if (file.has_value() == document.has_value()) {
    return Fail(UsageError("submit needs either --file PATH or --document ID"));
  }
  nlohmann::json request = nlohmann::json::object();
  if (file) {
    Result<std::string> content = ReadFile(*file);
    if (!content.ok()) return Fail(content.status());
    request["content"] = *content;
    request["title"] = *file == "-" ? "stdin" : file->substr(file->find_last_of('/') + 1);
  } else {
    request["document_id"] = *document;
  }
  for (const char* key : {"title", "provider", "model", "prompt"}) {
    if (auto value = ctx.args.Value(key)) request[key] = *value;
  }
  if (auto prompt_file = ctx.args.Value("prompt-file")) {
    if (ctx.args.Has("prompt")) return Fail(UsageError("give --prompt or --prompt-file, not both"));
    Result<std::string> prompt = ReadFile(*prompt_file);
    if (!prompt.ok()) return Fail(prompt.status());
    request["prompt"] = *prompt;
  }
  for (const char* key : {"temperature", "max-output-tokens"}) {
    auto value = ctx.args.Value(key);
    if (!value) continue;
    nlohmann::json number = nlohmann::json::parse(*value, nullptr, false);
    if (!number.is_number()) return Fail(UsageError(std::string("--") + key + " takes a number"));
    request[key == std::string("temperature") ? "temperature" : "max_output_tokens"] = number;
  }
  nlohmann::json params = nlohmann::json::object();
  for (const std::string& param : ctx.args.Values("param")) {
    size_t eq = param.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(UsageError("--param takes KEY=VALUE, not '" + param + "'"));
    }
    nlohmann::json value = nlohmann::json::parse(param.substr(eq + 1), nullptr, false);
    params[param.substr(0, eq)] =
        value.is_discarded() ? nlohmann::json(param.substr(eq + 1)) : value;
  }
  if (!params.empty()) request["params"] = params;
  for (const std::string& fallback : ctx.args.Values("fallback")) {
    size_t slash = fallback.find('/');
    nlohmann::json route = {{"provider", fallback.substr(0, slash)}};
    if (slash != std::string::npos) route["model"] = fallback.substr(slash + 1);
    request["fallback"].push_back(route);
  }
  std::map<std::string, std::string> headers;
  if (auto key = ctx.args.Value("idempotency-key")) headers["Idempotency-Key"] = *key;

  Result<HostClient> client = ctx.Client();
  if (!client.ok()) return Fail(client.status());
  Result<nlohmann::json> job = client->Json("POST", "/api/jobs", &request, headers);
  if (!job.ok()) return Fail(job.status());
  const std::string id = Str(*job, "id");
  if (ctx.json && !ctx.args.Has("follow")) {
    PrintJson(*job);
    return kExitOk;
  }
  if (ctx.args.Has("follow")) {
    std::cerr << "job " << id << " submitted (" << ProviderModel(*job) << ")\n";
    return FollowJob(ctx, id, 0);
  }
  std::cout << id << '\n';
  return kExitOk;
}

int RunCancel(Context& ctx) { return Steer(ctx, "cancel"); }
int RunContinue(Context& ctx) { return Steer(ctx, "continue"); }
int RunRetry(Context& ctx) { return Steer(ctx, "retry"); }
int RunDelete(Context& ctx) { return Steer(ctx, "delete"); }

}  // namespace scribe::ctl
