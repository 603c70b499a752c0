// The Durable Streams protocol (PROTOCOL.md of durable-streams/durable-streams)
// under /v1/stream/: create, append, close, read (catch-up, long-poll, SSE),
// HEAD, delete and fork; and every job's output, read-only, at
// /api/jobs/{id}/stream. The encodings are in host/stream/durable.h; the
// rules that must hold against concurrent writers are applied in the store.
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <chrono>

#include "host/common/clock.h"
#include "host/common/utf8.h"
#include "host/http/error_mapping.h"
#include "host/http/routes.h"
#include "host/stream/durable.h"
#include "host/stream/sse.h"

namespace scribe::http {
namespace {

constexpr int64_t kReadBytes = 1 << 20;                      // one catch-up answer
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;  // producer epoch and seq
constexpr char kStreamPrefix[] = "/v1/stream/";
constexpr char kCacheHistory[] = "private, max-age=60, stale-while-revalidate=300";

// ---- what a read serves: a stream, or a job's output

class ReadTarget {
 public:
  virtual ~ReadTarget() = default;
  // The hub's and the waits' name for it: a stream's path, a job's id.
  virtual const std::string& key() const = 0;
  virtual Result<store::StreamInfo> Info() = 0;
  // `info` is what Info() gave (a JSON stream is read in whole messages).
  virtual Result<store::StreamRead> Read(const store::StreamInfo& info, int64_t offset,
                                         int64_t max_bytes) = 0;
  // Reads count as use of a stream with a sliding TTL.
  virtual Status Touch() { return Status::Ok(); }
  // 400 for an offset below the tail that no read may start at.
  virtual Status CheckOffset(const store::StreamInfo& info, int64_t offset) = 0;
  virtual stream::JobView View(const store::StreamInfo& info) = 0;
  // A copy to read from later, on the hub's thread.
  virtual std::shared_ptr<ReadTarget> Clone() const = 0;
};

class StreamTarget : public ReadTarget {
 public:
  StreamTarget(store::Store& store, std::string path) : store_(store), path_(std::move(path)) {}
  const std::string& key() const override { return path_; }
  Result<store::StreamInfo> Info() override { return store_.GetStream(path_); }
  Result<store::StreamRead> Read(const store::StreamInfo& info, int64_t offset,
                                 int64_t max_bytes) override {
    return store_.ReadStream(path_, offset, max_bytes, info.json());
  }
  Status Touch() override { return store_.TouchStream(path_); }
  // A JSON stream's reads start where a message does: after a line's end.
  Status CheckOffset(const store::StreamInfo& info, int64_t offset) override {
    if (!info.json() || offset == 0 || offset >= info.tail) return Status::Ok();
    Result<store::StreamRead> before = store_.ReadStream(path_, offset - 1, 1, false);
    if (!before.ok()) return before.status();
    if (before->data == "\n") return Status::Ok();
    return InvalidArgument("invalid_offset", "the offset is inside a JSON message");
  }
  stream::JobView View(const store::StreamInfo& info) override {
    return streams::StreamService::ViewOf(info);
  }
  std::shared_ptr<ReadTarget> Clone() const override {
    return std::make_shared<StreamTarget>(*this);
  }

 private:
  store::Store& store_;
  std::string path_;
};

// A job's output as a text stream: its only writer is the job; it is closed
// once the job succeeded (a failed or cancelled job may still be continued).
class JobTarget : public ReadTarget {
 public:
  JobTarget(jobs::JobService& jobs, jobs::Caller caller, std::string id)
      : jobs_(jobs), caller_(std::move(caller)), id_(std::move(id)) {}
  const std::string& key() const override { return id_; }
  Result<store::StreamInfo> Info() override {
    Result<store::Job> job = jobs_.GetJob(caller_, id_);
    if (!job.ok()) return job.status();
    job_ = *job;
    store::StreamInfo info;
    info.path = "/api/jobs/" + id_ + "/stream";
    info.content_type = "text/plain; charset=utf-8";
    info.tail = job->output_bytes;
    info.closed = job->state == store::JobState::kSucceeded;
    info.created_ms = job->created_ms;
    return info;
  }
  // Reads start on a character boundary.
  Status CheckOffset(const store::StreamInfo&, int64_t offset) override {
    return jobs_.CheckOffset(job_, offset);
  }
  Result<store::StreamRead> Read(const store::StreamInfo&, int64_t offset,
                                 int64_t max_bytes) override {
    Result<std::string> text = jobs_.ReadOutput(id_, offset, max_bytes);
    if (!text.ok()) return text.status();
    text->resize(utf8::ValidPrefixLength(*text));  // whole characters
    return store::StreamRead{*text, offset + static_cast<int64_t>(text->size())};
  }
  stream::JobView View(const store::StreamInfo&) override { return jobs::JobService::ViewOf(job_); }
  std::shared_ptr<ReadTarget> Clone() const override { return std::make_shared<JobTarget>(*this); }

 private:
  jobs::JobService& jobs_;
  jobs::Caller caller_;
  std::string id_;
  store::Job job_;
};

// ---- request headers

bool HeaderIsTrue(Exchange& ex, const std::string& name) {
  std::optional<std::string> value = ex.Header(name);
  return value && Poco::icompare(Poco::trim(*value), "true") == 0;
}

Result<int64_t> HeaderNumber(const std::string& name, const std::string& value, int64_t max) {
  std::optional<int64_t> number = stream::ParseDigits(value);
  if (!number || *number > max) {
    return InvalidArgument("invalid_header", name + " '" + value.substr(0, 40) +
                                                 "' is not a plain decimal number up to " +
                                                 std::to_string(max));
  }
  return *number;
}

// Stream-TTL and Stream-Expires-At (one or neither).
Status ReadExpiry(Exchange& ex, store::StreamCreate& create) {
  std::optional<std::string> ttl = ex.Header("Stream-TTL");
  std::optional<std::string> expires = ex.Header("Stream-Expires-At");
  if (ttl && expires) {
    return InvalidArgument("invalid_header", "Stream-TTL and Stream-Expires-At exclude each other");
  }
  if (ttl) {
    Result<int64_t> seconds = HeaderNumber("Stream-TTL", *ttl, int64_t{1} << 40);
    if (!seconds.ok()) return seconds.status();
    create.ttl_seconds = *seconds;
  }
  if (expires) {
    int64_t ms = 0;
    if (!ParseRfc3339(*expires, ms)) {
      return InvalidArgument("invalid_header", "Stream-Expires-At '" + expires->substr(0, 40) +
                                                   "' is not an RFC 3339 date-time");
    }
    create.expires_at_ms = ms;
  }
  return Status::Ok();
}

// Stream-Forked-From, Stream-Fork-Offset and Stream-Fork-Sub-Offset.
Status ReadFork(Exchange& ex, store::StreamCreate& create) {
  std::optional<std::string> from = ex.Header("Stream-Forked-From");
  std::optional<std::string> offset = ex.Header("Stream-Fork-Offset");
  std::optional<std::string> sub = ex.Header("Stream-Fork-Sub-Offset");
  if (!from) {
    if (offset || sub) {
      return InvalidArgument(
          "invalid_header",
          "Stream-Fork-Offset and Stream-Fork-Sub-Offset need Stream-Forked-From");
    }
    return Status::Ok();
  }
  if (from->empty()) return InvalidArgument("invalid_header", "Stream-Forked-From is empty");
  create.fork_source = *from;
  if (offset) {
    Result<stream::ReadFrom> at = stream::ParseReadOffset(*offset);
    if (!at.ok()) return at.status();
    if (at->kind == stream::ReadFrom::Kind::kStart) create.fork_offset = 0;
    if (at->kind == stream::ReadFrom::Kind::kPosition) create.fork_offset = at->position;
  }
  if (sub) {
    Result<int64_t> count = HeaderNumber("Stream-Fork-Sub-Offset", *sub, kMaxSafeInteger);
    if (!count.ok()) return count.status();
    if (*count > 0 && !offset) {
      return InvalidArgument("invalid_header", "Stream-Fork-Sub-Offset needs Stream-Fork-Offset");
    }
    create.fork_sub = *count;
  }
  return Status::Ok();
}

// Producer-Id, Producer-Epoch and Producer-Seq: all three or none.
Result<std::optional<store::StreamProducer>> ReadProducer(Exchange& ex) {
  std::optional<std::string> id = ex.Header("Producer-Id");
  std::optional<std::string> epoch = ex.Header("Producer-Epoch");
  std::optional<std::string> seq = ex.Header("Producer-Seq");
  if (!id && !epoch && !seq) return std::optional<store::StreamProducer>();
  if (!id || !epoch || !seq) {
    return InvalidArgument("invalid_producer",
                           "Producer-Id, Producer-Epoch and Producer-Seq go together");
  }
  if (id->empty()) return InvalidArgument("invalid_producer", "Producer-Id is empty");
  Result<int64_t> epoch_number = HeaderNumber("Producer-Epoch", *epoch, kMaxSafeInteger);
  if (!epoch_number.ok()) return epoch_number.status();
  Result<int64_t> seq_number = HeaderNumber("Producer-Seq", *seq, kMaxSafeInteger);
  if (!seq_number.ok()) return seq_number.status();
  return std::optional<store::StreamProducer>(
      store::StreamProducer{*id, *epoch_number, *seq_number});
}

// The body as stored: a JSON body becomes one message per line.
Result<std::string> StoredBody(const std::string& content_type, std::string body,
                               bool allow_empty_array) {
  if (body.empty() || !store::IsJsonContentType(content_type)) return body;
  return stream::JsonMessagesFromBody(body, allow_empty_array);
}

// ---- answers

void SetStreamHeaders(Exchange& ex, const store::StreamInfo& info) {
  auto& response = ex.response();
  response.set("Stream-Next-Offset", stream::FormatStreamOffset(info.tail));
  if (info.closed) response.set("Stream-Closed", "true");
}

std::string Location(Exchange& ex, const std::string& path) {
  std::string host = ex.Header("Host").value_or("127.0.0.1");
  return std::string(ex.request().secure() ? "https://" : "http://") + host + path;
}

// ---- the handlers

void Create(Exchange& ex, store::Store& store, const std::string& path) {
  store::StreamCreate create;
  create.path = path;
  create.content_type = ex.request().getContentType();
  create.closed = HeaderIsTrue(ex, "Stream-Closed");
  Status valid = ReadExpiry(ex, create);
  if (valid.ok()) valid = ReadFork(ex, create);
  if (!valid.ok()) return ex.SendError(valid);
  if (create.content_type.empty() && create.fork_source.empty()) {
    create.content_type = "application/octet-stream";
  }
  Result<std::string> body = ex.Body();
  if (!body.ok()) return ex.SendError(body.status());
  std::string body_type = create.content_type;
  if (body_type.empty() && !body->empty()) {  // a fork's body is in its source's type
    Result<store::StreamInfo> source = store.GetStream(create.fork_source);
    if (source.ok()) body_type = source->content_type;  // else the store says what is wrong
  }
  Result<std::string> data =
      StoredBody(body_type, std::move(body).value(), /*allow_empty_array=*/true);
  if (!data.ok()) return ex.SendError(data.status());
  create.data = std::move(data).value();

  Result<store::CreatedStream> created = store.CreateStream(create);
  if (!created.ok()) return ex.SendError(created.status());
  SetStreamHeaders(ex, created->stream);
  if (created->created) ex.response().set("Location", Location(ex, path));
  ex.response().setContentType(created->stream.content_type);
  ex.response().setStatusAndReason(created->created ? Poco::Net::HTTPResponse::HTTP_CREATED
                                                    : Poco::Net::HTTPResponse::HTTP_OK);
  ex.response().setContentLength(0);
  ex.response().send().flush();
}

void Append(Exchange& ex, store::Store& store, const std::string& path) {
  store::StreamAppend append;
  append.path = path;
  append.content_type = ex.request().getContentType();
  append.close = HeaderIsTrue(ex, "Stream-Closed");
  Result<std::optional<store::StreamProducer>> producer = ReadProducer(ex);
  if (!producer.ok()) return ex.SendError(producer.status());
  append.producer = *producer;
  if (auto seq = ex.Header("Stream-Seq")) append.stream_seq = *seq;
  Result<std::string> body = ex.Body();
  if (!body.ok()) return ex.SendError(body.status());
  if (body->empty() && !append.close) {
    return ex.SendError(InvalidArgument("empty_body", "an append needs a body (or Stream-Closed)"));
  }
  if (!body->empty() && append.content_type.empty()) {
    return ex.SendError(InvalidArgument("missing_content_type", "an append needs a Content-Type"));
  }
  Result<std::string> data =
      StoredBody(append.content_type, std::move(body).value(), /*allow_empty_array=*/false);
  if (!data.ok()) return ex.SendError(data.status());
  append.data = std::move(data).value();

  store::StreamAppendResult result;
  Status status = store.AppendStream(append, result);
  auto& response = ex.response();
  if (append.producer && result.producer_seq >= 0) {
    response.set("Producer-Epoch", std::to_string(result.producer_epoch));
    response.set("Producer-Seq", std::to_string(result.producer_seq));
  }
  if (!status.ok()) {
    if (result.expected_seq >= 0) {
      response.set("Producer-Expected-Seq", std::to_string(result.expected_seq));
      response.set("Producer-Received-Seq", std::to_string(result.received_seq));
    }
    if (status.code() == Code::kPermissionDenied) {
      response.set("Producer-Epoch", std::to_string(result.producer_epoch));
    }
    if (status.reason() == "stream_closed") SetStreamHeaders(ex, result.stream);
    return ex.SendError(status);
  }
  SetStreamHeaders(ex, result.stream);
  if (append.producer && !result.duplicate && !append.data.empty()) {  // new data: 200
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentLength(0);
    response.send().flush();
    return;
  }
  ex.SendNoContent();
}

void Delete(Exchange& ex, store::Store& store, const std::string& path) {
  Status deleted = store.DeleteStream(path);
  if (!deleted.ok()) return ex.SendError(deleted);
  ex.SendNoContent();
}

void Head(Exchange& ex, ReadTarget& target) {
  Result<store::StreamInfo> info = target.Info();
  if (!info.ok()) return ex.SendError(info.status());
  SetStreamHeaders(ex, *info);
  auto& response = ex.response();
  if (info->ttl_seconds) response.set("Stream-TTL", std::to_string(*info->ttl_seconds));
  if (info->expires_at_ms) response.set("Stream-Expires-At", FormatRfc3339(*info->expires_at_ms));
  ex.SendText(200, info->content_type, "");
}

// One answer to a read: sent on the request thread, or formatted whole by
// the hub for a parked long-poll reader.
struct ReadAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;  // with the body; empty for 204 and 304
  std::string body;
};

ReadAnswer ErrorAnswer(const Status& status) {
  return ReadAnswer{
      HttpStatusFor(status),
      {{"Cache-Control", "no-store"}},
      "application/json",
      ErrorBody(status).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

// What a read finds from `start` (catch-up, or long-poll with data).
ReadAnswer AnswerRead(ReadTarget& target, const store::StreamInfo& info, int64_t start,
                      const std::optional<std::string>& cursor,
                      const std::optional<std::string>& if_none_match) {
  Result<store::StreamRead> read = target.Read(info, start, kReadBytes);
  if (!read.ok()) return ErrorAnswer(read.status());
  const bool up_to_date = read->next >= info.tail;
  const bool ended = up_to_date && info.closed;
  ReadAnswer answer;
  answer.headers.emplace_back("Stream-Next-Offset", stream::FormatStreamOffset(read->next));
  if (up_to_date) answer.headers.emplace_back("Stream-Up-To-Date", "true");
  if (ended) answer.headers.emplace_back("Stream-Closed", "true");
  if (cursor) answer.headers.emplace_back("Stream-Cursor", *cursor);
  std::string etag = "\"" + std::to_string(info.created_ms) + ":" + std::to_string(start) + ":" +
                     std::to_string(read->next) + (ended ? ":c" : "") + "\"";
  answer.headers.emplace_back("ETag", etag);
  answer.headers.emplace_back("Cache-Control",
                              up_to_date && !info.closed ? "no-cache" : kCacheHistory);
  if (if_none_match == etag) {
    answer.status = 304;
    return answer;
  }
  answer.content_type = info.content_type;
  answer.body = info.json() ? stream::JsonArrayOfMessages(read->data) : std::move(read->data);
  return answer;
}

// 204 for a long-poll that found nothing new: at the tail, or at the end.
ReadAnswer AnswerCaughtUp(const store::StreamInfo& info, int64_t at,
                          const std::optional<std::string>& cursor) {
  ReadAnswer answer;
  answer.status = 204;
  answer.headers = {{"Stream-Next-Offset", stream::FormatStreamOffset(at)},
                    {"Stream-Up-To-Date", "true"},
                    {"Cache-Control", "no-store"}};
  if (info.closed) {
    answer.headers.emplace_back("Stream-Closed", "true");
  } else if (cursor) {
    answer.headers.emplace_back("Stream-Cursor", *cursor);
  }
  return answer;
}

void Send(Exchange& ex, const ReadAnswer& answer) {
  for (const auto& [name, value] : answer.headers) ex.response().set(name, value);
  if (!answer.content_type.empty())
    return ex.SendText(answer.status, answer.content_type, answer.body);
  ex.response().setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
  ex.response().setContentLength(0);
  ex.response().send().flush();
}

// The whole response for a connection the hub holds: `fields` are the
// header lines set before it was parked (CORS, nosniff...).
std::string Format(const ReadAnswer& answer, const std::string& version,
                   const std::string& fields) {
  std::string out = version + " " + std::to_string(answer.status) + " " +
                    Poco::Net::HTTPResponse::getReasonForStatus(
                        static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status)) +
                    "\r\n" + fields;
  out += "Date: " +
         Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::HTTP_FORMAT) +
         "\r\n";
  for (const auto& [name, value] : answer.headers) out += name + ": " + value + "\r\n";
  if (!answer.content_type.empty()) out += "Content-Type: " + answer.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(answer.body.size()) + "\r\nConnection: close\r\n\r\n" +
         answer.body;
  return out;
}

// A long-poll at the tail: the hub holds the connection (no request thread
// waits) and answers once the log grows or ends, or when the time is up.
void Park(Exchange& ex, stream::SseHub& hub, const streams::StreamService& streams,
          ReadTarget& target, const store::StreamInfo& info, int64_t start,
          std::optional<std::string> cursor) {
  Status admitted = hub.Admit(target.key(), ex.caller().key_id);
  if (!admitted.ok()) return ex.SendError(admitted);
  const auto deadline = std::chrono::steady_clock::now() + streams.options().long_poll_timeout;
  const int64_t deadline_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline.time_since_epoch()).count();
  std::string fields = HeadFields(ex, {"Connection", "Date"});
  std::string version = ex.request().getVersion();
  std::shared_ptr<ReadTarget> later = target.Clone();
  stream::SseHub::Answer answer = [later, start, cursor, fields, version](bool) {
    Result<store::StreamInfo> now = later->Info();
    ReadAnswer result = !now.ok()           ? ErrorAnswer(now.status())
                        : start < now->tail ? AnswerRead(*later, *now, start, cursor, std::nullopt)
                                            : AnswerCaughtUp(*now, start, cursor);
    return Format(result, version, fields);
  };
  Poco::Net::StreamSocket socket =
      static_cast<Poco::Net::HTTPServerRequestImpl&>(ex.request()).detachSocket();
  hub.Park(std::move(socket), target.key(), ex.caller().key_id, start, target.View(info),
           deadline_ms, std::move(answer));
}

// Hands the connection to the hub, which writes the protocol's SSE events.
void ServeSse(Exchange& ex, stream::SseHub& hub, ReadTarget& target, const store::StreamInfo& info,
              int64_t start, std::string cursor) {
  stream::SseEncoding encoding = stream::SseEncodingFor(info.content_type);
  std::string fields = "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n";
  if (encoding == stream::SseEncoding::kBase64) fields += "Stream-SSE-Data-Encoding: base64\r\n";
  // Chunked (HTTP/1.1): a connection dropped mid-event is then an error to
  // the reader, never an early end whose last event looks complete.
  const bool chunked = ex.request().getVersion() == Poco::Net::HTTPMessage::HTTP_1_1;
  if (chunked) fields += "Transfer-Encoding: chunked\r\n";
  HandToHub(ex, hub, target.key(), fields, start, target.View(info),
            stream::DurableFraming{encoding, std::move(cursor), chunked});
}

void Read(Exchange& ex, stream::SseHub& hub, streams::StreamService& streams, ReadTarget& target) {
  ex.response().set("Cross-Origin-Resource-Policy", "cross-origin");
  if (ex.QueryCount("offset") > 1) {
    return ex.SendError(InvalidArgument("invalid_offset", "offset is given more than once"));
  }
  const std::string live = ex.Query("live").value_or("");
  if (!live.empty() && live != "long-poll" && live != "sse") {
    return ex.SendError(InvalidArgument("invalid_live", "live is long-poll or sse"));
  }
  std::optional<std::string> offset_text = ex.Query("offset");
  if (!live.empty() && !offset_text) {
    return ex.SendError(InvalidArgument("missing_offset", "live reads need an offset"));
  }
  Result<stream::ReadFrom> from = stream::ParseReadOffset(offset_text.value_or("-1"));
  if (!from.ok()) return ex.SendError(from.status());

  Result<store::StreamInfo> info = target.Info();
  if (!info.ok()) return ex.SendError(info.status());
  if (info->ttl_seconds) {
    Status touched = target.Touch();
    if (!touched.ok()) return ex.SendError(touched);
  }
  int64_t start = from->kind == stream::ReadFrom::Kind::kPosition ? from->position
                  : from->kind == stream::ReadFrom::Kind::kNow    ? info->tail
                                                                  : 0;
  start = std::min(start, info->tail);  // past the tail: read from the tail
  Status valid = target.CheckOffset(*info, start);
  if (!valid.ok()) return ex.SendError(valid);
  std::optional<std::string> cursor;
  if (!live.empty() && !info->closed) {
    cursor = stream::StreamCursor(NowMillis(), ex.Query("cursor").value_or(""));
  }

  if (live == "sse") return ServeSse(ex, hub, target, *info, start, cursor.value_or(""));
  if (live.empty()) {
    if (from->kind == stream::ReadFrom::Kind::kNow) {
      // The tail, as a position to follow from: nothing to cache.
      ex.response().set("Stream-Next-Offset", stream::FormatStreamOffset(info->tail));
      ex.response().set("Stream-Up-To-Date", "true");
      if (info->closed) ex.response().set("Stream-Closed", "true");
      return ex.SendText(200, info->content_type, info->json() ? "[]" : "");
    }
    return Send(ex, AnswerRead(target, *info, start, std::nullopt, ex.Header("If-None-Match")));
  }
  // Long-poll: answer at once with what is there (or with the end), else
  // wait for it.
  if (start < info->tail) {
    return Send(ex, AnswerRead(target, *info, start, cursor, ex.Header("If-None-Match")));
  }
  if (info->closed) return Send(ex, AnswerCaughtUp(*info, start, cursor));
  Park(ex, hub, streams, target, *info, start, std::move(cursor));
}

}  // namespace

void AddStreamRoutes(Router& router, jobs::JobService& jobs, streams::StreamService& streams,
                     stream::SseHub& hub) {
  const std::string pattern = std::string(kStreamPrefix) + "{path...}";
  store::Store& store = streams.store();
  // Paths under __ds/ are the protocol's control routes (AddSubscriptionRoutes
  // serves those there are); no stream may live there.
  auto on_stream = [](auto handle) {
    return [handle](Exchange& ex) {
      const std::string& path = ex.Param("path");
      if (path == "__ds" || path.rfind("__ds/", 0) == 0) {
        return ex.SendError(
            NotFound("SUBSCRIPTION_NOT_FOUND", "Durable Streams control route not found"));
      }
      handle(ex, std::string(kStreamPrefix) + path);
    };
  };
  router.Add("PUT", pattern, on_stream([&store](Exchange& ex, const std::string& path) {
               Create(ex, store, path);
             }));
  router.Add("POST", pattern, on_stream([&store](Exchange& ex, const std::string& path) {
               Append(ex, store, path);
             }));
  router.Add("DELETE", pattern, on_stream([&store](Exchange& ex, const std::string& path) {
               Delete(ex, store, path);
             }));
  router.Add("HEAD", pattern, on_stream([&store](Exchange& ex, const std::string& path) {
               StreamTarget target(store, path);
               Head(ex, target);
             }));
  router.Add("GET", pattern,
             on_stream([&store, &streams, &hub](Exchange& ex, const std::string& path) {
               StreamTarget target(store, path);
               Read(ex, hub, streams, target);
             }));
  router.Add("HEAD", "/api/jobs/{id}/stream", [&jobs](Exchange& ex) {
    JobTarget target(jobs, ex.caller(), ex.Param("id"));
    Head(ex, target);
  });
  router.Add("GET", "/api/jobs/{id}/stream", [&jobs, &streams, &hub](Exchange& ex) {
    JobTarget target(jobs, ex.caller(), ex.Param("id"));
    Read(ex, hub, streams, target);
  });
}

}  // namespace scribe::http
