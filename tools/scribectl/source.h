// Where scribectl reads jobs from: the running host over HTTP, or the
// database file directly (--db) when the host is down. Both give the same
// JSON (the host's own encoding, host/http/codec.h), so every command shows
// the same thing either way.
//
// Thread safety: one source per thread.
#ifndef SCRIBE_TOOLS_SCRIBECTL_SOURCE_H_
#define SCRIBE_TOOLS_SCRIBECTL_SOURCE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "host/common/status.h"
#include "tools/scribectl/host_client.h"

namespace scribe::ctl {

struct JobQuery {
  std::vector<std::string> states;
  std::string provider;
  std::optional<int64_t> since_ms;
  int limit = 30;
};

// What was written by WriteOutput.
struct OutputInfo {
  int64_t next_offset = 0;  // where the output continues
  std::string state;        // the job's state when it was read
};

// Counters from /metrics, or what the database alone can tell.
struct Stats {
  std::map<std::string, int64_t> jobs_by_state;
  // Per provider: attempts and tokens by kind ("input", "output", "thinking").
  std::map<std::string, int64_t> provider_attempts;
  std::map<std::string, std::map<std::string, int64_t>> provider_tokens;
  // Live figures, from a running host only.
  std::optional<int64_t> bytes_appended;  // since the host started
  std::optional<int64_t> chunks_appended;
  std::optional<int64_t> generations_running;
  std::optional<int64_t> sse_viewers;
  std::optional<int64_t> commits;
  std::optional<double> commit_seconds;
};

class JobSource {
 public:
  virtual ~JobSource() = default;
  // Job JSON objects, newest first, up to query.limit.
  virtual Result<std::vector<nlohmann::json>> ListJobs(const JobQuery& query) = 0;
  // The job with its history (attempts, events, children).
  virtual Result<nlohmann::json> GetJob(const std::string& id) = 0;
  // Writes the committed output from byte `from` to `out`, or with
  // `last_bytes` the last that many bytes (from a character boundary).
  virtual Result<OutputInfo> WriteOutput(const std::string& id, int64_t from,
                                         std::optional<int64_t> last_bytes, std::ostream& out) = 0;
  virtual Result<Stats> GetStats() = 0;
};

std::unique_ptr<JobSource> HostSource(HostClient client);
Result<std::unique_ptr<JobSource>> DatabaseSource(const std::string& db_url);

// Parses Prometheus text exposition into Stats.
Stats ParseMetrics(const std::string& text);

}  // namespace scribe::ctl

#endif  // SCRIBE_TOOLS_SCRIBECTL_SOURCE_H_
