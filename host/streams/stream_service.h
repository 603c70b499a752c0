// StreamService: Durable Streams on Scribe's store (DESIGN.md §4b).
//
// Streams live in the same store as jobs (same writer thread, group commit
// and persist-before-publish) and their live readers in the same SSE hub.
// The service passes committed stream changes to the hub (which also holds
// long-poll readers until their log grows or ends) and removes streams whose
// time is up (reads also treat them as gone at once).
//
// Thread safety: every method may be called from any thread.
#ifndef SCRIBE_HOST_STREAMS_STREAM_SERVICE_H_
#define SCRIBE_HOST_STREAMS_STREAM_SERVICE_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host/store/store.h"
#include "host/stream/sse_hub.h"

namespace scribe::streams {

struct StreamServiceOptions {
  std::chrono::milliseconds long_poll_timeout{30000};
  std::chrono::milliseconds expiry_sweep{10000};  // how often expired streams are removed
};

class StreamService : public store::CommitListener {
 public:
  StreamService(store::Store& store, stream::SseHub& hub, const StreamServiceOptions& options);
  ~StreamService() override;  // Stop()s

  Status Start();
  // Ends the expiry sweeps.
  void Stop();

  store::Store& store() { return store_; }
  const StreamServiceOptions& options() const { return options_; }

  // A stream's bytes for the hub: whole messages of a JSON stream.
  Result<std::string> ReadLog(const std::string& path, int64_t offset, int64_t max_bytes);

  // The hub's view of a stream: open (running), closed (succeeded) or gone.
  static stream::JobView ViewOf(const store::StreamInfo& stream, bool gone = false);

  // store::CommitListener: changes of streams (jobs' are JobService's).
  void OnCommitted(const std::vector<store::CommittedChange>& changes) override;
  void OnAppendFailed(const std::string&, int, const Status&) override {}

 private:
  void SweepLoop();

  store::Store& store_;
  stream::SseHub& hub_;
  const StreamServiceOptions options_;

  // Guarded by mu_.
  std::mutex mu_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace scribe::streams

#endif  // SCRIBE_HOST_STREAMS_STREAM_SERVICE_H_
