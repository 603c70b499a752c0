#include "tools/scribectl/source.h"

#include <algorithm>
#include <sstream>

#include "host/common/utf8.h"
#include "host/http/codec.h"
#include "host/store/store.h"

namespace scribe::ctl {
namespace {

constexpr int kMaxPage = 1000;  // the API's largest page
constexpr int64_t kReadPiece = 1 << 20;

std::string JoinStates(const std::vector<std::string>& states) {
  std::string joined;
  for (const std::string& state : states) joined += (joined.empty() ? "" : ",") + state;
  return joined;
}

class HostJobSource final : public JobSource {
 public:
  explicit HostJobSource(HostClient client) : client_(std::move(client)) {}

  Result<std::vector<nlohmann::json>> ListJobs(const JobQuery& query) override {
    std::vector<nlohmann::json> jobs;
    std::string cursor;
    while (static_cast<int>(jobs.size()) < query.limit) {
      int page = std::min(kMaxPage, query.limit - static_cast<int>(jobs.size()));
      std::string path = "/api/jobs?limit=" + std::to_string(page);
      if (!query.states.empty()) path += "&state=" + UrlEncode(JoinStates(query.states));
      if (!query.provider.empty()) path += "&provider=" + UrlEncode(query.provider);
      if (query.since_ms) path += "&since=" + std::to_string(*query.since_ms);
      if (!cursor.empty()) path += "&cursor=" + UrlEncode(cursor);
      Result<nlohmann::json> answer = client_.Json("GET", path);
      if (!answer.ok()) return answer.status();
      for (const nlohmann::json& job : answer->value("jobs", nlohmann::json::array())) {
        jobs.push_back(job);
      }
      const nlohmann::json& next = (*answer)["next_cursor"];
      if (!next.is_string()) break;
      cursor = next.get<std::string>();
    }
    return jobs;
  }

  Result<nlohmann::json> GetJob(const std::string& id) override {
    return client_.Json("GET", "/api/jobs/" + UrlEncode(id));
  }

  Result<OutputInfo> WriteOutput(const std::string& id, int64_t from,
                                 std::optional<int64_t> last_bytes, std::ostream& out) override {
    if (last_bytes && *last_bytes == 0) {  // nothing to show: only where the end is
      Result<nlohmann::json> job = GetJob(id);
      if (!job.ok()) return job.status();
      return OutputInfo{job->value("output_bytes", int64_t{0}), job->value("state", "")};
    }
    std::map<std::string, std::string> headers;
    std::string path = "/api/jobs/" + UrlEncode(id) + "/output";
    if (last_bytes) {
      headers["Range"] = "bytes=-" + std::to_string(*last_bytes);
    } else {
      path += "?offset=" + std::to_string(from);
    }
    Result<HostResponse> head =
        client_.Stream(path, headers, 60'000, [&out](std::string_view piece) {
          out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
          return static_cast<bool>(out);
        });
    if (!head.ok()) return head.status();
    OutputInfo info;
    info.state = head->Header("x-scribe-job-state");
    info.next_offset = std::stoll("0" + head->Header("x-scribe-next-offset"));
    return info;
  }

  Result<Stats> GetStats() override {
    Result<HostResponse> metrics = client_.Send("GET", "/metrics");
    if (!metrics.ok()) return metrics.status();
    return ParseMetrics(metrics->body);
  }

 private:
  HostClient client_;
};

class DatabaseJobSource final : public JobSource {
 public:
  explicit DatabaseJobSource(std::unique_ptr<store::StoreReader> store)
      : store_(std::move(store)) {}

  Result<std::vector<nlohmann::json>> ListJobs(const JobQuery& query) override {
    store::JobFilter filter;
    Result<std::vector<store::JobState>> states = store::ParseJobStates(JoinStates(query.states));
    if (!states.ok()) return states.status();
    filter.states = std::move(states).value();
    filter.provider = query.provider;
    filter.since_ms = query.since_ms;
    std::vector<nlohmann::json> jobs;
    while (static_cast<int>(jobs.size()) < query.limit) {
      filter.limit = std::min(kMaxPage, query.limit - static_cast<int>(jobs.size()));
      Result<store::Page<store::Job>> page = store_->ListJobs(filter);
      if (!page.ok()) return page.status();
      for (const store::Job& job : page->items) jobs.push_back(http::JobJson(job));
      if (page->next_cursor.empty()) break;
      filter.cursor = page->next_cursor;
    }
    return jobs;
  }

  Result<nlohmann::json> GetJob(const std::string& id) override {
    Result<store::Job> job = store_->GetJob(id);
    if (!job.ok()) return job.status();
    Result<store::JobHistory> history = store_->GetJobHistory(id);
    if (!history.ok()) return history.status();
    return http::JobDetailJson(*job, *history);
  }

  Result<OutputInfo> WriteOutput(const std::string& id, int64_t from,
                                 std::optional<int64_t> last_bytes, std::ostream& out) override {
    Result<store::Job> job = store_->GetJob(id);
    if (!job.ok()) return job.status();
    const int64_t end = job->output_bytes;
    int64_t at = last_bytes ? std::max<int64_t>(0, end - *last_bytes) : from;
    if (at > end) {
      return Status(Code::kOutOfRange, "offset_out_of_range",
                    "offset " + std::to_string(at) + " is past the end of job " + id +
                        "'s output (" + std::to_string(end) + " bytes)");
    }
    bool first = true;
    while (at < end) {
      Result<std::string> piece = store_->ReadOutput(id, at, std::min(kReadPiece, end - at));
      if (!piece.ok()) return piece.status();
      if (piece->empty()) break;
      size_t skip = first ? utf8::LeadingContinuationBytes(*piece) : 0;
      if (skip > 0 && !last_bytes) {
        return InvalidArgument("invalid_offset", "offset " + std::to_string(at) +
                                                     " is inside a character; start at a "
                                                     "character boundary");
      }
      first = false;
      out.write(piece->data() + skip, static_cast<std::streamsize>(piece->size() - skip));
      at += static_cast<int64_t>(piece->size());
    }
    return OutputInfo{at, std::string(store::ToString(job->state))};
  }

  Result<Stats> GetStats() override {
    Result<std::map<store::JobState, int64_t>> counts = store_->CountJobsByState();
    if (!counts.ok()) return counts.status();
    Result<std::vector<store::ProviderUsage>> usage = store_->UsageByProvider();
    if (!usage.ok()) return usage.status();
    Stats stats;
    for (const auto& [state, count] : *counts) {
      stats.jobs_by_state[std::string(store::ToString(state))] = count;
    }
    for (const store::ProviderUsage& u : *usage) {
      stats.provider_attempts[u.provider] = u.attempts;
      stats.provider_tokens[u.provider] = {{"input", u.usage.input_tokens},
                                           {"output", u.usage.output_tokens},
                                           {"thinking", u.usage.thinking_tokens}};
    }
    return stats;
  }

 private:
  std::unique_ptr<store::StoreReader> store_;
};

// `name{a="x",b="y"}` -> the value of label `key`, or "".
std::string Label(const std::string& labels, const std::string& key) {
  std::string needle = key + "=\"";
  size_t at = labels.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  return labels.substr(at, labels.find('"', at) - at);
}

}  // namespace

std::unique_ptr<JobSource> HostSource(HostClient client) {
  return std::make_unique<HostJobSource>(std::move(client));
}

Result<std::unique_ptr<JobSource>> DatabaseSource(const std::string& db_url) {
  store::StoreOptions options;
  options.read_connections = 1;
  Result<std::unique_ptr<store::StoreReader>> store = store::OpenStoreReader(db_url, options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<JobSource>(std::make_unique<DatabaseJobSource>(std::move(store).value()));
}

Stats ParseMetrics(const std::string& text) {
  Stats stats;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    std::string series = line.substr(0, space);
    double value = std::strtod(line.c_str() + space + 1, nullptr);
    auto count = static_cast<int64_t>(value);
    size_t brace = series.find('{');
    std::string name = series.substr(0, brace);
    std::string labels = brace == std::string::npos ? "" : series.substr(brace);
    if (name == "scribe_jobs") {
      stats.jobs_by_state[Label(labels, "state")] = count;
    } else if (name == "scribe_provider_attempts_total") {
      stats.provider_attempts[Label(labels, "provider")] = count;
    } else if (name == "scribe_provider_tokens_total") {
      stats.provider_tokens[Label(labels, "provider")][Label(labels, "kind")] = count;
    } else if (name == "scribe_bytes_appended_total") {
      stats.bytes_appended = count;
    } else if (name == "scribe_chunks_appended_total") {
      stats.chunks_appended = count;
    } else if (name == "scribe_generations_running") {
      stats.generations_running = count;
    } else if (name == "scribe_sse_viewers") {
      stats.sse_viewers = count;
    } else if (name == "scribe_commit_latency_seconds_count") {
      stats.commits = count;
    } else if (name == "scribe_commit_latency_seconds_sum") {
      stats.commit_seconds = value;
    }
  }
  return stats;
}

}  // namespace scribe::ctl
