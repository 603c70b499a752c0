// The original app's script endpoints, kept for its clients: the same jobs
// underneath, in the original request and event shapes.
//
//   POST /api/audio/generate-script-stream {knowledge_id, model_name, custom_prompt}
//     SSE whose data: lines are {"type":"token","content"}, then
//     {"type":"complete","script","model_used"} or {"type":"error","message"}.
//     It first sends {"type":"job","job_id"} (and the X-Scribe-Job-Id header)
//     so a client that drops can resume at /api/jobs/{id}/events.
//   POST /api/audio/generate-script (same body)
//     {"script","model_used","job_id"} once the job ends; see below for how
//     it keeps a waiting client's connection alive.
#include <chrono>
#include <thread>

#include "host/http/codec.h"
#include "host/http/routes.h"
#include "host/stream/script_text.h"
#include "host/stream/sse.h"

namespace scribe::http {
namespace {

constexpr char kDefaultModel[] = "gemini-2.5-flash";
constexpr auto kKeepAliveEvery = std::chrono::seconds(5);
constexpr auto kPollEvery = std::chrono::milliseconds(200);

struct ScriptRequest {
  std::string knowledge_id;
  std::string model_name;
  std::string custom_prompt;
};

Result<ScriptRequest> Decode(Exchange& ex) {
  Result<nlohmann::json> body = ex.JsonBody();
  if (!body.ok()) return body.status();
  ScriptRequest request;
  for (auto [field, target] : {std::pair{"knowledge_id", &request.knowledge_id},
                               std::pair{"model_name", &request.model_name},
                               std::pair{"custom_prompt", &request.custom_prompt}}) {
    const nlohmann::json& value = (*body)[field];
    if (value.is_null()) continue;
    if (!value.is_string())
      return InvalidArgument("invalid_field", std::string(field) + " must be a string");
    *target = value.get<std::string>();
  }
  if (request.knowledge_id.empty()) {
    return InvalidArgument("missing_input", "knowledge_id names the stored document to script");
  }
  if (request.model_name.empty()) request.model_name = kDefaultModel;
  return request;
}

Result<store::CreatedJob> Submit(Exchange& ex, jobs::JobService& jobs,
                                 const ScriptRequest& request) {
  jobs::SubmitRequest submit;
  submit.document_id = request.knowledge_id;
  submit.provider = "gemini";
  submit.model = request.model_name;
  submit.prompt = request.custom_prompt;
  return jobs.Submit(ex.caller(), submit);
}

// The original app answered an unknown document with an error event.
void SendErrorEvent(Exchange& ex, const Status& status) {
  std::string body;
  stream::AppendEvent(
      body, 0, "error",
      nlohmann::json{{"type", "error"}, {"code", status.reason()}, {"message", status.message()}}
          .dump());
  ex.response().set("Cache-Control", "no-cache");
  ex.SendText(200, "text/event-stream; charset=utf-8", body);
}

void GenerateScriptStream(Exchange& ex, jobs::JobService& jobs, stream::SseHub& hub) {
  Result<ScriptRequest> request = Decode(ex);
  if (!request.ok()) return ex.SendError(request.status());
  Result<store::CreatedJob> created = Submit(ex, jobs, *request);
  if (!created.ok()) {
    if (created.status().code() == Code::kNotFound) return SendErrorEvent(ex, created.status());
    return ex.SendError(created.status());
  }
  std::string first;
  stream::AppendEvent(first, 0, "job",
                      nlohmann::json{{"type", "job"},
                                     {"job_id", created->job.id},
                                     {"events", "/api/jobs/" + created->job.id + "/events"}}
                          .dump());
  StreamToHub(ex, hub, created->job, 0, first);
}

// The non-streaming endpoint holds the request until the job ends. So that
// a client's read timeout never fires meanwhile, the answer starts at once
// (200, chunked) and a blank line is written every few seconds: leading
// whitespace is valid JSON, and every byte resets the client's read timer.
// A client that leaves does not cancel the job.
void GenerateScript(Exchange& ex, jobs::JobService& jobs) {
  Result<ScriptRequest> request = Decode(ex);
  if (!request.ok()) return ex.SendError(request.status());
  Result<store::CreatedJob> created = Submit(ex, jobs, *request);
  if (!created.ok()) return ex.SendError(created.status());
  const std::string id = created->job.id;

  auto& response = ex.response();
  response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("application/json");
  response.setChunkedTransferEncoding(true);
  response.set("Cache-Control", "no-store");
  response.set("X-Scribe-Job-Id", id);
  std::ostream& out = response.send();
  out.flush();

  auto last_write = std::chrono::steady_clock::now();
  Result<store::Job> job = created->job;
  while (job.ok() && !store::IsFinished(job->state)) {
    std::this_thread::sleep_for(kPollEvery);
    if (std::chrono::steady_clock::now() - last_write >= kKeepAliveEvery) {
      out << "\n";
      out.flush();
      if (!out) return;  // the client left; the job goes on
      last_write = std::chrono::steady_clock::now();
    }
    job = jobs.GetJob(ex.caller(), id);
  }
  nlohmann::json answer = {{"job_id", id}};
  if (!job.ok()) {
    answer["error"] = {{"code", job.status().reason()}, {"message", job.status().message()}};
  } else {
    Result<std::string> text = jobs.ReadOutput(id, 0, job->output_bytes);
    answer["script"] = text.ok() ? stream::PostProcessScript(*text) : "";
    answer["model_used"] = job->model_used.empty() ? job->spec.model : job->model_used;
    if (job->state != store::JobState::kSucceeded) {
      std::string code = job->error ? job->error->code : std::string(store::ToString(job->state));
      std::string message = job->error ? job->error->message : "the job was " + code;
      answer["error"] = {{"code", code}, {"message", message}, {"partial", job->output_bytes > 0}};
    }
  }
  out << answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.flush();
}

}  // namespace

void AddAudioRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub) {
  router.Add("POST", "/api/audio/generate-script-stream",
             [&jobs, &hub](Exchange& ex) { GenerateScriptStream(ex, jobs, hub); });
  router.Add("POST", "/api/audio/generate-script",
             [&jobs](Exchange& ex) { GenerateScript(ex, jobs); });
}

}  // namespace scribe::http
