// JobService: what Scribe does with jobs, independent of HTTP.
//
// It validates submissions, creates jobs in the store, runs them on a fixed
// pool of dispatcher threads through provider plugins, and applies the
// lifecycle of DESIGN.md §5: cancel stops the plugin and keeps the partial
// output; continue appends after the last byte in the same log; at start-up
// jobs that were running become interrupted and are continued.
//
// It is also the bridge from the store's commit notifications to the live
// SSE hub (persist, then publish) and the hub's source for catch-up reads.
//
// Thread safety: every public method may be called from any thread after
// Start(). Stop() is called once, by main, during shutdown.
#ifndef SCRIBE_HOST_JOBS_JOB_SERVICE_H_
#define SCRIBE_HOST_JOBS_JOB_SERVICE_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "host/common/status.h"
#include "host/jobs/caller.h"
#include "host/jobs/rate_limiter.h"
#include "host/jobs/retry_policy.h"
#include "host/plugin/registry.h"
#include "host/store/store.h"
#include "host/stream/sse_hub.h"

namespace scribe::jobs {

struct JobServiceOptions {
  int workers = 16;  // generations running at once
  int64_t max_document_bytes = 8 << 20;
  std::string default_provider = "offline";
  RetryOptions retry;
  // Tried after a job's own fallback chain: a JSON array of {provider, model}.
  std::string default_fallback_json = "[]";
  // Per API key (not for the local user when authentication is off); 0: no limit.
  int max_active_jobs_per_key = 16;         // queued, running or interrupted at once
  int submissions_per_minute_per_key = 60;  // submit and retry
  // The store's lease (StoreOptions::lease_ms): leases are renewed three
  // times within it, and jobs of hosts that are gone looked for as often.
  int64_t lease_ms = 15000;
};

// A submission as decoded from a request; JobService checks its meaning.
struct SubmitRequest {
  std::optional<std::string> document_id;
  std::optional<std::string> content;
  std::string title;
  std::string provider;  // empty: the default provider
  std::string model;     // empty: the provider's default model
  std::string prompt;
  std::optional<double> temperature;
  std::optional<int64_t> max_output_tokens;
  std::string params_json = "{}";    // must be a JSON object
  std::string fallback_json = "[]";  // must be a JSON array of {provider, model}
  std::string idempotency_key;
};

// A provider as /api/providers shows it.
struct ProviderInfo {
  std::string name;
  std::string version;
  std::string description_json;  // the plugin's Describe() object
};

struct ServiceStats {
  int64_t generations_running = 0;
  int64_t chunks_emitted = 0;
};

class JobService : public store::CommitListener, public stream::LogSource {
 public:
  JobService(store::Store& store, const plugin::Registry& registry, stream::SseHub& hub,
             const JobServiceOptions& options);
  ~JobService() override;

  // Recovers jobs the last run left running, then starts the dispatchers
  // and the keeper of this host's leases.
  Status Start();
  // Stops dispatching; running generations end as `interrupted` (their
  // committed output kept) and are continued at the next start, or at once
  // by another host sharing the database.
  void Stop();

  // ---- documents, as `caller` may see them
  Result<store::Document> CreateDocument(const Caller& caller, const std::string& title,
                                         const std::string& content);
  Result<store::Document> GetDocument(const Caller& caller, const std::string& id);
  Result<store::Page<store::Document>> ListDocuments(const Caller& caller, store::PageRequest page);
  Status DeleteDocument(const Caller& caller, const std::string& id);

  // ---- jobs, as `caller` may see them
  Result<store::CreatedJob> Submit(const Caller& caller, const SubmitRequest& request);
  Result<store::Job> GetJob(const Caller& caller, const std::string& id);
  Result<store::Page<store::Job>> ListJobs(const Caller& caller, store::JobFilter filter);
  Result<store::JobHistory> GetJobHistory(const Caller& caller, const std::string& id);
  Result<store::Job> Cancel(const Caller& caller, const std::string& id);
  Result<store::Job> Continue(const Caller& caller, const std::string& id);
  Result<store::CreatedJob> Retry(const Caller& caller, const std::string& id);
  Status Delete(const Caller& caller, const std::string& id);

  // ---- over every job (for /metrics)
  Result<std::map<store::JobState, int64_t>> CountJobsByState();
  Result<std::vector<store::ProviderUsage>> UsageByProvider() { return store_.UsageByProvider(); }

  // ---- output of a job the caller was shown (GetJob) already
  // Checks a client's offset into the job's output: 416 (OutOfRange) past
  // the committed end, 400 when not on a character boundary.
  Status CheckOffset(const store::Job& job, int64_t offset);
  Result<std::string> ReadOutput(const std::string& id, int64_t offset, int64_t max_bytes);
  static stream::JobView ViewOf(const store::Job& job);

  std::vector<ProviderInfo> Providers() const;
  ServiceStats Stats() const;
  store::StoreStats StoreStats() { return store_.Stats(); }

  // store::CommitListener
  void OnCommitted(const std::vector<store::CommittedChange>& changes) override;
  void OnAppendFailed(const std::string& job_id, int attempt, const Status& status) override;
  // stream::LogSource
  Result<std::string> ReadLog(const std::string& job_id, int64_t offset,
                              int64_t max_bytes) override;

 private:
  struct Run;
  class RunSink;
  struct AttemptResult {
    store::AttemptOutcome outcome;
    int64_t retry_after_ms = -1;  // the provider's hint
    int64_t emitted_bytes = 0;    // text this attempt produced
  };

  // Validates `spec`, checks the caller's limits, and stores the job.
  Result<store::CreatedJob> Create(const Caller& caller, store::JobSpec spec);
  // Non-empty UTF-8 within the size limit.
  Status CheckDocumentText(const std::string& content) const;
  // The per-key limits: room for one more active job and, for a new job, a
  // submission within the rate. ResourceExhausted (429) otherwise.
  Status Admit(const Caller& caller, bool new_job);
  void WorkerLoop();
  // Renews this host's leases and takes over the jobs of hosts that are
  // gone, every lease_ms / 3, until Stop().
  void KeeperLoop();
  // Interrupted jobs, and running ones whose host is gone, queued again to
  // continue after their last byte.
  Status RecoverJobs();
  void RunJob(const store::Job& job);
  AttemptResult Execute(const store::Job& job, Run& run, const Route& route);
  void StopRun(const std::string& job_id, bool storage_failed);

  store::Store& store_;
  const plugin::Registry& registry_;
  stream::SseHub& hub_;
  const JobServiceOptions options_;
  RateLimiter submissions_{options_.submissions_per_minute_per_key};

  // Guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable keeper_cv_;
  int queued_hints_ = 0;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<Run>> runs_;  // running generations by job

  std::atomic<int64_t> chunks_emitted_{0};
  std::vector<std::thread> workers_;
  std::thread keeper_;
};

}  // namespace scribe::jobs

#endif  // SCRIBE_HOST_JOBS_JOB_SERVICE_H_
