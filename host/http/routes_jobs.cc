// /api/jobs: submit, list, inspect and steer jobs.
#include "host/http/codec.h"
#include "host/http/routes.h"

namespace scribe::http {
namespace {

constexpr size_t kMaxIdempotencyKey = 255;

Result<store::JobFilter> DecodeFilter(Exchange& ex) {
  store::JobFilter filter;
  if (auto states = ex.Query("state")) {
    Result<std::vector<store::JobState>> parsed = store::ParseJobStates(*states);
    if (!parsed.ok()) return parsed.status();
    filter.states = std::move(parsed).value();
  }
  filter.provider = ex.Query("provider").value_or("");
  if (auto since = ex.Query("since")) {
    Result<int64_t> millis = ParseTimestamp(*since);
    if (!millis.ok()) return millis.status();
    filter.since_ms = *millis;
  }
  Result<int> limit = ParseLimit(ex.Query("limit"), 50);
  if (!limit.ok()) return limit.status();
  filter.limit = *limit;
  filter.cursor = ex.Query("cursor").value_or("");
  return filter;
}

void SendCreated(Exchange& ex, const store::CreatedJob& created) {
  ex.response().set("Location", "/api/jobs/" + created.job.id);
  if (created.replayed) ex.response().set("Idempotent-Replayed", "true");
  ex.SendJson(created.replayed ? 200 : 201, JobJson(created.job));
}

// The job, with its history, after a transition.
void SendJob(Exchange& ex, jobs::JobService& jobs, const Result<store::Job>& job) {
  if (!job.ok()) return ex.SendError(job.status());
  Result<store::JobHistory> history = jobs.GetJobHistory(ex.caller(), job->id);
  if (!history.ok()) return ex.SendError(history.status());
  ex.SendJson(200, JobDetailJson(*job, *history));
}

}  // namespace

void AddJobRoutes(Router& router, jobs::JobService& jobs) {
  router.Add("POST", "/api/jobs", [&jobs](Exchange& ex) {
    std::string key = ex.Header("Idempotency-Key").value_or("");
    if (key.size() > kMaxIdempotencyKey) {
      return ex.SendError(InvalidArgument("invalid_idempotency_key",
                                          "Idempotency-Key is longer than 255 characters"));
    }
    if (ex.MediaType() != "application/json") {
      return ex.SendError(Status(Code::kUnsupportedMedia, "unsupported_media_type",
                                 "submit jobs as application/json"));
    }
    Result<nlohmann::json> body = ex.JsonBody();
    if (!body.ok()) return ex.SendError(body.status());
    Result<jobs::SubmitRequest> request = DecodeSubmit(*body);
    if (!request.ok()) return ex.SendError(request.status());
    request->idempotency_key = key;
    Result<store::CreatedJob> created = jobs.Submit(ex.caller(), *request);
    if (!created.ok()) return ex.SendError(created.status());
    SendCreated(ex, *created);
  });
  router.Add("GET", "/api/jobs", [&jobs](Exchange& ex) {
    Result<store::JobFilter> filter = DecodeFilter(ex);
    if (!filter.ok()) return ex.SendError(filter.status());
    Result<store::Page<store::Job>> page = jobs.ListJobs(ex.caller(), *filter);
    if (!page.ok()) return ex.SendError(page.status());
    nlohmann::json list = nlohmann::json::array();
    for (const store::Job& job : page->items) list.push_back(JobJson(job));
    ex.SendJson(200,
                {{"jobs", list},
                 {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(page->next_cursor)}});
  });
  router.Add("GET", "/api/jobs/{id}", [&jobs](Exchange& ex) {
    SendJob(ex, jobs, jobs.GetJob(ex.caller(), ex.Param("id")));
  });
  router.Add("DELETE", "/api/jobs/{id}", [&jobs](Exchange& ex) {
    Status status = jobs.Delete(ex.caller(), ex.Param("id"));
    if (!status.ok()) return ex.SendError(status);
    ex.SendNoContent();
  });
  router.Add("POST", "/api/jobs/{id}/cancel", [&jobs](Exchange& ex) {
    SendJob(ex, jobs, jobs.Cancel(ex.caller(), ex.Param("id")));
  });
  router.Add("POST", "/api/jobs/{id}/continue", [&jobs](Exchange& ex) {
    SendJob(ex, jobs, jobs.Continue(ex.caller(), ex.Param("id")));
  });
  router.Add("POST", "/api/jobs/{id}/retry", [&jobs](Exchange& ex) {
    Result<store::CreatedJob> created = jobs.Retry(ex.caller(), ex.Param("id"));
    if (!created.ok()) return ex.SendError(created.status());
    SendCreated(ex, *created);
  });
}

}  // namespace scribe::http
