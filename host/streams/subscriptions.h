// SubscriptionService: the Durable Streams protocol's reserved subscription
// APIs (/v1/stream/__ds/): a consumer subscribes to streams, by name or by a
// glob pattern of their paths, and is woken when they have data it has not
// acknowledged. A webhook subscription is woken by a signed POST to its URL;
// a pull-wake subscription by an event appended to its wake stream, after
// which one worker at a time claims the wake. Either way the consumer
// acknowledges offsets (or the whole wake) with the wake's token; a stale
// wake's token is fenced off, and a wake nobody finishes within its lease is
// made again.
//
// Durable like everything else: each subscription's whole state (streams
// and acknowledged offsets, current wake, lease, delivery retries) is
// written to the store before the answer or the notification that follows
// from it, and a restart resumes it, re-delivering wakes that were pending
// and waking for data committed while the host was down.
//
// Threads: API calls on request threads; stream changes arrive through
// OnCommitted (queued, never blocking the store's writer); one thread makes
// wakes and runs leases and retries; a few threads deliver webhooks.
//
// Thread safety: every method may be called from any thread.
#ifndef SCRIBE_HOST_STREAMS_SUBSCRIPTIONS_H_
#define SCRIBE_HOST_STREAMS_SUBSCRIPTIONS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "host/store/store.h"
#include "host/streams/wake_crypto.h"

namespace scribe::streams {

struct SubscriptionOptions {
  std::chrono::milliseconds webhook_timeout{10000};
  int delivery_threads = 4;
};

// Whether a webhook URL may be registered: https to a host that is not a
// private, loopback or link-local address, or http to localhost / 127.x.x.x
// (for development). The reason when it may not.
Result<bool> CheckWebhookUrl(const std::string& url);
// `*` is one path segment, `**` any number (none included); `%2A` a literal *.
bool GlobMatch(const std::string& pattern, const std::string& path);

class SubscriptionService : public store::CommitListener {
 public:
  SubscriptionService(store::Store& store, SubscriptionOptions options);
  ~SubscriptionService() override;  // Stop()s

  // Loads the keys and every subscription, wakes for data committed while
  // the host was down, and starts the threads.
  Status Start();
  void Stop();
  // Where clients reach this host (scheme://host[:port]): the base of the
  // callback and JWKS URLs it hands out. Set once the host listens.
  void SetPublicUrl(std::string url);

  // ---- the API; errors carry the protocol's codes as their reasons
  struct Put {
    nlohmann::json subscription;
    bool created = false;  // false: it existed with the same settings
  };
  Result<Put> Create(const std::string& id, const nlohmann::json& body);
  Result<nlohmann::json> Get(const std::string& id);
  Status Delete(const std::string& id);
  Status AddStreams(const std::string& id, const nlohmann::json& body);
  Status RemoveStream(const std::string& id, const std::string& path);
  // A webhook consumer's acknowledgement: {wake_id, generation, acks, done}.
  Result<nlohmann::json> Callback(const std::string& id, const std::string& token,
                                  const nlohmann::json& body);
  // A pull-wake worker claims the wake. `holder` is set (and the result
  // empty) when another worker holds it.
  struct Claimed {
    nlohmann::json wake;
    std::string holder;
    int64_t generation = 0;
  };
  Result<Claimed> Claim(const std::string& id, const nlohmann::json& body);
  Result<nlohmann::json> Ack(const std::string& id, const std::string& token,
                             const nlohmann::json& body);
  Status Release(const std::string& id, const std::string& token, const nlohmann::json& body);
  // The webhook signing key, as a JWK set.
  nlohmann::json Jwks() const;

  // store::CommitListener: data appended to streams, streams gone.
  void OnCommitted(const std::vector<store::CommittedChange>& changes) override;
  void OnAppendFailed(const std::string&, int, const Status&) override {}

 private:
  struct Subscription;  // subscriptions.cc
  struct Event {
    std::string path;  // the stream's, relative to /v1/stream/
    bool gone = false;
  };
  struct Delivery {
    std::string id;
    std::string wake_id;
    std::string url;
    std::string body;
  };

  std::string ControlUrl(const std::string& rest) const;  // under /v1/stream/__ds/
  // All with mu_ held.
  Status Save(const Subscription& subscription);
  int64_t Tail(const std::string& path);
  nlohmann::json StreamInfos(const Subscription& subscription);
  bool HasPending(const Subscription& subscription);
  nlohmann::json Describe(const Subscription& subscription);
  // NotFound, or InvalidArgument when it is not of `type` (when given).
  Result<Subscription*> Find(const std::string& id, const std::string& type = "");
  // Saves `next`, then makes it `current` (and announces a pull-wake's new
  // wake).
  Status Replace(Subscription& current, Subscription next);
  // The same off a request (stream changes, timers, deliveries): a failure
  // is logged and the change is tried again at the next occasion.
  bool ReplaceOrLog(Subscription& current, Subscription next);
  void MakeWake(Subscription& subscription, const std::string& trigger);
  void AnnounceWake(const Subscription& subscription);
  bool WakeIfPending(Subscription& subscription, const std::string& trigger);
  void EndWake(Subscription& subscription);
  Status CheckToken(const Subscription& subscription, const std::string& token,
                    const nlohmann::json& body);
  Status ApplyAcks(Subscription& subscription, const nlohmann::json& body);
  Result<nlohmann::json> Acknowledge(const std::string& id, const std::string& type,
                                     const std::string& token, const nlohmann::json& body);
  void LinkMatching(Subscription& subscription, bool up_to_now);
  void OnStreamEvent(const Event& event);
  std::chrono::steady_clock::time_point RunTimers();

  void Poke();
  void Loop();
  void DeliveryLoop();
  void Deliver(const Delivery& delivery);
  void Delivered(const Delivery& delivery, bool ok, bool done);

  store::Store& store_;
  const SubscriptionOptions options_;
  std::unique_ptr<WebhookSigner> signer_;
  std::unique_ptr<WakeTokens> tokens_;

  // Guarded by mu_ (never taken while holding queue_mu_).
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Subscription>> subscriptions_;
  std::string public_url_ = "http://127.0.0.1:8080";
  // subscriptions_.size() (one more while one is made), read without mu_:
  // with none, committed changes are not even queued.
  std::atomic<size_t> count_{0};

  // Guarded by queue_mu_.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;     // the timer thread
  std::condition_variable delivery_cv_;  // the delivery threads
  std::vector<Event> events_;
  std::deque<Delivery> deliveries_;
  bool poked_ = false;
  bool stopping_ = false;

  std::thread timer_thread_;
  std::vector<std::thread> delivery_threads_;
};

}  // namespace scribe::streams

#endif  // SCRIBE_HOST_STREAMS_SUBSCRIPTIONS_H_
