// providers, stats, db check|vacuum|purge.
#include <chrono>
#include <iostream>
#include <thread>

#include "host/common/clock.h"
#include "host/common/secret.h"
#include "host/store/maintenance.h"
#include "host/store/store.h"
#include "tools/scribectl/commands.h"

namespace scribe::ctl {
namespace {

std::string Number(int64_t value) {
  std::string digits = std::to_string(value);
  for (int at = static_cast<int>(digits.size()) - 3; at > (value < 0 ? 1 : 0); at -= 3) {
    digits.insert(static_cast<size_t>(at), ",");
  }
  return digits;
}

nlohmann::json StatsJson(const Stats& stats) {
  nlohmann::json json = {{"jobs", stats.jobs_by_state}, {"providers", nlohmann::json::object()}};
  for (const auto& [provider, attempts] : stats.provider_attempts) {
    json["providers"][provider] = {{"attempts", attempts}, {"tokens", nlohmann::json::object()}};
  }
  for (const auto& [provider, tokens] : stats.provider_tokens) {
    json["providers"][provider]["tokens"] = tokens;
  }
  auto optional = [&json](const char* key, const auto& value) {
    if (value) json[key] = *value;
  };
  optional("bytes_appended", stats.bytes_appended);
  optional("chunks_appended", stats.chunks_appended);
  optional("generations_running", stats.generations_running);
  optional("sse_viewers", stats.sse_viewers);
  optional("commits", stats.commits);
  optional("commit_seconds", stats.commit_seconds);
  return json;
}

int DbCheck(Context& ctx) {
  Result<store::CheckReport> report = store::CheckDatabase(*ctx.db);
  if (!report.ok()) return Fail(report.status());
  if (ctx.json) {
    nlohmann::json jobs = nlohmann::json::object();
    for (const auto& [state, count] : report->jobs_by_state) {
      jobs[std::string(store::ToString(state))] = count;
    }
    PrintJson({{"ok", report->problems.empty()},
               {"problems", report->problems},
               {"documents", report->documents},
               {"jobs", jobs},
               {"chunks", report->chunks},
               {"output_bytes", report->output_bytes},
               {"file_bytes", report->file_bytes},
               {"wal_bytes", report->wal_bytes},
               {"free_bytes", report->free_bytes}});
  } else {
    int64_t jobs = 0;
    for (const auto& [state, count] : report->jobs_by_state) jobs += count;
    std::cout << *ctx.db << ": " << Number(jobs) << " jobs, " << Number(report->documents)
              << " documents, " << Number(report->chunks) << " chunks ("
              << FormatBytes(report->output_bytes) << " of output); file "
              << FormatBytes(report->file_bytes) << ", WAL " << FormatBytes(report->wal_bytes)
              << ", free " << FormatBytes(report->free_bytes) << '\n';
    for (const std::string& problem : report->problems) {
      std::cout << ctx.out.Red("problem") << ": " << problem << '\n';
    }
    std::cout << (report->problems.empty()
                      ? "ok"
                      : std::to_string(report->problems.size()) + " problems found")
              << '\n';
  }
  return report->problems.empty() ? kExitOk : kExitCheckFailed;
}

int DbVacuum(Context& ctx) {
  Result<store::VacuumReport> report = store::VacuumDatabase(*ctx.db);
  if (!report.ok()) return Fail(report.status());
  if (ctx.json) {
    PrintJson({{"bytes_before", report->bytes_before}, {"bytes_after", report->bytes_after}});
  } else {
    std::cout << "vacuumed " << *ctx.db << ": " << FormatBytes(report->bytes_before) << " -> "
              << FormatBytes(report->bytes_after) << '\n';
  }
  return kExitOk;
}

int DbPurge(Context& ctx) {
  auto older_than = ctx.args.Value("older-than");
  if (!older_than) return Fail(UsageError("db purge needs --older-than (e.g. 30d)"));
  Result<int64_t> age = ParseDuration(*older_than);
  if (!age.ok()) return Fail(age.status());
  store::PurgeRequest request;
  request.finished_before_ms = NowMillis() - *age;
  request.dry_run = ctx.args.Has("dry-run");
  Result<std::vector<store::JobState>> states =
      store::ParseJobStates(ctx.args.Value("state").value_or(""));
  if (!states.ok()) return Fail(states.status());
  request.states = std::move(states).value();
  Result<store::PurgeReport> report = store::PurgeJobs(*ctx.db, request);
  if (!report.ok()) return Fail(report.status());
  if (ctx.json) {
    PrintJson({{"dry_run", request.dry_run},
               {"jobs", report->job_ids},
               {"output_bytes", report->output_bytes}});
    return kExitOk;
  }
  for (const std::string& id : report->job_ids) std::cout << id << '\n';
  std::cerr << (request.dry_run ? "would delete " : "deleted ") << report->job_ids.size()
            << " jobs (" << FormatBytes(report->output_bytes) << " of output)"
            << (request.dry_run || report->job_ids.empty()
                    ? ""
                    : "; `scribectl db vacuum` returns the space to the disk")
            << '\n';
  return kExitOk;
}

nlohmann::json KeyJson(const store::ApiKey& key) {
  return {{"id", key.id},
          {"name", key.name},
          {"prefix", key.prefix},
          {"admin", key.admin},
          {"created_at", FormatRfc3339(key.created_ms)},
          {"revoked_at", key.revoked_ms ? nlohmann::json(FormatRfc3339(*key.revoked_ms))
                                        : nlohmann::json(nullptr)}};
}

int KeysCreate(Context& ctx) {
  auto name = ctx.args.Value("name");
  if (!name || name->empty()) return Fail(UsageError("keys create needs --name NAME"));
  const std::string secret = NewApiKeySecret();
  Result<store::ApiKey> key = store::CreateApiKey(*ctx.db, *name, ctx.args.Has("admin"),
                                                  Sha256Hex(secret), secret.substr(0, 14));
  if (!key.ok()) return Fail(key.status());
  if (ctx.json) {
    nlohmann::json json = KeyJson(*key);
    json["secret"] = secret;
    PrintJson(json);
  } else {
    std::cout << secret << '\n';
    std::cerr << "created " << (key->admin ? "admin " : "") << "key " << key->id << " ("
              << key->name << "); keep the secret above now: only its hash is stored\n";
  }
  return kExitOk;
}

int KeysList(Context& ctx) {
  store::StoreOptions options;
  options.read_connections = 1;
  Result<std::unique_ptr<store::StoreReader>> reader = store::OpenStoreReader(*ctx.db, options);
  if (!reader.ok()) return Fail(reader.status());
  Result<std::vector<store::ApiKey>> keys = (*reader)->ListApiKeys();
  if (!keys.ok()) return Fail(keys.status());
  if (ctx.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const store::ApiKey& key : *keys) list.push_back(KeyJson(key));
    PrintJson(list);
    return kExitOk;
  }
  if (keys->empty()) {
    std::cerr << "no API keys\n";
    return kExitOk;
  }
  Table table({"ID", "NAME", "PREFIX", "ADMIN", "CREATED", "REVOKED"});
  const int64_t now = NowMillis();
  for (const store::ApiKey& key : *keys) {
    table.Add({key.id, key.name, key.prefix + "…", key.admin ? "yes" : "no",
               FormatAge(now - key.created_ms) + " ago",
               key.revoked_ms ? ctx.out.Red(FormatAge(now - *key.revoked_ms) + " ago") : ""});
  }
  table.Print(std::cout, ctx.out);
  return kExitOk;
}

int KeysRevoke(Context& ctx) {
  const std::vector<std::string>& words = ctx.args.positional();
  if (words.size() != 2) return Fail(UsageError("keys revoke takes one key id"));
  Result<store::ApiKey> key = store::RevokeApiKey(*ctx.db, words[1]);
  if (!key.ok()) return Fail(key.status());
  if (ctx.json) {
    PrintJson(KeyJson(*key));
  } else {
    std::cout << "revoked key " << key->id << " (" << key->name << ")\n";
  }
  return kExitOk;
}

}  // namespace

int RunKeys(Context& ctx) {
  const std::vector<std::string>& words = ctx.args.positional();
  if (words.empty()) return Fail(UsageError("keys takes one of create, list, revoke"));
  if (!ctx.db)
    return Fail(UsageError("keys " + words[0] +
                           " needs --db DB (the database file, or its postgresql:// URL)"));
  if (words[0] != "create" && (ctx.args.Has("name") || ctx.args.Has("admin"))) {
    return Fail(UsageError("--name and --admin belong to keys create"));
  }
  if (words[0] == "create" && words.size() == 1) return KeysCreate(ctx);
  if (words[0] == "list" && words.size() == 1) return KeysList(ctx);
  if (words[0] == "revoke") return KeysRevoke(ctx);
  return Fail(UsageError("keys takes one of create, list, revoke ID"));
}

int RunProviders(Context& ctx) {
  Status host = ctx.RequireHost("providers");
  if (!host.ok()) return Fail(host);
  Result<HostClient> client = ctx.Client();
  if (!client.ok()) return Fail(client.status());
  Result<nlohmann::json> answer = client->Json("GET", "/api/providers");
  if (!answer.ok()) return Fail(answer.status());
  const nlohmann::json providers = answer->value("providers", nlohmann::json::array());
  if (ctx.json) {
    PrintJson(providers);
    return kExitOk;
  }
  Table table({"NAME", "VERSION", "CONFIGURED", "DEFAULT MODEL", "MODELS"});
  std::vector<std::string> hints;
  for (const nlohmann::json& p : providers) {
    std::string models;
    for (const auto& model : p.value("models", nlohmann::json::array())) {
      if (model.is_string()) models += (models.empty() ? "" : ", ") + model.get<std::string>();
    }
    if (p.value("accepts_any_model", false)) models += models.empty() ? "(any)" : ", (any)";
    bool configured = p.value("configured", false);
    table.Add({p.value("name", ""), p.value("version", ""), configured ? "yes" : ctx.out.Red("no"),
               p["default_model"].is_string() ? p["default_model"].get<std::string>() : "",
               Abbreviate(models, 60)});
    if (!configured && p["configuration_hint"].is_string()) {
      hints.push_back(p.value("name", "") + ": " + p["configuration_hint"].get<std::string>());
    }
  }
  table.Print(std::cout, ctx.out);
  for (const std::string& hint : hints) std::cout << '\n' << hint;
  if (!hints.empty()) std::cout << '\n';
  return kExitOk;
}

int RunStats(Context& ctx) {
  if (!ctx.args.positional().empty()) return Fail(UsageError("stats takes no arguments"));
  int64_t interval_ms = 1000;
  if (auto interval = ctx.args.Value("interval")) {
    Result<int64_t> millis = ParseDuration(*interval);
    if (!millis.ok()) return Fail(millis.status());
    interval_ms = *millis;
  }
  Result<std::unique_ptr<JobSource>> source = ctx.Source();
  if (!source.ok()) return Fail(source.status());
  Result<Stats> first = (*source)->GetStats();
  if (!first.ok()) return Fail(first.status());
  Stats stats = *first;
  std::optional<double> bytes_per_second;
  std::optional<double> chunks_per_second;
  if (first->bytes_appended && interval_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    Result<Stats> second = (*source)->GetStats();
    if (!second.ok()) return Fail(second.status());
    stats = *second;
    double seconds = static_cast<double>(interval_ms) / 1000;
    bytes_per_second =
        static_cast<double>(*second->bytes_appended - *first->bytes_appended) / seconds;
    chunks_per_second = static_cast<double>(second->chunks_appended.value_or(0) -
                                            first->chunks_appended.value_or(0)) /
                        seconds;
  }
  if (ctx.json) {
    nlohmann::json json = StatsJson(stats);
    if (bytes_per_second) {
      json["throughput"] = {{"bytes_per_second", *bytes_per_second},
                            {"chunks_per_second", *chunks_per_second},
                            {"interval_seconds", static_cast<double>(interval_ms) / 1000}};
    }
    PrintJson(json);
    return kExitOk;
  }
  const Style& s = ctx.out;
  int64_t total = 0;
  std::string jobs;
  for (const char* state :
       {"queued", "running", "succeeded", "failed", "cancelled", "interrupted"}) {
    int64_t count = stats.jobs_by_state.count(state) ? stats.jobs_by_state.at(state) : 0;
    total += count;
    jobs += s.State(state) + " " + Number(count) + "  ";
  }
  std::cout << s.Bold("Jobs") << "        " << jobs << "(" << Number(total) << " in all)\n";
  if (stats.generations_running) {
    std::cout << s.Bold("Live") << "        " << Number(*stats.generations_running)
              << " generations running, " << Number(stats.sse_viewers.value_or(0))
              << " SSE viewers\n";
  }
  if (stats.bytes_appended) {
    std::cout << s.Bold("Appended") << "    " << FormatBytes(*stats.bytes_appended) << " in "
              << Number(stats.chunks_appended.value_or(0)) << " chunks since the host started\n";
  }
  if (bytes_per_second) {
    std::cout << s.Bold("Throughput") << "  "
              << FormatBytes(static_cast<int64_t>(*bytes_per_second)) << "/s, "
              << Number(static_cast<int64_t>(*chunks_per_second)) << " chunks/s (over "
              << FormatDuration(interval_ms) << ")\n";
  }
  if (stats.commits && *stats.commits > 0) {
    char mean[32];
    std::snprintf(mean, sizeof mean, "%.2f ms",
                  stats.commit_seconds.value_or(0) * 1000 / static_cast<double>(*stats.commits));
    std::cout << s.Bold("Commits") << "     " << Number(*stats.commits) << ", " << mean
              << " mean\n";
  }
  if (!stats.provider_attempts.empty()) {
    std::cout << '\n';
    Table table({"PROVIDER", "ATTEMPTS", "INPUT TOKENS", "OUTPUT TOKENS", "THINKING TOKENS"});
    for (const auto& [provider, attempts] : stats.provider_attempts) {
      auto tokens = stats.provider_tokens[provider];
      table.Add({provider, Number(attempts), Number(tokens["input"]), Number(tokens["output"]),
                 Number(tokens["thinking"])});
    }
    table.Print(std::cout, s);
  }
  return kExitOk;
}

int RunDb(Context& ctx) {
  const std::vector<std::string>& words = ctx.args.positional();
  if (words.size() != 1) return Fail(UsageError("db takes one of check, vacuum, purge"));
  if (!ctx.db)
    return Fail(UsageError("db " + words[0] +
                           " needs --db DB (the database file, or its postgresql:// URL)"));
  if (words[0] != "purge" &&
      (ctx.args.Has("older-than") || ctx.args.Has("state") || ctx.args.Has("dry-run"))) {
    return Fail(UsageError("--older-than, --state and --dry-run belong to db purge"));
  }
  if (words[0] == "check") return DbCheck(ctx);
  if (words[0] == "vacuum") return DbVacuum(ctx);
  if (words[0] == "purge") return DbPurge(ctx);
  return Fail(UsageError("unknown db command '" + words[0] + "' (check, vacuum, purge)"));
}

}  // namespace scribe::ctl
