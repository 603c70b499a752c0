// JobService's dispatcher: the worker threads that claim queued jobs and run
// them through their provider plugin, feeding the plugin's text into the
// store's log, and start-up recovery.
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "host/common/log.h"
#include "host/common/utf8.h"
#include "host/jobs/job_service.h"
#include "host/jobs/request_json.h"
#include "host/jobs/retry_policy.h"

namespace scribe::jobs {

using store::AttemptOutcome;
using store::Job;
using store::JobError;
using store::JobState;

// One generation in flight; flags are how others ask it to stop.
struct JobService::Run {
  std::string job_id;
  int attempt = 0;
  std::atomic<bool> cancelled{false};       // cancel, or the job left `running`
  std::atomic<bool> shutdown{false};        // the host is stopping
  std::atomic<bool> storage_failed{false};  // its text could not be stored
  bool stopping() const { return cancelled || shutdown || storage_failed; }
};

// The host side of one generation (plugin::GenerationSink).
class JobService::RunSink : public plugin::GenerationSink {
 public:
  RunSink(JobService& service, Run& run, std::string provider)
      : service_(service), run_(run), provider_(std::move(provider)) {}

  bool Emit(std::string_view text) override {
    if (run_.stopping() || refused_) return false;
    std::string whole;
    if (!assembler_.Add(text, whole)) {
      refused_ = true;
      SetError(SCRIBE_ERROR_INTERNAL, "invalid_utf8", "the plugin emitted text that is not UTF-8",
               -1);
      return false;
    }
    if (!whole.empty()) {
      emitted_bytes_ += static_cast<int64_t>(whole.size());
      service_.store_.Append(run_.job_id, run_.attempt, std::move(whole));
      service_.chunks_emitted_.fetch_add(1, std::memory_order_relaxed);
    }
    return true;
  }
  bool Cancelled() override { return run_.stopping() || refused_; }
  void Log(int32_t level, std::string_view message) override {
    LogLevel l = level <= SCRIBE_LOG_DEBUG     ? LogLevel::kDebug
                 : level == SCRIBE_LOG_INFO    ? LogLevel::kInfo
                 : level == SCRIBE_LOG_WARNING ? LogLevel::kWarning
                                               : LogLevel::kError;
    scribe::Log(l, "provider " + provider_, "job " + run_.job_id + ": " + std::string(message));
  }
  void SetError(int32_t error_class, std::string_view code, std::string_view message,
                int64_t retry_after_ms) override {
    plugin::ErrorClassInfo info = plugin::DescribeErrorClass(error_class);
    error_ = JobError{info.code, std::string(message), std::string(code), info.retryable};
    retry_after_ms_ = retry_after_ms;
  }
  void ReportUsage(int64_t input, int64_t output, int64_t thinking) override {
    if (input >= 0) usage_.input_tokens = input;
    if (output >= 0) usage_.output_tokens = output;
    if (thinking >= 0) usage_.thinking_tokens = thinking;
  }
  void ReportModel(std::string_view model) override { model_ = model; }

  const std::optional<JobError>& error() const { return error_; }
  int64_t retry_after_ms() const { return retry_after_ms_; }
  int64_t emitted_bytes() const { return emitted_bytes_; }
  const store::Usage& usage() const { return usage_; }
  const std::string& model() const { return model_; }
  size_t pending_bytes() const { return assembler_.pending(); }

 private:
  JobService& service_;
  Run& run_;
  std::string provider_;
  utf8::Assembler assembler_;
  bool refused_ = false;
  std::optional<JobError> error_;
  int64_t retry_after_ms_ = -1;
  int64_t emitted_bytes_ = 0;
  store::Usage usage_;
  std::string model_;
};

Status JobService::RecoverJobs() {
  Result<std::vector<std::string>> interrupted = store_.InterruptRunningJobs();
  if (!interrupted.ok()) return interrupted.status();
  int continued = 0;
  for (const std::string& id : *interrupted) {
    Result<Job> job = store_.RequeueJob(id, "continuing after its host stopped");
    if (job.ok()) {
      ++continued;
    } else if (job.status().reason() != "job_active") {  // not another host's already
      Log(LogLevel::kWarning, "jobs",
          "cannot continue interrupted job " + id + ": " + job.status().ToString());
    }
  }
  if (continued > 0) {
    Log(LogLevel::kInfo, "jobs", "continuing " + std::to_string(continued) + " interrupted job(s)");
  }
  return Status::Ok();
}

Status JobService::Start() {
  SCRIBE_RETURN_IF_ERROR(RecoverJobs());
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  keeper_ = std::thread([this] { KeeperLoop(); });
  return Status::Ok();
}

void JobService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (auto& [id, run] : runs_) run->shutdown = true;
  }
  work_cv_.notify_all();
  keeper_cv_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

void JobService::KeeperLoop() {
  const auto period = std::chrono::milliseconds(std::max<int64_t>(options_.lease_ms / 3, 10));
  for (;;) {
    bool running = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (keeper_cv_.wait_for(lock, period, [&] { return stopping_; })) return;
      running = !runs_.empty();
    }
    if (running) {
      Status renewed = store_.RenewLeases();
      if (!renewed.ok()) {
        Log(LogLevel::kError, "jobs", "cannot renew this host's leases: " + renewed.ToString());
      }
    }
    Status recovered = RecoverJobs();
    if (!recovered.ok()) {
      Log(LogLevel::kError, "jobs",
          "cannot recover jobs of stopped hosts: " + recovered.ToString());
    }
  }
}

ServiceStats JobService::Stats() const {
  ServiceStats stats;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats.generations_running = static_cast<int64_t>(runs_.size());
  }
  stats.chunks_emitted = chunks_emitted_.load(std::memory_order_relaxed);
  return stats;
}

void JobService::StopRun(const std::string& job_id, bool storage_failed) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = runs_.find(job_id);
  if (it == runs_.end()) return;
  (storage_failed ? it->second->storage_failed : it->second->cancelled) = true;
}

void JobService::WorkerLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Woken by a newly queued job; the timeout is a safety net.
      work_cv_.wait_for(lock, std::chrono::seconds(1),
                        [&] { return stopping_ || queued_hints_ > 0; });
      if (stopping_) return;
      if (queued_hints_ > 0) --queued_hints_;
    }
    // Run queued jobs until there are none left.
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      Result<std::optional<Job>> claimed = store_.ClaimNextJob();
      if (!claimed.ok()) {
        Log(LogLevel::kError, "jobs", "cannot claim a job: " + claimed.status().ToString());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        break;
      }
      if (!claimed->has_value()) break;
      RunJob(**claimed);
    }
  }
}

namespace {

// The job's provider, then its own fallback chain, then the host's default
// chain, without repeats.
std::vector<Route> RoutesFor(const Job& job, const std::string& default_fallback_json) {
  std::vector<Route> routes = {Route{job.spec.provider, job.spec.model}};
  for (const std::string* chain : {&job.spec.fallback_json, &default_fallback_json}) {
    nlohmann::json entries = nlohmann::json::parse(*chain, nullptr, false);
    if (!entries.is_array()) continue;
    for (const nlohmann::json& entry : entries) {
      if (!entry.is_object() || !entry.contains("provider") || !entry["provider"].is_string())
        continue;
      Route route{entry["provider"].get<std::string>(),
                  entry.contains("model") && entry["model"].is_string()
                      ? entry["model"].get<std::string>()
                      : ""};
      bool seen = std::any_of(routes.begin(), routes.end(), [&](const Route& r) {
        return r.provider == route.provider && r.model == route.model;
      });
      if (!seen) routes.push_back(route);
    }
  }
  return routes;
}

double Jitter() {
  thread_local std::mt19937 rng(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// Sleeps `ms`, waking early when the run is asked to stop; false then.
bool SleepUnlessStopped(int64_t ms, const std::function<bool()>& stopping) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (stopping()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), deadline - std::chrono::steady_clock::now()));
  }
  return !stopping();
}

}  // namespace

void JobService::RunJob(const Job& claimed) {
  auto run = std::make_shared<Run>();
  run->job_id = claimed.id;
  run->attempt = claimed.attempts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    runs_[claimed.id] = run;
    if (stopping_) run->shutdown = true;
  }
  // A cancel that committed before the run was registered is seen here.
  Result<Job> current = store_.GetJob(claimed.id);
  if (!current.ok() || current->state != JobState::kRunning ||
      current->attempts != claimed.attempts) {
    run->cancelled = true;
  }

  RetryPlan plan(options_.retry, RoutesFor(claimed, options_.default_fallback_json), Jitter);
  Job job = claimed;
  AttemptOutcome outcome;
  for (;;) {
    AttemptResult result = Execute(job, *run, plan.route());
    outcome = result.outcome;
    if (outcome.state != JobState::kFailed || run->stopping()) break;
    RetryPlan::Step step = plan.AfterFailure(*outcome.error, result.retry_after_ms,
                                             job.output_bytes + result.emitted_bytes > 0);
    if (!step.again) break;
    Result<Job> next = store_.NextAttempt(job.id, job.attempts, outcome, plan.route().provider,
                                          plan.route().model, step.note);
    if (!next.ok()) {
      if (next.status().reason() == "attempt_over") {
        run->cancelled = true;  // the job moved on (cancelled): this run is over
      } else {
        // Storage refused the new attempt: record this one's failure instead.
        Log(LogLevel::kError, "jobs",
            "job " + job.id + ": cannot start the next attempt: " + next.status().ToString());
      }
      break;
    }
    job = std::move(next).value();
    run->attempt = job.attempts;
    Log(LogLevel::kInfo, "jobs", "job " + job.id + ": " + step.note);
    if (!SleepUnlessStopped(step.delay_ms, [&run] { return run->stopping(); })) {
      outcome = AttemptOutcome{};
      outcome.state = JobState::kInterrupted;  // replaced below by cancel or shutdown
      break;
    }
  }
  // The run counts as running until its end is recorded.
  auto unregister = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = runs_.find(job.id);
    if (it != runs_.end() && it->second == run) runs_.erase(it);
  };
  if (run->shutdown) {
    outcome.state = JobState::kInterrupted;
    outcome.error.reset();
    outcome.note = "the host is shutting down; the job continues at the next start";
  } else if (run->storage_failed) {
    outcome.state = JobState::kFailed;
    outcome.error = JobError{
        "storage_error", "the output could not be stored; continue the job to resume", "", true};
  } else if (run->cancelled) {
    // CancelJob recorded the end; the tokens spent until then still count.
    const store::Usage& u = outcome.usage;
    if (u.input_tokens > 0 || u.output_tokens > 0 || u.thinking_tokens > 0) {
      Status added = store_.AddAttemptUsage(job.id, job.attempts, u);
      if (!added.ok())
        Log(LogLevel::kWarning, "jobs",
            "job " + job.id + ": usage not recorded: " + added.ToString());
    }
    unregister();
    return;
  }
  // The end must be recorded, or the job would show as running with no one
  // running it. While storage refuses (a full disk), keep trying; a host
  // stopping meanwhile leaves it running, and the next start continues it.
  int64_t backoff_ms = 100;
  for (;;) {
    Result<Job> finished = store_.FinishAttempt(job.id, job.attempts, outcome);
    if (finished.ok() || finished.status().reason() == "attempt_over") break;
    Log(LogLevel::kError, "jobs",
        "job " + job.id + ": cannot record the end of attempt " + std::to_string(job.attempts) +
            " (retrying in " + std::to_string(backoff_ms) +
            " ms): " + finished.status().ToString());
    if (finished.status().code() != Code::kUnavailable ||
        !SleepUnlessStopped(backoff_ms, [&run] { return run->shutdown.load(); })) {
      break;
    }
    backoff_ms = std::min<int64_t>(backoff_ms * 2, 5000);
  }
  unregister();
}

JobService::AttemptResult JobService::Execute(const Job& job, Run& run, const Route& route) {
  AttemptResult result;
  AttemptOutcome& outcome = result.outcome;
  auto fail = [&](std::string code, std::string message, bool retryable) {
    outcome.state = JobState::kFailed;
    outcome.error = JobError{std::move(code), std::move(message), "", retryable};
    return result;
  };
  std::shared_ptr<const plugin::Provider> provider = registry_.Find(route.provider);
  if (!provider) {
    return fail("unknown_provider", "provider '" + route.provider + "' is not loaded", false);
  }
  Result<std::string> input = store_.GetJobInput(job.id);
  if (!input.ok()) return fail("storage_error", input.status().message(), true);
  std::string continuation;
  if (job.output_bytes > 0) {
    Result<std::string> so_far = store_.ReadOutput(job.id, 0, job.output_bytes);
    if (!so_far.ok()) return fail("storage_error", so_far.status().message(), true);
    continuation = std::move(so_far).value();
  }
  store::JobSpec spec = job.spec;
  spec.provider = route.provider;
  spec.model = route.model;
  std::string request = BuildRequestJson(spec, *input, job.id);

  RunSink sink(*this, run, provider->name());
  int32_t status = run.stopping() ? SCRIBE_GENERATE_CANCELLED
                                  : provider->Generate(request, continuation, job.attempts, sink);
  outcome.usage = sink.usage();
  outcome.model_used = sink.model();
  result.retry_after_ms = sink.retry_after_ms();
  result.emitted_bytes = sink.emitted_bytes();

  if (run.stopping()) return result;  // RunJob records shutdown, cancel or storage failure
  if (sink.error()) {
    outcome.state = JobState::kFailed;
    outcome.error = sink.error();
    return result;
  }
  if (status == SCRIBE_GENERATE_DONE) {
    if (sink.pending_bytes() > 0) {
      return fail("plugin_error", "the plugin's output ended inside a UTF-8 character", false);
    }
    outcome.state = JobState::kSucceeded;
    return result;
  }
  if (status == SCRIBE_GENERATE_FAILED) {
    return fail("plugin_error", "the provider failed without saying why", false);
  }
  return fail("plugin_error", "the provider stopped without being cancelled", false);
}

}  // namespace scribe::jobs
