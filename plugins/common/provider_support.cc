#include "provider_support.h"

#include <algorithm>

namespace scribe::plugin_common {

int IntSetting(const sdk::Host& host, const std::string& name, int fallback) {
  std::optional<std::string> value = host.Config(name);
  if (!value) return fallback;
  try {
    size_t used = 0;
    int parsed = std::stoi(*value, &used);
    if (used == value->size() && parsed > 0) return parsed;
  } catch (...) {
  }
  host.Log(SCRIBE_LOG_WARNING, name + " is not a positive number; using the default");
  return fallback;
}

Timeouts TimeoutSettings(const sdk::Host& host, const std::string& prefix) {
  Timeouts timeouts;
  timeouts.connect_ms = IntSetting(host, prefix + "_CONNECT_TIMEOUT_MS", timeouts.connect_ms);
  timeouts.first_byte_ms =
      IntSetting(host, prefix + "_FIRST_BYTE_TIMEOUT_MS", timeouts.first_byte_ms);
  timeouts.idle_ms = IntSetting(host, prefix + "_IDLE_TIMEOUT_MS", timeouts.idle_ms);
  return timeouts;
}

bool ValidModelId(const std::string& id) {
  if (id.empty() || id.size() > 200) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == ':' || c == '/';
  });
}

Poco::Net::Context::Ptr TlsContexts::For(const Url& url) {
  if (url.scheme != "https") return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (!context_) context_ = ClientTlsContext(ca_file_);
  return context_;
}

int32_t FailTransport(const sdk::Generation& generation, const HttpStream& stream,
                      HttpStream::Outcome outcome, bool streaming, const std::string& provider) {
  switch (outcome) {
    case HttpStream::Outcome::kCancelled:
      return SCRIBE_GENERATE_CANCELLED;
    case HttpStream::Outcome::kConnectTimeout:
    case HttpStream::Outcome::kFirstByteTimeout:
    case HttpStream::Outcome::kIdleTimeout:
      return generation.Fail(SCRIBE_ERROR_TIMEOUT, "timeout", stream.error());
    case HttpStream::Outcome::kBroken:
      if (streaming) {
        return generation.Fail(
            SCRIBE_ERROR_TRUNCATED, "connection_lost",
            "the connection to " + provider + " broke mid-stream: " + stream.error());
      }
      return generation.Fail(SCRIBE_ERROR_UNAVAILABLE, "connection_lost", stream.error());
    default:
      return generation.Fail(SCRIBE_ERROR_UNAVAILABLE, "connect_failed", stream.error());
  }
}

StreamEnd ReadEvents(HttpStream& stream, const std::function<bool(const SseEvent&)>& on_event,
                     HttpStream::Outcome& outcome) {
  SseParser parser;
  for (;;) {
    std::string piece;
    bool end = false;
    outcome = stream.Read(piece, end);
    if (outcome != HttpStream::Outcome::kOk) return StreamEnd::kTransport;
    if (end) return StreamEnd::kEnded;
    if (!parser.Feed(piece, on_event)) {
      return parser.overflowed() ? StreamEnd::kOversized : StreamEnd::kStopped;
    }
  }
}

}  // namespace scribe::plugin_common
