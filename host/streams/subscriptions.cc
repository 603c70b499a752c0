#include "host/streams/subscriptions.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <netinet/in.h>

#include <algorithm>
#include <random>
#include <set>

#include "host/common/clock.h"
#include "host/common/log.h"
#include "host/stream/durable.h"

namespace scribe::streams {

using nlohmann::json;

namespace {

constexpr char kStreamRoot[] = "/v1/stream/";
constexpr char kReserved[] = "__ds";
constexpr int64_t kDefaultLeaseMs = 30000;
constexpr int64_t kMinLeaseMs = 1000;
constexpr int64_t kMaxLeaseMs = 600000;
constexpr int64_t kTokenTtlSeconds = 3600;
constexpr int64_t kMaxRetryDelayMs = 60000;
constexpr int64_t kBeforeFirst = -1;  // acknowledged nothing yet
constexpr size_t kMaxStreamsPerCall = 10000;

Status Invalid(const std::string& message) { return InvalidArgument("INVALID_REQUEST", message); }
Status NotFoundError() { return NotFound("SUBSCRIPTION_NOT_FOUND", "Subscription not found"); }
Status Conflicted(const std::string& code, const std::string& message) {
  return Status(Code::kConflict, code, message);
}

std::string Normalize(std::string path) {
  size_t start = path.find_first_not_of('/');
  if (start == std::string::npos) return "";
  size_t end = path.find_last_not_of('/');
  return path.substr(start, end - start + 1);
}

// The stream's path relative to /v1/stream/; empty for a reserved path.
std::string Relative(const std::string& absolute) {
  if (absolute.rfind(kStreamRoot, 0) != 0) return "";
  std::string relative = absolute.substr(sizeof kStreamRoot - 1);
  if (relative == kReserved || relative.rfind(std::string(kReserved) + "/", 0) == 0) return "";
  return relative;
}

std::string OffsetToken(int64_t offset) {
  return offset == kBeforeFirst ? "-1" : stream::FormatStreamOffset(offset);
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = std::min(path.find('/', start), path.size());
    if (slash > start) segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

bool MatchSegments(const std::vector<std::string>& pattern, size_t pi,
                   const std::vector<std::string>& path, size_t si) {
  while (pi < pattern.size() && si < path.size()) {
    const std::string& segment = pattern[pi];
    if (segment == "**") {
      for (size_t i = si; i <= path.size(); ++i) {
        if (MatchSegments(pattern, pi + 1, path, i)) return true;
      }
      return false;
    }
    if (segment != "*") {
      std::string literal = segment;
      for (size_t at; (at = literal.find("%2A")) != std::string::npos ||
                      (at = literal.find("%2a")) != std::string::npos;) {
        literal.replace(at, 3, "*");
      }
      if (literal != path[si]) return false;
    }
    ++pi;
    ++si;
  }
  while (pi < pattern.size() && pattern[pi] == "**") ++pi;
  return pi == pattern.size() && si == path.size();
}

// The literal path segments a pattern starts with: every match is under them.
std::string LiteralPrefix(const std::string& pattern) {
  std::string prefix;
  for (const std::string& segment : Segments(pattern)) {
    if (segment.find('*') != std::string::npos) break;
    prefix += segment + "/";
  }
  return prefix;
}

bool IsLocalDevHost(const std::string& host) {
  if (host == "localhost") return true;
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(host, address) &&
         address.family() == Poco::Net::IPAddress::IPv4 && address.isLoopback();
}

// Loopback, private, link-local, shared or unspecified: not a public host.
bool IsInternalAddress(const Poco::Net::IPAddress& address) {
  if (address.family() == Poco::Net::IPAddress::IPv4) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(address.addr());
    const unsigned a = bytes[0], b = bytes[1];
    return a == 0 || a == 10 || a == 127 || (a == 100 && (b & 0xc0) == 64) ||
           (a == 169 && b == 254) || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168);
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(address.addr());
  if (address.isIPv4Mapped()) {
    return IsInternalAddress(Poco::Net::IPAddress(bytes + 12, 4));
  }
  return address.isWildcard() || address.isLoopback() || (bytes[0] & 0xfe) == 0xfc ||
         (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80);
}

std::string Escaped(const std::string& segment) {
  std::string escaped;
  Poco::URI::encode(segment, "/?#%", escaped);
  return escaped;
}

int64_t RetryDelayMs(int retry_count) {
  int64_t base =
      std::min<int64_t>(kMaxRetryDelayMs, int64_t{1000} << std::min(retry_count - 1, 16));
  static thread_local std::mt19937_64 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(-0.2, 0.2);
  return std::max<int64_t>(0, base + static_cast<int64_t>(base * jitter(random)));
}

}  // namespace

// ---- a subscription and its stored form

struct SubscriptionService::Subscription {
  struct Link {
    bool by_name = false;     // named in `streams` (explicit)
    bool by_pattern = false;  // matched `pattern` (glob)
    int64_t acked = kBeforeFirst;
  };

  std::string id;
  std::string type;  // "webhook" or "pull-wake"
  std::string pattern;
  std::string webhook_url;
  std::string wake_stream;
  std::string description;
  int64_t lease_ttl_ms = kDefaultLeaseMs;
  int64_t created_ms = 0;
  std::string settings;  // canonical JSON of what the PUT asked for
  std::map<std::string, Link> streams;

  // The current wake: its generation counts every wake ever made.
  int64_t generation = 0;
  std::string wake_id;                      // empty: none outstanding
  std::string trigger;                      // the stream whose data made it
  std::map<std::string, int64_t> snapshot;  // the tails it was made for
  std::string holder;                       // pull-wake: the worker that claimed it
  int64_t lease_until_ms = 0;               // 0: no lease running
  // Webhook delivery of the current wake: due at next_attempt_ms (0: not
  // due: delivered, or no wake).
  bool failing = false;
  int retry_count = 0;
  int64_t next_attempt_ms = 0;
  bool delivering = false;  // not stored

  bool webhook() const { return type == "webhook"; }

  json ToJson() const {
    json links = json::array();
    for (const auto& [path, link] : streams) {
      links.push_back({{"path", path},
                       {"explicit", link.by_name},
                       {"glob", link.by_pattern},
                       {"acked", link.acked}});
    }
    return {{"id", id},
            {"type", type},
            {"pattern", pattern},
            {"webhook_url", webhook_url},
            {"wake_stream", wake_stream},
            {"description", description},
            {"lease_ttl_ms", lease_ttl_ms},
            {"created_ms", created_ms},
            {"settings", settings},
            {"streams", links},
            {"generation", generation},
            {"wake_id", wake_id},
            {"trigger", trigger},
            {"snapshot", snapshot},
            {"holder", holder},
            {"lease_until_ms", lease_until_ms},
            {"failing", failing},
            {"retry_count", retry_count},
            {"next_attempt_ms", next_attempt_ms}};
  }

  static Result<Subscription> FromJson(const std::string& text) {
    json state = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!state.is_object()) return Internal("a stored subscription is not JSON");
    try {
      Subscription s;
      s.id = state.at("id").get<std::string>();
      s.type = state.at("type").get<std::string>();
      s.pattern = state.at("pattern").get<std::string>();
      s.webhook_url = state.at("webhook_url").get<std::string>();
      s.wake_stream = state.at("wake_stream").get<std::string>();
      s.description = state.at("description").get<std::string>();
      s.lease_ttl_ms = state.at("lease_ttl_ms").get<int64_t>();
      s.created_ms = state.at("created_ms").get<int64_t>();
      s.settings = state.at("settings").get<std::string>();
      for (const json& link : state.at("streams")) {
        s.streams[link.at("path").get<std::string>()] =
            Link{link.at("explicit").get<bool>(), link.at("glob").get<bool>(),
                 link.at("acked").get<int64_t>()};
      }
      s.generation = state.at("generation").get<int64_t>();
      s.wake_id = state.at("wake_id").get<std::string>();
      s.trigger = state.at("trigger").get<std::string>();
      s.snapshot = state.at("snapshot").get<std::map<std::string, int64_t>>();
      s.holder = state.at("holder").get<std::string>();
      s.lease_until_ms = state.at("lease_until_ms").get<int64_t>();
      s.failing = state.at("failing").get<bool>();
      s.retry_count = state.at("retry_count").get<int>();
      s.next_attempt_ms = state.at("next_attempt_ms").get<int64_t>();
      return s;
    } catch (const json::exception& e) {
      return Internal(std::string("a stored subscription is malformed: ") + e.what());
    }
  }
};

// ---- free functions

Result<bool> CheckWebhookUrl(const std::string& url) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    return InvalidArgument("WEBHOOK_URL_REJECTED", "webhook.url must be a valid URL");
  }
  const std::string host = Poco::toLower(uri.getHost());
  if (host.empty()) {
    return InvalidArgument("WEBHOOK_URL_REJECTED", "webhook.url must be a valid URL");
  }
  if (uri.getScheme() == "http") {
    if (IsLocalDevHost(host)) return true;
    return InvalidArgument("WEBHOOK_URL_REJECTED",
                           "http webhook URLs are only allowed for localhost or 127.0.0.x");
  }
  if (uri.getScheme() != "https") {
    return InvalidArgument("WEBHOOK_URL_REJECTED", "webhook.url must use https");
  }
  Poco::Net::IPAddress address;
  if (host == "localhost" ||
      (Poco::Net::IPAddress::tryParse(host, address) && IsInternalAddress(address))) {
    return InvalidArgument("WEBHOOK_URL_REJECTED",
                           "webhook.url must not target private, loopback or link-local hosts");
  }
  return true;
}

bool GlobMatch(const std::string& pattern, const std::string& path) {
  return MatchSegments(Segments(pattern), 0, Segments(path), 0);
}

// ---- service

void SubscriptionService::SetPublicUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::lock_guard<std::mutex> lock(mu_);
  public_url_ = std::move(url);
}

std::string SubscriptionService::ControlUrl(const std::string& rest) const {
  return public_url_ + kStreamRoot + kReserved + "/" + rest;
}

SubscriptionService::SubscriptionService(store::Store& store, SubscriptionOptions options)
    : store_(store), options_(std::move(options)) {}

SubscriptionService::~SubscriptionService() { Stop(); }

Status SubscriptionService::Start() {
  Result<std::string> seed = store_.HostSecret("webhook_ed25519_seed", RandomBytes(32));
  if (!seed.ok()) return seed.status();
  Result<std::unique_ptr<WebhookSigner>> signer = WebhookSigner::FromSeed(*seed);
  if (!signer.ok()) return signer.status();
  signer_ = std::move(signer).value();
  Result<std::string> token_key = store_.HostSecret("wake_token_hmac_key", RandomBytes(32));
  if (!token_key.ok()) return token_key.status();
  tokens_ = std::make_unique<WakeTokens>(*token_key);

  Result<std::vector<store::StoredSubscription>> stored = store_.ListSubscriptions();
  if (!stored.ok()) return stored.status();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const store::StoredSubscription& row : *stored) {
      Result<Subscription> subscription = Subscription::FromJson(row.state);
      if (!subscription.ok()) return subscription.status();
      auto owned = std::make_unique<Subscription>(std::move(subscription).value());
      // Streams its pattern matches that were made while the host was down
      // (or whose change it had not seen yet), then any data not woken for.
      Subscription next = *owned;
      LinkMatching(next, /*up_to_now=*/false);
      if (next.wake_id.empty()) WakeIfPending(next, "");
      SCRIBE_RETURN_IF_ERROR(Replace(*owned, std::move(next)));
      subscriptions_[row.id] = std::move(owned);
    }
    count_.store(subscriptions_.size());
  }
  timer_thread_ = std::thread([this] { Loop(); });
  for (int i = 0; i < options_.delivery_threads; ++i) {
    delivery_threads_.emplace_back([this] { DeliveryLoop(); });
  }
  return Status::Ok();
}

void SubscriptionService::Stop() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  delivery_cv_.notify_all();
  if (timer_thread_.joinable()) timer_thread_.join();
  for (std::thread& thread : delivery_threads_) thread.join();
  delivery_threads_.clear();
}

// ---- state helpers (mu_ held)

Status SubscriptionService::Save(const Subscription& subscription) {
  return store_.PutSubscription(
      store::StoredSubscription{subscription.id, subscription.ToJson().dump()});
}

int64_t SubscriptionService::Tail(const std::string& path) {
  Result<store::StreamInfo> info = store_.GetStream(kStreamRoot + path);
  return info.ok() ? info->tail : 0;
}

json SubscriptionService::StreamInfos(const Subscription& subscription) {
  json infos = json::array();
  for (const auto& [path, link] : subscription.streams) {
    int64_t tail = Tail(path);
    infos.push_back({{"path", path},
                     {"link_type", link.by_name ? "explicit" : "glob"},
                     {"acked_offset", OffsetToken(link.acked)},
                     {"tail_offset", OffsetToken(tail)},
                     {"has_pending", tail > std::max<int64_t>(link.acked, 0)}});
  }
  return infos;
}

bool SubscriptionService::HasPending(const Subscription& subscription) {
  for (const auto& [path, link] : subscription.streams) {
    if (Tail(path) > std::max<int64_t>(link.acked, 0)) return true;
  }
  return false;
}

json SubscriptionService::Describe(const Subscription& subscription) {
  json described = {{"id", subscription.id},
                    {"subscription_id", subscription.id},
                    {"type", subscription.type},
                    {"streams", StreamInfos(subscription)},
                    {"lease_ttl_ms", subscription.lease_ttl_ms},
                    {"created_at", FormatRfc3339(subscription.created_ms)},
                    {"status", subscription.failing ? "failed" : "active"},
                    {"generation", subscription.generation}};
  if (!subscription.pattern.empty()) described["pattern"] = subscription.pattern;
  if (!subscription.description.empty()) described["description"] = subscription.description;
  if (!subscription.wake_stream.empty()) described["wake_stream"] = subscription.wake_stream;
  if (subscription.webhook()) {
    described["webhook"] = {
        {"url", subscription.webhook_url},
        {"signing",
         {{"alg", "ed25519"}, {"kid", signer_->kid()}, {"jwks_url", ControlUrl("jwks.json")}}}};
  }
  return described;
}

Result<SubscriptionService::Subscription*> SubscriptionService::Find(const std::string& id,
                                                                     const std::string& type) {
  auto it = subscriptions_.find(id);
  if (it == subscriptions_.end()) return NotFoundError();
  if (!type.empty() && it->second->type != type) return Invalid("Subscription is not " + type);
  return it->second.get();
}

Status SubscriptionService::Replace(Subscription& current, Subscription next) {
  SCRIBE_RETURN_IF_ERROR(Save(next));
  const bool new_wake = next.generation != current.generation;
  current = std::move(next);
  if (new_wake && !current.webhook() && current.holder.empty()) AnnounceWake(current);
  return Status::Ok();
}

bool SubscriptionService::ReplaceOrLog(Subscription& current, Subscription next) {
  Status replaced = Replace(current, std::move(next));
  if (!replaced.ok()) {
    Log(LogLevel::kWarning, "subscriptions",
        "subscription " + current.id + " could not be saved: " + replaced.ToString());
  }
  return replaced.ok();
}

// A new wake for whatever is unacknowledged now: a webhook delivery falls
// due; a pull-wake's event is appended once the wake is saved (Replace).
void SubscriptionService::MakeWake(Subscription& subscription, const std::string& trigger) {
  subscription.generation += 1;
  subscription.wake_id = "w_" + Base64Url(RandomBytes(12));
  subscription.trigger = trigger;
  subscription.snapshot.clear();
  for (const auto& [path, link] : subscription.streams) subscription.snapshot[path] = Tail(path);
  subscription.holder.clear();
  subscription.lease_until_ms = 0;
  // A failing receiver keeps its backoff; a healthy one is called now.
  if (subscription.webhook() && (!subscription.failing || subscription.next_attempt_ms == 0)) {
    subscription.next_attempt_ms = NowMillis();
  }
}

// Tells a pull-wake's workers of its new, unclaimed wake: an event on its
// wake stream. Only a hint (a claim answers with the current wake whatever
// the events say), so a failure is logged, not retried.
void SubscriptionService::AnnounceWake(const Subscription& subscription) {
  store::StreamAppend append;
  append.path = kStreamRoot + subscription.wake_stream;
  append.content_type = "application/json";
  json event = {{"type", "wake"},
                {"subscription_id", subscription.id},
                {"wake_id", subscription.wake_id},
                {"stream", subscription.trigger},
                {"generation", subscription.generation},
                {"ts", NowMillis()}};
  Result<std::string> message = stream::JsonMessagesFromBody(event.dump(), false);
  Status appended = message.status();
  if (appended.ok()) {
    append.data = std::move(message).value();
    store::StreamAppendResult result;
    appended = store_.AppendStream(append, result);
  }
  if (!appended.ok()) {
    Log(LogLevel::kWarning, "subscriptions",
        "subscription " + subscription.id + ": the wake event could not be appended to " +
            append.path + ": " + appended.ToString());
  }
}

bool SubscriptionService::WakeIfPending(Subscription& subscription, const std::string& trigger) {
  std::string first;
  for (const auto& [path, link] : subscription.streams) {
    if (Tail(path) > std::max<int64_t>(link.acked, 0)) {
      first = path;
      break;
    }
  }
  if (first.empty()) return false;
  MakeWake(subscription, trigger.empty() ? first : trigger);
  return true;
}

void SubscriptionService::EndWake(Subscription& subscription) {
  subscription.wake_id.clear();
  subscription.snapshot.clear();
  subscription.holder.clear();
  subscription.lease_until_ms = 0;
  subscription.next_attempt_ms = 0;
}

Status SubscriptionService::CheckToken(const Subscription& subscription, const std::string& token,
                                       const json& body) {
  Result<int64_t> generation =
      tokens_->Verify(token, "subscription:" + subscription.id, NowMillis() / 1000);
  if (!generation.ok()) return generation.status();
  const bool current = *generation == subscription.generation && !subscription.wake_id.empty() &&
                       body.value("generation", json()) == json(subscription.generation) &&
                       body.value("wake_id", json()) == json(subscription.wake_id);
  if (!current) return Conflicted("FENCED", "Wake generation is stale");
  return Status::Ok();
}

Status SubscriptionService::ApplyAcks(Subscription& subscription, const json& body) {
  if (!body.contains("acks")) return Status::Ok();
  const json& acks = body["acks"];
  if (!acks.is_array()) return Invalid("acks must be an array");
  std::vector<std::pair<std::string, int64_t>> accepted;
  for (const json& ack : acks) {
    if (!ack.is_object()) return Invalid("each ack must be an object");
    json name = ack.contains("stream") ? ack["stream"] : ack.value("path", json());
    if (!name.is_string() || !ack.contains("offset") || !ack["offset"].is_string()) {
      return Invalid("each ack needs stream and offset strings");
    }
    std::string path = Normalize(name.get<std::string>());
    auto link = subscription.streams.find(path);
    if (path.empty() || link == subscription.streams.end()) {
      return Conflicted("INVALID_OFFSET", "Ack references an unknown subscription stream");
    }
    Result<int64_t> offset = stream::ParseStreamOffset(ack["offset"].get<std::string>());
    if (!offset.ok()) return Conflicted("INVALID_OFFSET", "Ack offset is not an offset");
    if (*offset < link->second.acked) {
      return Conflicted("INVALID_OFFSET", "Ack offset regresses the committed cursor");
    }
    if (*offset > Tail(path))
      return Conflicted("INVALID_OFFSET", "Ack offset is beyond stream tail");
    accepted.emplace_back(path, *offset);
  }
  for (const auto& [path, offset] : accepted) subscription.streams[path].acked = offset;
  return Status::Ok();
}

// Acknowledges for a webhook callback or a pull-wake ack: offsets, then the
// lease renewed, or the wake finished (and the next made if there is more).
Result<json> SubscriptionService::Acknowledge(const std::string& id, const std::string& type,
                                              const std::string& token, const json& body) {
  if (!body.is_object()) return Invalid("Request body must be a JSON object");
  std::lock_guard<std::mutex> lock(mu_);
  Result<Subscription*> subscription = Find(id, type);
  if (!subscription.ok()) return subscription.status();
  SCRIBE_RETURN_IF_ERROR(CheckToken(**subscription, token, body));
  Subscription next = **subscription;
  SCRIBE_RETURN_IF_ERROR(ApplyAcks(next, body));
  bool next_wake = false;
  if (body.value("done", json()) == json(true)) {
    EndWake(next);
    next_wake = WakeIfPending(next, "");
  } else {
    next.lease_until_ms = NowMillis() + next.lease_ttl_ms;
  }
  SCRIBE_RETURN_IF_ERROR(Replace(**subscription, std::move(next)));
  Poke();
  return json{{"ok", true}, {"next_wake", next_wake}};
}

// Links the streams its pattern matches that it does not follow yet: as
// acknowledged up to their tails when `up_to_now`, else from their start.
void SubscriptionService::LinkMatching(Subscription& subscription, bool up_to_now) {
  if (subscription.pattern.empty()) return;
  Result<std::vector<std::string>> paths =
      store_.ListStreamPaths(kStreamRoot + LiteralPrefix(subscription.pattern));
  if (!paths.ok()) {
    Log(LogLevel::kWarning, "subscriptions",
        "listing streams failed: " + paths.status().ToString());
    return;
  }
  for (const std::string& absolute : *paths) {
    std::string path = Relative(absolute);
    if (path.empty() || path == subscription.wake_stream) continue;
    if (!GlobMatch(subscription.pattern, path)) continue;
    auto [link, added] = subscription.streams.try_emplace(path);
    if (added) link->second.acked = up_to_now ? Tail(path) : kBeforeFirst;
    link->second.by_pattern = true;
  }
}

// ---- the API

Result<SubscriptionService::Put> SubscriptionService::Create(const std::string& id,
                                                             const json& body) {
  if (id.empty() || id.size() > 256) return Invalid("the subscription id must have 1 to 256 bytes");
  if (!body.is_object()) return Invalid("Request body must be a JSON object");
  Subscription wanted;
  wanted.id = id;
  wanted.type = body.value("type", json()).is_string() ? body["type"].get<std::string>() : "";
  if (wanted.type != "webhook" && wanted.type != "pull-wake") {
    return Invalid("type must be \"webhook\" or \"pull-wake\"");
  }
  if (body.contains("pattern") && !body["pattern"].is_null()) {
    if (!body["pattern"].is_string()) return Invalid("pattern must be a string");
    wanted.pattern = Normalize(body["pattern"].get<std::string>());
  }
  std::set<std::string> named;
  if (body.contains("streams") && !body["streams"].is_null()) {
    if (!body["streams"].is_array() || body["streams"].size() > kMaxStreamsPerCall) {
      return Invalid("streams must be an array of at most 10000 paths");
    }
    for (const json& path : body["streams"]) {
      if (!path.is_string() || Normalize(path.get<std::string>()).empty()) {
        return Invalid("streams must contain only non-empty strings");
      }
      named.insert(Normalize(path.get<std::string>()));
    }
  }
  if (wanted.pattern.empty() && named.empty()) {
    return Invalid("At least one of pattern or streams is required");
  }
  if (body.contains("lease_ttl_ms")) {
    const json& lease = body["lease_ttl_ms"];
    if (!lease.is_number_integer() || lease.get<int64_t>() < kMinLeaseMs ||
        lease.get<int64_t>() > kMaxLeaseMs) {
      return Invalid("lease_ttl_ms must be an integer from 1000 to 600000");
    }
    wanted.lease_ttl_ms = lease.get<int64_t>();
  }
  if (wanted.webhook()) {
    const json webhook = body.value("webhook", json());
    if (!webhook.is_object() || !webhook.value("url", json()).is_string() ||
        webhook["url"].get<std::string>().empty()) {
      return Invalid("webhook subscriptions require webhook.url");
    }
    wanted.webhook_url = webhook["url"].get<std::string>();
  }
  if (body.value("wake_stream", json()).is_string()) {
    wanted.wake_stream = Normalize(body["wake_stream"].get<std::string>());
  }
  if (wanted.type == "pull-wake" && wanted.wake_stream.empty()) {
    return Invalid("pull-wake subscriptions require wake_stream");
  }
  if (body.value("description", json()).is_string()) {
    wanted.description = body["description"].get<std::string>();
  }
  wanted.settings = json{{"type", wanted.type},
                         {"pattern", wanted.pattern},
                         {"streams", named},
                         {"webhook", wanted.webhook_url},
                         {"wake_stream", wanted.wake_stream},
                         {"lease_ttl_ms", wanted.lease_ttl_ms},
                         {"description", wanted.description}}
                        .dump();

  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = subscriptions_.find(id); it != subscriptions_.end()) {
    if (it->second->settings != wanted.settings) {
      return Conflicted("SUBSCRIPTION_ALREADY_EXISTS",
                        "Subscription already exists with different configuration");
    }
    return Put{Describe(*it->second), false};
  }
  if (wanted.webhook()) {
    Result<bool> safe = CheckWebhookUrl(wanted.webhook_url);
    if (!safe.ok()) return safe.status();
  }
  wanted.created_ms = NowMillis();
  // What exists now is acknowledged as of now: a subscription wakes for
  // data that arrives after it. Changes are queued from before the tails
  // are read, so data committed meanwhile still wakes it.
  count_.store(subscriptions_.size() + 1);
  for (const std::string& path : named) wanted.streams[path] = {true, false, Tail(path)};
  LinkMatching(wanted, /*up_to_now=*/true);
  Status saved = Save(wanted);
  if (saved.ok()) {
    auto owned = std::make_unique<Subscription>(std::move(wanted));
    Put put{Describe(*owned), true};
    subscriptions_[id] = std::move(owned);
    count_.store(subscriptions_.size());
    return put;
  }
  count_.store(subscriptions_.size());
  return saved;
}

Result<json> SubscriptionService::Get(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<Subscription*> subscription = Find(id);
  if (!subscription.ok()) return subscription.status();
  return Describe(**subscription);
}

Status SubscriptionService::Delete(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  SCRIBE_RETURN_IF_ERROR(store_.DeleteSubscription(id));
  subscriptions_.erase(id);
  count_.store(subscriptions_.size());
  return Status::Ok();
}

Status SubscriptionService::AddStreams(const std::string& id, const json& body) {
  const json streams = body.is_object() ? body.value("streams", json()) : json();
  if (!streams.is_array() || streams.empty() || streams.size() > kMaxStreamsPerCall) {
    return Invalid("streams must be a non-empty string array");
  }
  for (const json& path : streams) {
    if (!path.is_string() || Normalize(path.get<std::string>()).empty()) {
      return Invalid("streams must be a non-empty string array");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  Result<Subscription*> subscription = Find(id);
  if (!subscription.ok()) return subscription.status();
  Subscription next = **subscription;
  for (const json& path : streams) {
    std::string normalized = Normalize(path.get<std::string>());
    auto [link, added] = next.streams.try_emplace(normalized);
    if (added) link->second.acked = Tail(normalized);
    link->second.by_name = true;
  }
  return Replace(**subscription, std::move(next));
}

Status SubscriptionService::RemoveStream(const std::string& id, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<Subscription*> subscription = Find(id);
  if (!subscription.ok()) return subscription.status();
  Subscription next = **subscription;
  auto link = next.streams.find(Normalize(path));
  if (link == next.streams.end() || !link->second.by_name) return Status::Ok();
  link->second.by_name = false;
  if (!link->second.by_pattern) next.streams.erase(link);
  return Replace(**subscription, std::move(next));
}

Result<json> SubscriptionService::Callback(const std::string& id, const std::string& token,
                                           const json& body) {
  return Acknowledge(id, "webhook", token, body);
}

Result<SubscriptionService::Claimed> SubscriptionService::Claim(const std::string& id,
                                                                const json& body) {
  const json worker = body.is_object() ? body.value("worker", json()) : json();
  if (!worker.is_string() || worker.get<std::string>().empty()) {
    return Invalid("worker must be a non-empty string");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Result<Subscription*> found = Find(id, "pull-wake");
  if (!found.ok()) return found.status();
  Subscription* subscription = *found;
  if (!subscription->holder.empty() && subscription->lease_until_ms > NowMillis()) {
    return Claimed{json(), subscription->holder, subscription->generation};
  }
  Subscription next = *subscription;
  if (!next.holder.empty()) EndWake(next);  // its lease ran out
  if (!HasPending(next)) return Conflicted("NO_PENDING_WORK", "Subscription has no pending work");
  if (next.wake_id.empty()) MakeWake(next, "");
  next.holder = worker.get<std::string>();
  next.lease_until_ms = NowMillis() + next.lease_ttl_ms;
  SCRIBE_RETURN_IF_ERROR(Replace(*subscription, std::move(next)));
  Poke();
  std::string token = tokens_->Issue("subscription:" + id, subscription->generation,
                                     NowMillis() / 1000, kTokenTtlSeconds);
  return Claimed{json{{"wake_id", subscription->wake_id},
                      {"generation", subscription->generation},
                      {"token", token},
                      {"streams", StreamInfos(*subscription)},
                      {"lease_ttl_ms", subscription->lease_ttl_ms}},
                 "", subscription->generation};
}

Result<json> SubscriptionService::Ack(const std::string& id, const std::string& token,
                                      const json& body) {
  return Acknowledge(id, "pull-wake", token, body);
}

Status SubscriptionService::Release(const std::string& id, const std::string& token,
                                    const json& body) {
  if (!body.is_object()) return Invalid("Request body must be a JSON object");
  std::lock_guard<std::mutex> lock(mu_);
  Result<Subscription*> subscription = Find(id, "pull-wake");
  if (!subscription.ok()) return subscription.status();
  SCRIBE_RETURN_IF_ERROR(CheckToken(**subscription, token, body));
  Subscription next = **subscription;
  EndWake(next);
  WakeIfPending(next, "");
  return Replace(**subscription, std::move(next));
}

json SubscriptionService::Jwks() const { return signer_->Jwks(); }

// ---- stream changes and timers

void SubscriptionService::OnCommitted(const std::vector<store::CommittedChange>& changes) {
  if (count_.load(std::memory_order_relaxed) == 0) return;
  bool any = false;
  std::lock_guard<std::mutex> lock(queue_mu_);
  for (const store::CommittedChange& change : changes) {
    if (!change.stream || (change.text.empty() && !change.stream->gone)) continue;
    std::string path = Relative(change.stream->path);
    if (path.empty()) continue;
    events_.push_back(Event{std::move(path), change.stream->gone});
    any = true;
  }
  if (any) queue_cv_.notify_one();
}

void SubscriptionService::OnStreamEvent(const Event& event) {
  for (auto& [id, owned] : subscriptions_) {
    Subscription& subscription = *owned;
    const bool linked = subscription.streams.count(event.path) != 0;
    Subscription next;
    if (event.gone) {
      if (!linked) continue;
      next = subscription;
      next.streams.erase(event.path);
    } else {
      const bool new_match = !linked && !subscription.pattern.empty() &&
                             event.path != subscription.wake_stream &&
                             GlobMatch(subscription.pattern, event.path);
      const bool idle = subscription.wake_id.empty() && subscription.holder.empty();
      // Data while a wake is outstanding waits for that wake to end.
      if (!new_match && !(linked && idle)) continue;
      next = subscription;
      if (new_match) next.streams[event.path].by_pattern = true;  // from its start
      const bool woke = idle && WakeIfPending(next, event.path);
      if (!new_match && !woke) continue;
    }
    ReplaceOrLog(subscription, std::move(next));
  }
}

// Ends leases that ran out (and wakes again), queues webhook deliveries that
// are due; returns when the next timer falls due.
std::chrono::steady_clock::time_point SubscriptionService::RunTimers() {
  const int64_t now = NowMillis();
  int64_t next_due = now + 60000;
  for (auto& [id, owned] : subscriptions_) {
    Subscription& subscription = *owned;
    if (subscription.lease_until_ms != 0 && subscription.lease_until_ms <= now) {
      Subscription next = subscription;
      EndWake(next);
      WakeIfPending(next, "");
      ReplaceOrLog(subscription, std::move(next));
    }
    if (subscription.lease_until_ms != 0)
      next_due = std::min(next_due, subscription.lease_until_ms);
    if (!subscription.webhook() || subscription.wake_id.empty() ||
        subscription.next_attempt_ms == 0 || subscription.delivering) {
      continue;
    }
    if (subscription.next_attempt_ms > now) {
      next_due = std::min(next_due, subscription.next_attempt_ms);
      continue;
    }
    json body = {
        {"subscription_id", subscription.id},
        {"wake_id", subscription.wake_id},
        {"generation", subscription.generation},
        {"streams", StreamInfos(subscription)},
        {"callback_url", ControlUrl("subscriptions/" + Escaped(subscription.id) + "/callback")},
        {"callback_token", tokens_->Issue("subscription:" + subscription.id,
                                          subscription.generation, now / 1000, kTokenTtlSeconds)}};
    subscription.delivering = true;
    std::lock_guard<std::mutex> lock(queue_mu_);
    deliveries_.push_back(
        Delivery{subscription.id, subscription.wake_id, subscription.webhook_url, body.dump()});
    delivery_cv_.notify_one();
  }
  return std::chrono::steady_clock::now() +
         std::chrono::milliseconds(std::max<int64_t>(next_due - now, 10));
}

void SubscriptionService::Poke() {
  std::lock_guard<std::mutex> lock(queue_mu_);
  poked_ = true;
  queue_cv_.notify_one();
}

void SubscriptionService::Loop() {
  auto due = std::chrono::steady_clock::now();
  for (;;) {
    std::vector<Event> events;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait_until(lock, due, [this] { return stopping_ || poked_ || !events_.empty(); });
      if (stopping_) return;
      events.swap(events_);
      poked_ = false;
    }
    // A busy stream's many appends of one batch are one event.
    std::map<std::string, bool> last_gone;
    std::lock_guard<std::mutex> lock(mu_);
    for (const Event& event : events) {
      auto [last, first] = last_gone.try_emplace(event.path, event.gone);
      if (!first && last->second == event.gone) continue;
      last->second = event.gone;
      OnStreamEvent(event);
    }
    due = RunTimers();
  }
}

void SubscriptionService::DeliveryLoop() {
  for (;;) {
    Delivery delivery;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      delivery_cv_.wait(lock, [this] { return stopping_ || !deliveries_.empty(); });
      if (stopping_) return;
      delivery = std::move(deliveries_.front());
      deliveries_.pop_front();
    }
    Deliver(delivery);
  }
}

// POSTs the signed notification; a 2xx answer delivered it, and an answer
// {"done": true} also acknowledged everything the wake was made for.
void SubscriptionService::Deliver(const Delivery& delivery) {
  bool ok = false;
  bool done = false;
  std::string failure;
  try {
    Poco::URI uri(delivery.url);
    if (!IsLocalDevHost(Poco::toLower(uri.getHost()))) {
      // Checked again at each delivery: a name may have come to point inside.
      const Poco::Net::HostEntry host = Poco::Net::DNS::hostByName(uri.getHost());
      for (const Poco::Net::IPAddress& address : host.addresses()) {
        if (IsInternalAddress(address)) {
          throw Poco::Net::NetException(uri.getHost() + " resolves to an internal address");
        }
      }
    }
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") {
      // The system's CAs, and the certificate must name the host.
      static const Poco::Net::Context::Ptr kTls = new Poco::Net::Context(
          Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9,
          /*loadDefaultCAs=*/true);
      session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), kTls);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    session->setTimeout(Poco::Timespan(options_.webhook_timeout.count() * 1000));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(delivery.body.size()));
    request.set("Webhook-Signature", signer_->Sign(delivery.body, NowMillis() / 1000));
    request.set("User-Agent", "scribe-subscriptions");
    session->sendRequest(request) << delivery.body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    std::string answer;
    Poco::StreamCopier::copyToString(in, answer, 1 << 16);
    ok = response.getStatus() >= 200 && response.getStatus() < 300;
    if (!ok) failure = "HTTP " + std::to_string(response.getStatus());
    json parsed = json::parse(answer, nullptr, /*allow_exceptions=*/false);
    done = ok && parsed.is_object() && parsed.value("done", json()) == json(true);
  } catch (const Poco::Exception& e) {
    failure = e.displayText();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!ok) {
    Log(LogLevel::kWarning, "subscriptions",
        "webhook of subscription " + delivery.id + " to " + delivery.url + " failed: " + failure);
  }
  Delivered(delivery, ok, done);
}

void SubscriptionService::Delivered(const Delivery& delivery, bool ok, bool done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = subscriptions_.find(delivery.id);
    if (it == subscriptions_.end()) return;
    Subscription& subscription = *it->second;
    subscription.delivering = false;
    if (subscription.wake_id != delivery.wake_id) return;  // a newer wake replaced it
    Subscription next = subscription;
    const int64_t now = NowMillis();
    if (!ok) {
      next.failing = true;
      next.retry_count += 1;
      next.next_attempt_ms = now + RetryDelayMs(next.retry_count);
    } else {
      next.failing = false;
      next.retry_count = 0;
      next.next_attempt_ms = 0;
      next.lease_until_ms = now + next.lease_ttl_ms;
      if (done) {
        for (const auto& [path, tail] : next.snapshot) {
          if (auto link = next.streams.find(path); link != next.streams.end()) {
            link->second.acked = std::max(link->second.acked, tail);
          }
        }
        EndWake(next);
        WakeIfPending(next, "");
      }
    }
    if (!ReplaceOrLog(subscription, std::move(next))) return;
  }
  Poke();
}

}  // namespace scribe::streams
