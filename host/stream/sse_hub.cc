#include "host/stream/sse_hub.h"

#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "host/common/json_text.h"
#include "host/common/utf8.h"
#include "host/stream/script_text.h"
#include "host/stream/sse.h"

namespace scribe::stream {
namespace {

// Frames out[from..] as one chunk of an HTTP/1.1 chunked body.
void AppendChunk(std::string& out, size_t from) {
  if (out.size() == from) return;
  char size[20];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", out.size() - from);
  out.insert(from, size, static_cast<size_t>(n));
  out += "\r\n";
}

int64_t SteadyMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// What one non-blocking send or receive on a viewer's socket came to.
enum class Io { kDone, kWouldBlock, kClosed };

// One sendBytes() or receiveBytes() of a TLS socket in non-blocking use, as
// an Io; `n` gets its count. Poco 1.11's TLS socket does not pass
// setBlocking(false) on to its inner socket, so when OpenSSL wants the
// socket to drain (or fill) first it polls with a zero timeout and throws
// TimeoutException. Nothing was written or consumed then: it is the
// non-blocking "try again later".
template <typename Call>
Io TlsCall(Call call, int& n) {
  n = 0;
  try {
    n = call();
    if (n > 0) return Io::kDone;
    return n == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE ||
                   n == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ
               ? Io::kWouldBlock
               : Io::kClosed;
  } catch (const Poco::TimeoutException&) {
    return Io::kWouldBlock;
  } catch (const Poco::Exception&) {
    return Io::kClosed;
  }
}

// Sends what fits of `data`; `sent` gets how much. Over TLS (HTTPS) the
// socket's TLS session encrypts, and may want to write (or read) first.
Io SendSome(Poco::Net::StreamSocket& socket, bool tls, std::string_view data, size_t& sent) {
  sent = 0;
  if (tls) {
    int n = 0;
    Io io = TlsCall(
        [&] {
          return socket.sendBytes(data.data(),
                                  static_cast<int>(std::min<size_t>(data.size(), INT_MAX)));
        },
        n);
    if (io == Io::kDone) sent = static_cast<size_t>(n);
    return io;
  }
  for (;;) {
    ssize_t n =
        send(socket.impl()->sockfd(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent = static_cast<size_t>(n);
      return Io::kDone;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? Io::kWouldBlock : Io::kClosed;
  }
}

// Reads and drops what the viewer sent (nothing after its request but TLS
// records); kClosed once it has left.
Io DrainInput(Poco::Net::StreamSocket& socket, bool tls) {
  char scratch[512];
  if (tls) {
    int n = 0;
    return TlsCall([&] { return socket.receiveBytes(scratch, sizeof scratch); }, n);
  }
  ssize_t got = recv(socket.impl()->sockfd(), scratch, sizeof scratch, MSG_DONTWAIT);
  if (got > 0) return Io::kDone;
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? Io::kWouldBlock
                                                                                : Io::kClosed;
}

}  // namespace

struct SseHub::Tail {
  JobView view;
  bool state_known = false;  // false while only appends were seen
  uint64_t state_version = 0;
  int64_t status_offset = 0;  // the end of the log when the state last changed
  int64_t window_base = 0;    // window holds [window_base, window_base + size)
  std::string window;
  std::set<Viewer*> viewers;
  // The terminal event, built once for every viewer: `complete` carries the
  // whole script. Valid while terminal_version == state_version.
  std::shared_ptr<const std::string> terminal_event;
  uint64_t terminal_version = 0;
  int64_t last_active_ms = 0;  // the last message or viewer: idle tails are dropped
  bool changed = false;        // listed in changed_tails_ (its viewers have news)
};

struct SseHub::Viewer {
  Poco::Net::StreamSocket socket;
  int fd = -1;
  bool tls = false;           // HTTPS: bytes go through the socket's TLS session
  bool room_for_end = false;  // TLS: the socket was writable after the last event
  std::string job_id;
  std::string key_id;  // whose place it holds (Admit)
  Tail* tail = nullptr;
  int64_t offset = 0;  // next byte of the log to send
  std::string out;     // bytes waiting for the socket
  size_t out_pos = 0;
  std::shared_ptr<const std::string> end;  // then the shared terminal event
  size_t end_pos = 0;
  std::optional<DurableFraming> durable;  // the Durable Streams protocol's events
  bool announce = false;                  // durable: a control event is due at the tail
  Answer answer;                          // a parked long-poll reader: its one response
  int64_t deadline_ms = 0;                // and when it is due at the latest
  uint64_t status_version = 0;
  bool terminal_sent = false;
  bool want_write = false;
  bool closed = false;
  int64_t last_write_ms = 0;
};

SseHub::SseHub(LogSource& source, const HubOptions& options) : source_(source), options_(options) {}

SseHub::~SseHub() { Stop(); }

Status SseHub::Start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return Internal(std::string("cannot create the SSE event loop: ") + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void SseHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  epoll_fd_ = wake_fd_ = -1;
}

void SseHub::Post(Message message) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    if (stopping_) return;
    was_empty = inbox_.empty();
    inbox_.push_back(std::move(message));
  }
  if (was_empty) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
}

Status SseHub::Admit(const std::string& job_id, const std::string& key_id) {
  std::lock_guard<std::mutex> lock(admit_mu_);
  int& on_job = viewers_per_job_[job_id];
  if (options_.max_viewers_per_job > 0 && on_job >= options_.max_viewers_per_job) {
    return ResourceExhausted(
        "too_many_viewers",
        "job " + job_id + " already has " + std::to_string(on_job) + " live viewers, its limit",
        5000);
  }
  if (!key_id.empty() && options_.max_viewers_per_key > 0 &&
      viewers_per_key_[key_id] >= options_.max_viewers_per_key) {
    if (on_job == 0) viewers_per_job_.erase(job_id);
    return ResourceExhausted("too_many_viewers",
                             "this API key already has " +
                                 std::to_string(options_.max_viewers_per_key) +
                                 " live viewers, its limit",
                             5000);
  }
  ++on_job;
  if (!key_id.empty()) ++viewers_per_key_[key_id];
  return Status::Ok();
}

void SseHub::Release(const std::string& job_id, const std::string& key_id) {
  std::lock_guard<std::mutex> lock(admit_mu_);
  if (auto it = viewers_per_job_.find(job_id); it != viewers_per_job_.end() && --it->second <= 0) {
    viewers_per_job_.erase(it);
  }
  if (auto it = viewers_per_key_.find(key_id); it != viewers_per_key_.end() && --it->second <= 0) {
    viewers_per_key_.erase(it);
  }
}

void SseHub::Attach(Poco::Net::StreamSocket socket, std::string http_head,
                    const std::string& job_id, const std::string& key_id, int64_t offset,
                    JobView view, std::optional<DurableFraming> durable) {
  Post(AttachMsg{std::move(socket), std::move(http_head), job_id, key_id, offset, std::move(view),
                 std::move(durable), nullptr, 0});
}

void SseHub::Park(Poco::Net::StreamSocket socket, const std::string& job_id,
                  const std::string& key_id, int64_t offset, JobView view, int64_t deadline_ms,
                  Answer answer) {
  Post(AttachMsg{std::move(socket), "", job_id, key_id, offset, std::move(view), std::nullopt,
                 std::move(answer), deadline_ms});
}

void SseHub::OnAppended(const std::string& job_id, int64_t offset, std::string text) {
  Post(AppendMsg{job_id, offset, std::move(text)});
}

void SseHub::OnJobChanged(const std::string& job_id, JobView view) {
  Post(ChangeMsg{job_id, std::move(view)});
}

void SseHub::Loop() {
  std::vector<epoll_event> events(256);
  for (;;) {
    int64_t wait_ms = std::clamp<int64_t>(options_.heartbeat_ms / 4, 10, 1000);
    if (!parked_.empty()) {
      wait_ms = std::clamp<int64_t>(parked_.begin()->first - SteadyMillis(), 0, wait_ms);
    }
    int timeout = dirty_.empty() ? static_cast<int>(wait_ms) : 0;
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout);
    for (int i = 0; i < n; ++i) {
      auto* viewer = static_cast<Viewer*>(events[i].data.ptr);
      if (viewer == nullptr) {
        uint64_t count;
        (void)!read(wake_fd_, &count, sizeof count);
        continue;
      }
      if (viewer->closed) continue;
      uint32_t flags = events[i].events;
      if (flags & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        // Viewers send nothing after their request; EOF or an error means
        // they left. Anything else they send is read and ignored.
        if (DrainInput(viewer->socket, viewer->tls) == Io::kClosed ||
            (flags & (EPOLLHUP | EPOLLERR))) {
          Close(*viewer);
          continue;
        }
      }
      if (flags & EPOLLOUT) dirty_.push_back(viewer);
    }
    {
      std::lock_guard<std::mutex> lock(inbox_mu_);
      if (stopping_) break;
    }
    DrainInbox();
    // Each changed log's viewers once, however many messages it had; those
    // whose socket is full are served when it has room (EPOLLOUT).
    for (const std::string& job_id : changed_tails_) {
      auto it = tails_.find(job_id);
      if (it == tails_.end() || !it->second->changed) continue;
      it->second->changed = false;
      for (Viewer* viewer : it->second->viewers) {
        if (!viewer->want_write) dirty_.push_back(viewer);
      }
    }
    changed_tails_.clear();
    // Long-poll readers whose time is up are answered now.
    for (auto it = parked_.begin(); it != parked_.end() && it->first <= SteadyMillis(); ++it) {
      dirty_.push_back(it->second);
    }
    std::vector<Viewer*> dirty;
    dirty.swap(dirty_);
    std::sort(dirty.begin(), dirty.end());
    dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
    for (Viewer* viewer : dirty) {
      if (!viewer->closed) Serve(*viewer);
    }
    Heartbeats();
    // Free closed viewers now that no event refers to them.
    dirty_.erase(std::remove_if(dirty_.begin(), dirty_.end(), [](Viewer* v) { return v->closed; }),
                 dirty_.end());
    for (auto it = viewers_.begin(); it != viewers_.end();) {
      it = it->second->closed ? viewers_.erase(it) : std::next(it);
    }
    tail_count_.store(static_cast<int64_t>(tails_.size()), std::memory_order_relaxed);
  }
  for (auto& [ptr, viewer] : viewers_) {
    if (!viewer->closed) Close(*viewer);
  }
  viewers_.clear();
  tails_.clear();
}

void SseHub::DrainInbox() {
  std::vector<Message> inbox;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    inbox.swap(inbox_);
  }
  for (Message& message : inbox) {
    std::visit([this](auto& msg) { Handle(msg); }, message);
  }
}

SseHub::Tail& SseHub::TailFor(const std::string& job_id) {
  std::unique_ptr<Tail>& tail = tails_[job_id];
  if (!tail) tail = std::make_unique<Tail>();
  tail->last_active_ms = SteadyMillis();
  return *tail;
}

void SseHub::Handle(AttachMsg& msg) {
  Tail& tail = TailFor(msg.job_id);
  if (!tail.state_known) {
    int64_t known_end = std::max(tail.view.end, msg.view.end);
    tail.view = msg.view;
    tail.view.end = known_end;
    tail.state_known = true;
    tail.status_offset = msg.view.end;
    ++tail.state_version;
  }
  tail.view.end = std::max(tail.view.end, msg.view.end);
  if (tail.viewers.empty()) {
    tail.window.clear();
    tail.window_base = tail.view.end;
  }

  auto viewer = std::make_unique<Viewer>();
  viewer->socket = std::move(msg.socket);
  viewer->fd = viewer->socket.impl()->sockfd();
  viewer->tls = viewer->socket.secure();
  viewer->job_id = msg.job_id;
  viewer->key_id = msg.key_id;
  viewer->tail = &tail;
  viewer->offset = msg.offset;
  viewer->out = std::move(msg.http_head);
  viewer->durable = std::move(msg.durable);
  viewer->announce = viewer->durable.has_value();
  viewer->answer = std::move(msg.answer);
  viewer->deadline_ms = msg.deadline_ms;
  if (!viewer->durable && !viewer->answer) AppendRetry(viewer->out, options_.retry_ms);
  viewer->last_write_ms = SteadyMillis();
  try {
    viewer->socket.setBlocking(false);
    viewer->socket.setNoDelay(true);
    // A fixed send buffer (no autotuning to megabytes): what a slow viewer
    // holds in the kernel is bounded too, and the hub stops feeding it once
    // that is full.
    if (options_.socket_send_buffer_bytes > 0) {
      viewer->socket.setSendBufferSize(static_cast<int>(options_.socket_send_buffer_bytes));
    }
  } catch (...) {
    return;  // the client already left; the socket closes with `viewer`
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.ptr = viewer.get();
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, viewer->fd, &ev) != 0) return;
  tail.viewers.insert(viewer.get());
  if (viewer->answer) parked_.emplace(viewer->deadline_ms, viewer.get());
  dirty_.push_back(viewer.get());
  viewer_count_.fetch_add(1, std::memory_order_relaxed);
  viewers_.emplace(viewer.get(), std::move(viewer));
}

void SseHub::Handle(AppendMsg& msg) {
  Tail& tail = TailFor(msg.job_id);
  int64_t len = static_cast<int64_t>(msg.text.size());
  if (msg.offset + len <= tail.view.end) return;  // already known
  if (!tail.state_known) tail.view.state = "running";
  std::string_view text = msg.text;
  int64_t offset = msg.offset;
  if (offset < tail.view.end) {  // overlaps what an attach snapshot already counted
    text.remove_prefix(static_cast<size_t>(tail.view.end - offset));
    offset = tail.view.end;
  }
  if (!tail.viewers.empty()) {
    if (tail.window_base + static_cast<int64_t>(tail.window.size()) != offset) {
      tail.window.clear();
      tail.window_base = offset;
    }
    tail.window.append(text);
    if (tail.window.size() > options_.window_bytes) {
      size_t drop = tail.window.size() - options_.window_bytes / 2;
      tail.window.erase(0, drop);
      tail.window_base += static_cast<int64_t>(drop);
    }
  }
  tail.view.end = offset + static_cast<int64_t>(text.size());
  MarkChanged(tail, msg.job_id);
}

void SseHub::MarkChanged(Tail& tail, const std::string& job_id) {
  if (tail.changed) return;
  tail.changed = true;
  changed_tails_.push_back(job_id);
}

void SseHub::Handle(ChangeMsg& msg) {
  Tail& tail = TailFor(msg.job_id);
  int64_t end = std::max(tail.view.end, msg.view.end);
  bool changed = !tail.state_known || tail.view.state != msg.view.state ||
                 tail.view.attempt != msg.view.attempt || tail.view.outcome != msg.view.outcome;
  tail.view = std::move(msg.view);
  tail.view.end = end;
  tail.state_known = true;
  if (changed) {
    ++tail.state_version;
    tail.status_offset = end;
  }
  if (tail.view.state == "gone") {
    // Deleted or expired: its viewers end, and its name may be used anew.
    std::vector<Viewer*> viewers(tail.viewers.begin(), tail.viewers.end());
    for (Viewer* viewer : viewers) Close(*viewer);
    tails_.erase(msg.job_id);
    return;
  }
  MarkChanged(tail, msg.job_id);
}

void SseHub::Serve(Viewer& viewer) {
  // A few rounds of fill-and-write; then others get their turn.
  for (int round = 0; round < 4 && !viewer.closed; ++round) {
    // Drop what the socket already took, so a viewer that never drains its
    // buffer holds at most viewer_buffer_bytes (and one event), not all it
    // was ever sent.
    if (viewer.out_pos > 0) {
      viewer.out.erase(0, viewer.out_pos);
      viewer.out_pos = 0;
    }
    bool produced = false;
    while (viewer.out.size() - viewer.out_pos < options_.viewer_buffer_bytes &&
           ProduceChunk(viewer)) {
      produced = true;
    }
    Flush(viewer);
    if (viewer.closed || viewer.want_write || !produced) break;
  }
  if (!viewer.closed && !viewer.want_write && viewer.out_pos >= viewer.out.size() &&
      viewer.offset < viewer.tail->view.end) {
    dirty_.push_back(&viewer);  // more to send: continue on the next turn
  }
}

bool SseHub::NextPiece(Viewer& viewer, std::string& storage, std::string_view& piece) {
  Tail& tail = *viewer.tail;
  const bool json = viewer.durable && viewer.durable->encoding == SseEncoding::kJson;
  int64_t window_end = tail.window_base + static_cast<int64_t>(tail.window.size());
  int64_t want =
      std::min<int64_t>(tail.view.end - viewer.offset, static_cast<int64_t>(options_.read_bytes));
  piece = {};
  if (viewer.offset >= tail.window_base && viewer.offset < window_end) {
    piece = std::string_view(tail.window)
                .substr(static_cast<size_t>(viewer.offset - tail.window_base),
                        static_cast<size_t>(std::min(want, window_end - viewer.offset)));
    // A JSON stream's messages end in "\n": send whole ones.
    if (json) piece = piece.substr(0, piece.rfind('\n') + 1);
  }
  if (piece.empty()) {
    // The store's reads of a JSON stream hold whole messages only.
    Result<std::string> got = source_.ReadLog(viewer.job_id, viewer.offset, want);
    if (!got.ok() || got->empty()) {
      Close(viewer);  // the client reconnects and resumes from its last id
      return false;
    }
    storage = std::move(got).value();
    piece = storage;
  }
  if (viewer.durable && viewer.durable->encoding != SseEncoding::kText) return true;
  // A bounded read may cut a character: send whole characters only.
  size_t valid = utf8::ValidPrefixLength(piece);
  if (valid == 0 && viewer.durable) return true;  // a text stream of other bytes: as they are
  piece = piece.substr(0, valid);
  if (piece.empty()) {
    Close(viewer);  // not UTF-8 at a boundary: never happens to a job's log
    return false;
  }
  return true;
}

bool SseHub::Produce(Viewer& viewer) {
  if (viewer.terminal_sent) return false;
  if (viewer.answer) return ProduceAnswer(viewer);
  if (viewer.durable) return ProduceDurable(viewer);
  Tail& tail = *viewer.tail;
  if (viewer.offset < tail.view.end) {
    std::string storage;
    std::string_view piece;
    if (!NextPiece(viewer, storage, piece)) return false;
    viewer.offset += static_cast<int64_t>(piece.size());
    AppendTokenEvent(viewer.out, viewer.offset, piece);
    return true;
  }
  if (tail.view.outcome != JobView::Outcome::kNone) {
    AppendTerminal(viewer);
    return true;
  }
  if (viewer.status_version != tail.state_version && viewer.offset >= tail.status_offset) {
    viewer.status_version = tail.state_version;
    AppendEvent(
        viewer.out, viewer.offset, "status",
        Dump({{"type", "status"}, {"status", tail.view.state}, {"attempt", tail.view.attempt}}));
    return true;
  }
  return false;
}

bool SseHub::ProduceChunk(Viewer& viewer) {
  const size_t before = viewer.out.size();
  if (!Produce(viewer)) return false;
  if (viewer.durable && viewer.durable->chunked) {
    AppendChunk(viewer.out, before);
    if (viewer.terminal_sent) viewer.out += "0\r\n\r\n";
  }
  return true;
}

bool SseHub::ProduceDurable(Viewer& viewer) {
  Tail& tail = *viewer.tail;
  const bool closed = tail.view.outcome == JobView::Outcome::kSucceeded;
  if (viewer.offset < tail.view.end) {
    std::string storage;
    std::string_view piece;
    if (!NextPiece(viewer, storage, piece)) return false;
    viewer.offset += static_cast<int64_t>(piece.size());
    AppendStreamData(viewer.out, viewer.durable->encoding, piece);
    const bool at_tail = viewer.offset >= tail.view.end;
    viewer.terminal_sent = at_tail && closed;
    AppendStreamControl(viewer.out, viewer.offset, viewer.durable->cursor, at_tail,
                        viewer.terminal_sent);
    viewer.announce = false;
    return true;
  }
  if (closed || viewer.announce) {
    viewer.terminal_sent = closed;
    AppendStreamControl(viewer.out, viewer.offset, viewer.durable->cursor, true, closed);
    viewer.announce = false;
    return true;
  }
  return false;
}

bool SseHub::ProduceAnswer(Viewer& viewer) {
  const Tail& tail = *viewer.tail;
  const bool ready =
      tail.view.end > viewer.offset || tail.view.outcome == JobView::Outcome::kSucceeded;
  const bool timed_out = SteadyMillis() >= viewer.deadline_ms;
  if (!ready && !timed_out) return false;
  viewer.out += viewer.answer(!ready);
  viewer.terminal_sent = true;  // one response, then the connection closes
  return true;
}

void SseHub::AppendTerminal(Viewer& viewer) {
  Tail& tail = *viewer.tail;
  viewer.terminal_sent = true;
  if (!tail.terminal_event || tail.terminal_version != tail.state_version) {
    std::string event = TerminalEvent(viewer);
    if (viewer.closed) return;
    tail.terminal_event = std::make_shared<const std::string>(std::move(event));
    tail.terminal_version = tail.state_version;
  }
  viewer.end = tail.terminal_event;  // shared: a slow viewer holds no copy
  viewer.end_pos = 0;
}

std::string SseHub::TerminalEvent(Viewer& viewer) {
  const JobView& view = viewer.tail->view;
  std::string out;  // every viewer is at view.end here
  switch (view.outcome) {
    case JobView::Outcome::kSucceeded: {
      std::string script;
      while (static_cast<int64_t>(script.size()) < view.end) {
        Result<std::string> got =
            source_.ReadLog(viewer.job_id, static_cast<int64_t>(script.size()), 1 << 20);
        if (!got.ok() || got->empty()) {
          Close(viewer);
          return out;
        }
        script += *got;
      }
      std::string data = "{\"type\":\"complete\",\"script\":";
      AppendJsonString(data, PostProcessScript(script));
      data += ",\"model_used\":";
      AppendJsonString(data, view.model_used);
      data += ",\"usage\":" + view.usage_json + "}";
      AppendEvent(out, viewer.offset, "complete", data);
      break;
    }
    case JobView::Outcome::kFailed:
      AppendEvent(out, viewer.offset, "error",
                  Dump({{"type", "error"},
                        {"code", view.error_code},
                        {"message", view.error_message},
                        {"retryable", view.retryable},
                        {"partial", view.end > 0}}));
      break;
    case JobView::Outcome::kCancelled:
      AppendEvent(out, viewer.offset, "cancelled", "{\"type\":\"cancelled\"}");
      break;
    case JobView::Outcome::kNone:
      break;
  }
  return out;
}

std::string_view SseHub::Pending(const Viewer& viewer) {
  if (viewer.out_pos < viewer.out.size())
    return std::string_view(viewer.out).substr(viewer.out_pos);
  if (viewer.end && viewer.end_pos < viewer.end->size()) {
    return std::string_view(*viewer.end).substr(viewer.end_pos);
  }
  return {};
}

void SseHub::Flush(Viewer& viewer) {
  if (viewer.closed) return;
  for (std::string_view pending = Pending(viewer); !pending.empty(); pending = Pending(viewer)) {
    size_t n = 0;
    Io io = SendSome(viewer.socket, viewer.tls, pending, n);
    if (io == Io::kDone) {
      (viewer.out_pos < viewer.out.size() ? viewer.out_pos : viewer.end_pos) += n;
      bytes_sent_.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
      viewer.last_write_ms = SteadyMillis();
      continue;
    }
    if (io == Io::kWouldBlock) {
      if (!viewer.want_write) {
        viewer.want_write = true;
        UpdateInterest(viewer);
      }
      return;
    }
    Close(viewer);
    return;
  }
  viewer.out.clear();
  viewer.out_pos = 0;
  // Over TLS the response ends with a close_notify record, which needs room
  // in the socket: once the last event is out, wait until it is writable.
  const bool await_room = viewer.terminal_sent && viewer.tls && !viewer.room_for_end;
  if (viewer.want_write != await_room) {
    viewer.want_write = await_room;
    UpdateInterest(viewer);
  }
  if (await_room) {
    viewer.room_for_end = true;
    return;
  }
  if (viewer.terminal_sent) Close(viewer);  // the outcome is delivered: end the response
}

void SseHub::UpdateInterest(Viewer& viewer) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (viewer.want_write ? EPOLLOUT : 0u);
  ev.data.ptr = &viewer;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, viewer.fd, &ev);
}

void SseHub::Close(Viewer& viewer) {
  if (viewer.closed) return;
  viewer.closed = true;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, viewer.fd, nullptr);
  try {
    viewer.socket.shutdown();
  } catch (...) {
  }
  try {
    viewer.socket.close();
  } catch (...) {
  }
  viewer_count_.fetch_sub(1, std::memory_order_relaxed);
  Release(viewer.job_id, viewer.key_id);
  if (viewer.answer) parked_.erase({viewer.deadline_ms, &viewer});
  Tail* tail = viewer.tail;
  tail->viewers.erase(&viewer);
  tail->last_active_ms = SteadyMillis();
  if (tail->viewers.empty()) {
    tail->window.clear();
    tail->window.shrink_to_fit();
    tail->terminal_event.reset();  // rebuilt if another viewer comes
  }
}

void SseHub::Heartbeats() {
  int64_t now = SteadyMillis();
  if (now - last_heartbeat_scan_ms_ < std::min<int64_t>(options_.heartbeat_ms / 4, 1000)) return;
  last_heartbeat_scan_ms_ = now;
  // A log nobody watches needs no tail: an open stream's would stay forever.
  // (Not sooner: a finished job's tail must outlive the attach of a viewer
  // whose snapshot of the job is older than the tail's last change, or that
  // viewer would wait for a change that already happened.)
  for (auto it = tails_.begin(); it != tails_.end();) {
    const Tail& tail = *it->second;
    it = tail.viewers.empty() && now - tail.last_active_ms > options_.idle_tail_ms
             ? tails_.erase(it)
             : std::next(it);
  }
  for (auto& [ptr, viewer] : viewers_) {
    if (viewer->closed || viewer->answer || viewer->want_write || !Pending(*viewer).empty()) {
      continue;  // (a long-poll reader gets one response, not a stream)
    }
    if (now - viewer->last_write_ms < options_.heartbeat_ms) continue;
    const size_t from = viewer->out.size();
    AppendComment(viewer->out, "keep-alive");
    if (viewer->durable && viewer->durable->chunked) AppendChunk(viewer->out, from);
    Flush(*viewer);
  }
}

}  // namespace scribe::stream
