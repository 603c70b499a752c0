// JobService: submissions, reads, the client-driven transitions, and the
// bridge from committed changes to the SSE hub. The dispatcher side (running
// generations) is in dispatcher.cc.
#include "host/jobs/job_service.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "host/common/clock.h"
#include "host/common/log.h"
#include "host/common/utf8.h"
#include "host/jobs/request_json.h"

namespace scribe::jobs {
namespace {

using store::Job;
using store::JobState;

constexpr double kMaxTemperature = 2.0;
constexpr int64_t kMaxOutputTokens = 10'000'000;

// A stable 64-bit FNV-1a hash, for telling idempotent replays apart.
std::string StableHash(std::string_view text) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

}  // namespace

JobService::JobService(store::Store& store, const plugin::Registry& registry, stream::SseHub& hub,
                       const JobServiceOptions& options)
    : store_(store), registry_(registry), hub_(hub), options_(options) {}

JobService::~JobService() { Stop(); }

// ---- documents

Status JobService::CheckDocumentText(const std::string& content) const {
  if (!utf8::IsValid(content))
    return InvalidArgument("invalid_utf8", "documents must be UTF-8 text");
  if (content.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("empty_document", "the document has no text");
  }
  if (static_cast<int64_t>(content.size()) > options_.max_document_bytes) {
    return Status(Code::kPayloadTooLarge, "document_too_large",
                  "the document is " + std::to_string(content.size()) + " bytes; the limit is " +
                      std::to_string(options_.max_document_bytes));
  }
  return Status::Ok();
}

Result<store::Document> JobService::CreateDocument(const Caller& caller, const std::string& title,
                                                   const std::string& content) {
  if (!utf8::IsValid(title)) return InvalidArgument("invalid_utf8", "titles must be UTF-8 text");
  SCRIBE_RETURN_IF_ERROR(CheckDocumentText(content));
  return store_.CreateDocument(title, content, caller.key_id);
}

Result<store::Document> JobService::GetDocument(const Caller& caller, const std::string& id) {
  Result<store::Document> document = store_.GetDocument(id);
  if (document.ok() && !caller.SeesAll() && document->owner_key_id != caller.key_id) {
    return NotFound("document_not_found", "no document with id '" + id + "'");
  }
  return document;
}

Result<store::Page<store::Document>> JobService::ListDocuments(const Caller& caller,
                                                               store::PageRequest page) {
  if (!caller.SeesAll()) page.owner_key_id = caller.key_id;
  return store_.ListDocuments(page);
}

Status JobService::DeleteDocument(const Caller& caller, const std::string& id) {
  Result<store::Document> document = GetDocument(caller, id);
  if (!document.ok()) return document.status();
  return store_.DeleteDocument(id);
}

// ---- jobs

Status JobService::Admit(const Caller& caller, bool new_job) {
  if (caller.key_id.empty()) return Status::Ok();
  if (options_.max_active_jobs_per_key > 0) {
    store::JobFilter active;
    active.owner_key_id = caller.key_id;
    active.states = {JobState::kQueued, JobState::kRunning, JobState::kInterrupted};
    active.limit = options_.max_active_jobs_per_key;
    Result<store::Page<Job>> page = store_.ListJobs(active);
    if (!page.ok()) return page.status();
    if (static_cast<int>(page->items.size()) >= options_.max_active_jobs_per_key) {
      return ResourceExhausted(
          "too_many_jobs",
          "this API key has " + std::to_string(options_.max_active_jobs_per_key) +
              " jobs queued or running, its limit; try again when one has finished",
          2000);
    }
  }
  if (new_job) {
    if (int64_t wait_ms = submissions_.Take(caller.key_id, NowMillis()); wait_ms > 0) {
      return ResourceExhausted("rate_limited",
                               "this API key submitted " +
                                   std::to_string(options_.submissions_per_minute_per_key) +
                                   " jobs in the last minute, its limit",
                               wait_ms);
    }
  }
  return Status::Ok();
}

Result<store::CreatedJob> JobService::Submit(const Caller& caller, const SubmitRequest& request) {
  store::JobSpec spec;
  spec.owner_key_id = caller.key_id;
  if (request.document_id && request.content) {
    return InvalidArgument("conflicting_input", "give either document_id or content, not both");
  }
  if (request.document_id) {
    Result<store::Document> document = GetDocument(caller, *request.document_id);
    if (!document.ok()) return document.status();
    spec.document_id = document->id;
    spec.title = request.title.empty() ? document->title : request.title;
    spec.input = std::move(document->content);
  } else if (request.content) {
    SCRIBE_RETURN_IF_ERROR(CheckDocumentText(*request.content));
    spec.title = request.title;
    spec.input = *request.content;
  } else {
    return InvalidArgument("missing_input", "give document_id (a stored document) or content");
  }
  spec.provider = request.provider.empty() ? options_.default_provider : request.provider;
  spec.model = request.model;
  spec.prompt = request.prompt;
  spec.temperature = request.temperature;
  spec.max_output_tokens = request.max_output_tokens;
  spec.params_json = request.params_json;
  spec.fallback_json = request.fallback_json;
  // Keys are per caller: one key's "retry-1" is not another's.
  if (!request.idempotency_key.empty()) {
    spec.idempotency_key = caller.key_id.empty() ? request.idempotency_key
                                                 : caller.key_id + ":" + request.idempotency_key;
  }
  if (spec.temperature && (!std::isfinite(*spec.temperature) || *spec.temperature < 0 ||
                           *spec.temperature > kMaxTemperature)) {
    return InvalidArgument("invalid_temperature", "temperature must be a number from 0 to 2");
  }
  if (spec.max_output_tokens &&
      (*spec.max_output_tokens < 1 || *spec.max_output_tokens > kMaxOutputTokens)) {
    return InvalidArgument("invalid_max_output_tokens",
                           "max_output_tokens must be an integer from 1 to 10000000");
  }
  return Create(caller, std::move(spec));
}

Result<store::CreatedJob> JobService::Create(const Caller& caller, store::JobSpec spec) {
  std::shared_ptr<const plugin::Provider> provider = registry_.Find(spec.provider);
  if (!provider) return UnknownProvider(registry_, spec.provider);
  if (spec.model.empty()) spec.model = DefaultModel(*provider);
  nlohmann::json params = nlohmann::json::parse(spec.params_json, nullptr, false);
  if (!params.is_object()) return InvalidArgument("invalid_params", "params must be a JSON object");
  SCRIBE_RETURN_IF_ERROR(CheckFallback(registry_, spec.fallback_json));
  SCRIBE_RETURN_IF_ERROR(provider->Validate(BuildRequestJson(spec, "")));
  spec.request_hash = StableHash(BuildRequestJson(spec, spec.input) + "\n" + spec.fallback_json +
                                 "\n" + spec.document_id + "\n" + spec.parent_id);
  // Only a valid request spends the key's budget.
  SCRIBE_RETURN_IF_ERROR(Admit(caller, /*new_job=*/true));
  return store_.CreateJob(spec);
}

Result<Job> JobService::GetJob(const Caller& caller, const std::string& id) {
  Result<Job> job = store_.GetJob(id);
  if (job.ok() && !caller.SeesAll() && job->spec.owner_key_id != caller.key_id) {
    return NotFound("job_not_found", "no job with id '" + id + "'");  // as if it did not exist
  }
  return job;
}

Result<store::Page<Job>> JobService::ListJobs(const Caller& caller, store::JobFilter filter) {
  if (!caller.SeesAll()) filter.owner_key_id = caller.key_id;
  return store_.ListJobs(filter);
}

Result<store::JobHistory> JobService::GetJobHistory(const Caller& caller, const std::string& id) {
  Result<Job> job = GetJob(caller, id);
  if (!job.ok()) return job.status();
  return store_.GetJobHistory(id);
}

Result<std::map<JobState, int64_t>> JobService::CountJobsByState() {
  return store_.CountJobsByState();
}

Result<Job> JobService::Cancel(const Caller& caller, const std::string& id) {
  SCRIBE_RETURN_IF_ERROR(GetJob(caller, id).status());
  Result<Job> job = store_.CancelJob(id);
  if (job.ok()) StopRun(id, /*storage_failed=*/false);
  return job;
}

Result<Job> JobService::Continue(const Caller& caller, const std::string& id) {
  SCRIBE_RETURN_IF_ERROR(GetJob(caller, id).status());
  SCRIBE_RETURN_IF_ERROR(Admit(caller, /*new_job=*/false));
  return store_.RequeueJob(id, "continued by request");
}

Result<store::CreatedJob> JobService::Retry(const Caller& caller, const std::string& id) {
  Result<Job> job = GetJob(caller, id);
  if (!job.ok()) return job.status();
  if (!store::IsFinished(job->state)) {
    return Conflict("job_active", "job " + id + " is " + std::string(store::ToString(job->state)) +
                                      "; only a finished job can be retried");
  }
  Result<std::string> input = store_.GetJobInput(id);
  if (!input.ok()) return input.status();
  store::JobSpec spec = job->spec;  // the retry belongs to the job's owner
  spec.input = std::move(input).value();
  spec.parent_id = id;
  spec.idempotency_key.clear();
  return Create(caller, std::move(spec));
}

Status JobService::Delete(const Caller& caller, const std::string& id) {
  SCRIBE_RETURN_IF_ERROR(GetJob(caller, id).status());
  return store_.DeleteJob(id);
}

// ---- output

Status JobService::CheckOffset(const Job& job, int64_t offset) {
  if (offset < 0) return InvalidArgument("invalid_offset", "offsets are never negative");
  if (offset > job.output_bytes) {
    return Status(Code::kOutOfRange, "offset_out_of_range",
                  "offset " + std::to_string(offset) + " is past the end of job " + job.id +
                      "'s output (" + std::to_string(job.output_bytes) + " bytes so far)");
  }
  if (offset == 0 || offset == job.output_bytes) return Status::Ok();
  Result<std::string> byte = store_.ReadOutput(job.id, offset, 1);
  if (!byte.ok()) return byte.status();
  if (byte->empty() || !utf8::IsLeadByte(static_cast<unsigned char>((*byte)[0]))) {
    return InvalidArgument("invalid_offset", "offset " + std::to_string(offset) +
                                                 " is inside a UTF-8 character, not on a "
                                                 "character boundary");
  }
  return Status::Ok();
}

Result<std::string> JobService::ReadOutput(const std::string& id, int64_t offset,
                                           int64_t max_bytes) {
  return store_.ReadOutput(id, offset, max_bytes);
}

Result<std::string> JobService::ReadLog(const std::string& job_id, int64_t offset,
                                        int64_t max_bytes) {
  return store_.ReadOutput(job_id, offset, max_bytes);
}

stream::JobView JobService::ViewOf(const Job& job) {
  stream::JobView view;
  view.state = std::string(store::ToString(job.state));
  view.attempt = job.attempts;
  view.end = job.output_bytes;
  switch (job.state) {
    case JobState::kSucceeded:
      view.outcome = stream::JobView::Outcome::kSucceeded;
      break;
    case JobState::kFailed:
      view.outcome = stream::JobView::Outcome::kFailed;
      break;
    case JobState::kCancelled:
      view.outcome = stream::JobView::Outcome::kCancelled;
      break;
    default:
      break;
  }
  view.model_used = job.model_used.empty() ? job.spec.model : job.model_used;
  view.usage_json = UsageJson(job.usage).dump();
  if (job.error) {
    view.error_code = job.error->code;
    view.error_message = job.error->message;
    view.retryable = job.error->retryable;
  }
  return view;
}

std::vector<ProviderInfo> JobService::Providers() const {
  std::vector<ProviderInfo> out;
  for (const auto& provider : registry_.All()) {
    out.push_back(ProviderInfo{provider->name(), provider->version(), provider->Describe()});
  }
  return out;
}

// ---- commit notifications

void JobService::OnCommitted(const std::vector<store::CommittedChange>& changes) {
  for (const store::CommittedChange& change : changes) {
    if (change.stream) continue;  // a Durable Stream's: StreamService's
    if (!change.job) {
      hub_.OnAppended(change.job_id, change.offset, change.text);
      continue;
    }
    const Job& job = *change.job;
    hub_.OnJobChanged(job.id, ViewOf(job));
    if (job.state == JobState::kQueued) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++queued_hints_;
      }
      work_cv_.notify_one();
    } else if (job.state != JobState::kRunning || job.lease_owner != store_.HostId()) {
      // Cancelled (or finished) while a generation still runs for it, or
      // taken over by another host after this one's lease expired.
      StopRun(job.id, /*storage_failed=*/false);
    }
  }
}

void JobService::OnAppendFailed(const std::string& job_id, int /*attempt*/, const Status& status) {
  Log(LogLevel::kError, "jobs",
      "job " + job_id + ": output could not be stored: " + status.ToString());
  StopRun(job_id, /*storage_failed=*/true);
}

}  // namespace scribe::jobs
