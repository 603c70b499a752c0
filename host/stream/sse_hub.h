// SseHub: the event-driven writer that serves every live SSE viewer.
//
// Once a request for /api/jobs/{id}/events is validated and its response
// head built, the HTTP layer hands the socket to the hub and its request
// thread is free again: no viewer pins a thread (DESIGN.md §7). One hub
// thread multiplexes all viewers with epoll.
//
// Per job the hub keeps one shared tail: the committed end, the job's state,
// and a bounded window of the most recent committed text, filled from the
// store's commit notifications (so persist-before-publish carries over). A
// viewer behind the window catches up from the store in bounded reads at its
// own pace; a viewer whose socket is full simply stops being fed until it
// drains, so a slow viewer never holds the producer back nor grows memory
// past one buffer.
//
// Thread safety: Attach(), OnAppended() and OnJobChanged() may be called
// from any thread; they queue a message for the hub thread. The LogSource is
// called on the hub thread only.
#ifndef SCRIBE_HOST_STREAM_SSE_HUB_H_
#define SCRIBE_HOST_STREAM_SSE_HUB_H_

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "host/common/status.h"
#include "host/stream/durable.h"

namespace scribe::stream {

// What a viewer needs to know of a log's owner, in the hub's own terms: a
// job, or a Durable Stream (open: running; closed: succeeded; deleted or
// expired: "gone", which ends every viewer).
struct JobView {
  enum class Outcome { kNone, kSucceeded, kFailed, kCancelled };
  std::string state = "queued";  // queued, running, interrupted, ..., gone
  int attempt = 0;
  int64_t end = 0;  // committed bytes
  Outcome outcome = Outcome::kNone;
  std::string model_used;
  std::string usage_json = "{}";  // a JSON object
  std::string error_code;
  std::string error_message;
  bool retryable = false;
};

// Where the hub reads committed text that is no longer in its window.
class LogSource {
 public:
  virtual ~LogSource() = default;
  virtual Result<std::string> ReadLog(const std::string& job_id, int64_t offset,
                                      int64_t max_bytes) = 0;
};

// A viewer of the Durable Streams protocol: `data` events in the stream's
// encoding, each followed by a `control` event; the end of a closed stream
// (or of a succeeded job) ends the response. Jobs' other outcomes leave the
// stream open: a failed or cancelled job can be continued.
struct DurableFraming {
  SseEncoding encoding = SseEncoding::kText;
  std::string cursor;
  // The body in HTTP/1.1 chunks (the head says Transfer-Encoding: chunked),
  // so a reader can tell a dropped connection from the end of the stream.
  bool chunked = false;
};

struct HubOptions {
  int64_t heartbeat_ms = 15000;
  int64_t retry_ms = 2000;
  size_t viewer_buffer_bytes = 16 * 1024;        // fill a viewer's buffer up to this
  size_t window_bytes = 1 << 20;                 // recent text kept per watched job
  size_t read_bytes = 16 * 1024;                 // one catch-up read / one event
  size_t socket_send_buffer_bytes = 256 * 1024;  // SO_SNDBUF per viewer; 0: the kernel's
  int max_viewers_per_job = 1000;                // 0: no limit
  int max_viewers_per_key = 100;                 // per API key; 0: no limit
  // A log's shared tail is dropped after this long without viewers or
  // changes (an attach brings the log's end with it; this must cover an
  // append committed between that snapshot and the attach).
  int64_t idle_tail_ms = 60000;
};

class SseHub {
 public:
  SseHub(LogSource& source, const HubOptions& options);
  ~SseHub();  // Stop()s

  Status Start();
  // Closes every viewer (they reconnect and resume elsewhere or later).
  void Stop();

  // Reserves a viewer's place on `job_id` for API key `key_id` (empty: the
  // local user, limited per job only); ResourceExhausted over a limit. Every
  // successful Admit is followed by one Attach with the same ids.
  Status Admit(const std::string& job_id, const std::string& key_id);
  // Takes over `socket`, writes `http_head` (status line and headers, ending
  // in a blank line) and then the job's events from `offset`, which the
  // caller validated against `view` (with `durable`: the protocol's events).
  // The hub owns the socket from here on; the viewer's place (Admit) is
  // given back when it closes. `job_id` names a job or a stream's path.
  void Attach(Poco::Net::StreamSocket socket, std::string http_head, const std::string& job_id,
              const std::string& key_id, int64_t offset, JobView view,
              std::optional<DurableFraming> durable = std::nullopt);
  // What a parked long-poll reader is answered: the whole HTTP response,
  // built on the hub thread when the log grew or ended (false) or when the
  // reader's time is up (true).
  using Answer = std::function<std::string(bool timed_out)>;
  // Takes over the connection of a long-poll reader waiting at `offset` of
  // the log `job_id` (its tail when it asked, as of `view`): once the log
  // grows past `offset` or is closed, or at `deadline_ms` (steady clock),
  // the hub writes `answer`'s response and closes the connection. No reader
  // holds a request thread while it waits. Admit() first, as for Attach().
  void Park(Poco::Net::StreamSocket socket, const std::string& job_id, const std::string& key_id,
            int64_t offset, JobView view, int64_t deadline_ms, Answer answer);
  // Committed text of a job: [offset, offset + text.size()).
  void OnAppended(const std::string& job_id, int64_t offset, std::string text);
  // A committed change of the job's state.
  void OnJobChanged(const std::string& job_id, JobView view);

  int64_t viewers() const { return viewer_count_.load(std::memory_order_relaxed); }
  int64_t bytes_sent() const { return bytes_sent_.load(std::memory_order_relaxed); }
  // Logs the hub keeps a tail for.
  int64_t tails() const { return tail_count_.load(std::memory_order_relaxed); }

 private:
  struct Viewer;
  struct Tail;
  struct AttachMsg {
    Poco::Net::StreamSocket socket;
    std::string http_head;
    std::string job_id;
    std::string key_id;
    int64_t offset;
    JobView view;
    std::optional<DurableFraming> durable;
    Answer answer;  // a parked long-poll reader's (then no head, no events)
    int64_t deadline_ms = 0;
  };
  struct AppendMsg {
    std::string job_id;
    int64_t offset;
    std::string text;
  };
  struct ChangeMsg {
    std::string job_id;
    JobView view;
  };
  using Message = std::variant<AttachMsg, AppendMsg, ChangeMsg>;

  void Post(Message message);
  void Loop();
  void DrainInbox();
  void Handle(AttachMsg& msg);
  void Handle(AppendMsg& msg);
  // Lists the tail's log as changed: its viewers are served once this turn.
  void MarkChanged(Tail& tail, const std::string& job_id);
  void Handle(ChangeMsg& msg);
  Tail& TailFor(const std::string& job_id);
  // Fills the viewer's buffer and writes as much as the socket takes.
  void Serve(Viewer& viewer);
  // Appends the next event(s) to the viewer's buffer; false if none is due.
  bool Produce(Viewer& viewer);
  // The next piece of committed text for the viewer: from the window or the
  // store, whole characters (JSON streams: whole messages). Closes the
  // viewer and returns false when the store fails it.
  bool NextPiece(Viewer& viewer, std::string& storage, std::string_view& piece);
  bool ProduceDurable(Viewer& viewer);
  // A parked reader's answer, once it is due.
  bool ProduceAnswer(Viewer& viewer);
  // Produce(), then the new bytes as one chunk of a chunked body (and its
  // last chunk after the last event).
  bool ProduceChunk(Viewer& viewer);
  void AppendTerminal(Viewer& viewer);
  // The terminal event's bytes for a viewer at the end of the log.
  std::string TerminalEvent(Viewer& viewer);
  // What the viewer's socket has yet to take.
  static std::string_view Pending(const Viewer& viewer);
  void Flush(Viewer& viewer);
  void UpdateInterest(Viewer& viewer);
  void Close(Viewer& viewer);
  void Heartbeats();

  LogSource& source_;
  const HubOptions options_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;

  // Gives back a place taken by Admit.
  void Release(const std::string& job_id, const std::string& key_id);

  // Guarded by admit_mu_: viewers admitted and not yet closed.
  std::mutex admit_mu_;
  std::unordered_map<std::string, int> viewers_per_job_;
  std::unordered_map<std::string, int> viewers_per_key_;

  // Guarded by inbox_mu_.
  std::mutex inbox_mu_;
  std::vector<Message> inbox_;
  bool stopping_ = false;

  // Hub thread only.
  std::unordered_map<std::string, std::unique_ptr<Tail>> tails_;
  std::unordered_map<Viewer*, std::unique_ptr<Viewer>> viewers_;
  std::vector<Viewer*> dirty_;
  std::vector<std::string> changed_tails_;        // logs with news since the last turn
  std::set<std::pair<int64_t, Viewer*>> parked_;  // long-poll readers by deadline
  int64_t last_heartbeat_scan_ms_ = 0;

  std::atomic<int64_t> viewer_count_{0};
  std::atomic<int64_t> bytes_sent_{0};
  std::atomic<int64_t> tail_count_{0};
  std::thread thread_;
};

}  // namespace scribe::stream

#endif  // SCRIBE_HOST_STREAM_SSE_HUB_H_
