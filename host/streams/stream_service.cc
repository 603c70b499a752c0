#include "host/streams/stream_service.h"

#include "host/common/log.h"

namespace scribe::streams {

StreamService::StreamService(store::Store& store, stream::SseHub& hub,
                             const StreamServiceOptions& options)
    : store_(store), hub_(hub), options_(options) {}

StreamService::~StreamService() { Stop(); }

Status StreamService::Start() {
  sweeper_ = std::thread([this] { SweepLoop(); });
  return Status::Ok();
}

void StreamService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

Result<std::string> StreamService::ReadLog(const std::string& path, int64_t offset,
                                           int64_t max_bytes) {
  Result<store::StreamInfo> info = store_.GetStream(path);
  if (!info.ok()) return info.status();
  Result<store::StreamRead> read = store_.ReadStream(path, offset, max_bytes, info->json());
  if (!read.ok()) return read.status();
  return std::move(read->data);
}

stream::JobView StreamService::ViewOf(const store::StreamInfo& stream, bool gone) {
  stream::JobView view;
  view.end = stream.tail;
  if (gone) {
    view.state = "gone";
    view.outcome = stream::JobView::Outcome::kCancelled;
  } else if (stream.closed) {
    view.state = "closed";
    view.outcome = stream::JobView::Outcome::kSucceeded;
  } else {
    view.state = "running";
  }
  return view;
}

void StreamService::OnCommitted(const std::vector<store::CommittedChange>& changes) {
  for (const store::CommittedChange& change : changes) {
    if (!change.stream) continue;
    const store::StreamChange& stream = *change.stream;
    if (!change.text.empty()) hub_.OnAppended(stream.path, change.offset, change.text);
    if (stream.closed || stream.gone) {
      store::StreamInfo info;
      info.tail = change.offset + static_cast<int64_t>(change.text.size());
      info.closed = stream.closed;
      hub_.OnJobChanged(stream.path, ViewOf(info, stream.gone));
    }
  }
}

void StreamService::SweepLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_.wait_for(lock, options_.expiry_sweep, [this] { return stopping_; })) {
    lock.unlock();
    Result<int64_t> expired = store_.ExpireStreams();
    if (!expired.ok()) {
      Log(LogLevel::kWarning, "streams",
          "removing expired streams failed: " + expired.status().ToString());
    }
    lock.lock();
  }
}

}  // namespace scribe::streams
