// A job's output: live over SSE (/events) and as raw bytes (/output), both
// resumable from any byte offset.
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/String.h>

#include "host/common/utf8.h"
#include "host/http/codec.h"
#include "host/http/routes.h"
#include "host/stream/sse.h"

namespace scribe::http {

std::string HeadFields(Exchange& ex, const std::vector<std::string>& except) {
  std::string fields;
  for (const auto& [name, value] : ex.response()) {
    bool skip = false;
    for (const std::string& left_out : except) skip = skip || Poco::icompare(name, left_out) == 0;
    if (!skip) fields += name + ": " + value + "\r\n";
  }
  return fields;
}

void HandToHub(Exchange& ex, stream::SseHub& hub, const std::string& key, const std::string& fields,
               int64_t offset, stream::JobView view, std::optional<stream::DurableFraming> durable,
               const std::string& first_events) {
  Status admitted = hub.Admit(key, ex.caller().key_id);
  if (!admitted.ok()) return ex.SendError(admitted);
  std::string head = ex.request().getVersion() + " 200 OK\r\n" + fields +
                     "X-Accel-Buffering: no\r\n"
                     "Connection: close\r\n" +
                     HeadFields(ex, {"Connection"}) + "\r\n" + first_events;
  // From here the hub owns the connection; this request thread is free.
  Poco::Net::StreamSocket socket =
      static_cast<Poco::Net::HTTPServerRequestImpl&>(ex.request()).detachSocket();
  hub.Attach(std::move(socket), std::move(head), key, ex.caller().key_id, offset, std::move(view),
             std::move(durable));
}

void StreamToHub(Exchange& ex, stream::SseHub& hub, const store::Job& job, int64_t offset,
                 const std::string& first_events) {
  HandToHub(ex, hub, job.id,
            "Content-Type: text/event-stream; charset=utf-8\r\n"
            "Cache-Control: no-cache\r\n"
            "X-Scribe-Job-Id: " +
                job.id + "\r\n",
            offset, jobs::JobService::ViewOf(job), std::nullopt, first_events);
}

namespace {

constexpr int64_t kOutputPiece = 64 * 1024;

// Where a viewer starts: Last-Event-ID (a reconnecting EventSource) wins
// over ?offset= (the URL it first opened); neither means from the start.
Result<int64_t> RequestedOffset(Exchange& ex) {
  if (auto last_id = ex.Header("Last-Event-ID")) return stream::ParseOffset(*last_id);
  if (auto offset = ex.Query("offset")) return stream::ParseOffset(*offset);
  return int64_t{0};
}

void ServeEvents(Exchange& ex, jobs::JobService& jobs, stream::SseHub& hub) {
  Result<store::Job> job = jobs.GetJob(ex.caller(), ex.Param("id"));
  if (!job.ok()) return ex.SendError(job.status());
  Result<int64_t> offset = RequestedOffset(ex);
  if (!offset.ok()) return ex.SendError(offset.status());
  Status valid = jobs.CheckOffset(*job, *offset);
  if (!valid.ok()) return ex.SendError(valid);

  StreamToHub(ex, hub, *job, *offset, "");
}

// The first character boundary at or after `offset`.
Result<int64_t> ForwardToBoundary(jobs::JobService& jobs, const store::Job& job, int64_t offset) {
  if (offset <= 0 || offset >= job.output_bytes) return offset;
  Result<std::string> bytes = jobs.ReadOutput(job.id, offset, 4);
  if (!bytes.ok()) return bytes.status();
  return offset + static_cast<int64_t>(utf8::LeadingContinuationBytes(*bytes));
}

void ServeOutput(Exchange& ex, jobs::JobService& jobs) {
  Result<store::Job> job = jobs.GetJob(ex.caller(), ex.Param("id"));
  if (!job.ok()) return ex.SendError(job.status());
  const int64_t end = job->output_bytes;  // what is committed now
  int64_t start = 0;
  int64_t stop = end;
  bool partial = false;
  if (auto range_header = ex.Header("Range")) {
    Result<stream::ByteRange> range = stream::ParseRange(*range_header);
    if (!range.ok()) return ex.SendError(range.status());
    if (range->suffix) {
      Result<int64_t> from =
          ForwardToBoundary(jobs, *job, std::max<int64_t>(0, end - *range->suffix));
      if (!from.ok()) return ex.SendError(from.status());
      start = *from;
    } else {
      start = *range->first;
      if (range->last) stop = std::min(end, *range->last + 1);
    }
    if (start >= end && !(range->suffix && end == 0)) {
      ex.response().set("Content-Range", "bytes */" + std::to_string(end));
      return ex.SendError(Status(Code::kOutOfRange, "range_not_satisfiable",
                                 "the range starts at or past the end of the output (" +
                                     std::to_string(end) + " bytes so far)"));
    }
    partial = true;
  } else {
    Result<int64_t> offset =
        ex.Query("offset") ? stream::ParseOffset(*ex.Query("offset")) : Result<int64_t>(int64_t{0});
    if (!offset.ok()) return ex.SendError(offset.status());
    start = *offset;
  }
  Status valid = jobs.CheckOffset(*job, start);
  if (!valid.ok()) return ex.SendError(valid);

  auto& response = ex.response();
  response.setStatusAndReason(partial ? Poco::Net::HTTPResponse::HTTP_PARTIAL_CONTENT
                                      : Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/plain; charset=utf-8");
  response.setContentLength64(stop - start);
  response.set("Cache-Control", "no-store");
  response.set("Accept-Ranges", "bytes");
  response.set("X-Scribe-Job-State", std::string(store::ToString(job->state)));
  response.set("X-Scribe-Next-Offset", std::to_string(stop));
  if (partial && stop > start) {
    bool final_length = store::IsFinished(job->state);
    response.set("Content-Range", "bytes " + std::to_string(start) + "-" +
                                      std::to_string(stop - 1) + "/" +
                                      (final_length ? std::to_string(end) : std::string("*")));
  }
  std::ostream& out = response.send();
  for (int64_t at = start; at < stop && out;) {
    Result<std::string> piece = jobs.ReadOutput(job->id, at, std::min(kOutputPiece, stop - at));
    if (!piece.ok() || piece->empty()) break;  // headers are out: the short body tells
    out.write(piece->data(), static_cast<std::streamsize>(piece->size()));
    at += static_cast<int64_t>(piece->size());
  }
  out.flush();
}

}  // namespace

void AddOutputRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub) {
  router.Add("GET", "/api/jobs/{id}/events",
             [&jobs, &hub](Exchange& ex) { ServeEvents(ex, jobs, hub); });
  router.Add("GET", "/api/jobs/{id}/output", [&jobs](Exchange& ex) { ServeOutput(ex, jobs); });
}

}  // namespace scribe::http
