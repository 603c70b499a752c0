// Helpers every network provider plugin needs in the same form: settings
// from the host, a shared TLS context, the mapping of transport failures to
// error classes, and the read-parse loop over a streaming response.
#ifndef SCRIBE_PLUGINS_COMMON_PROVIDER_SUPPORT_H_
#define SCRIBE_PLUGINS_COMMON_PROVIDER_SUPPORT_H_

#include <functional>
#include <mutex>
#include <string>

#include "http_stream.h"
#include "scribe/provider_cpp.h"
#include "sse_parser.h"

namespace scribe::plugin_common {

// A positive integer setting, or `fallback` (with a warning if malformed).
int IntSetting(const sdk::Host& host, const std::string& name, int fallback);

// Reads the connect/first-byte/idle timeouts from PREFIX_CONNECT_TIMEOUT_MS,
// PREFIX_FIRST_BYTE_TIMEOUT_MS and PREFIX_IDLE_TIMEOUT_MS.
Timeouts TimeoutSettings(const sdk::Host& host, const std::string& prefix);

// Model ids go into URLs and JSON: letters, digits and - . _ : / only.
bool ValidModelId(const std::string& id);

// One TLS client context per plugin, made on first use.
class TlsContexts {
 public:
  explicit TlsContexts(std::string ca_file) : ca_file_(std::move(ca_file)) {}
  Poco::Net::Context::Ptr For(const Url& url);

 private:
  std::string ca_file_;
  std::mutex mu_;
  Poco::Net::Context::Ptr context_;  // guarded by mu_
};

// Records a transport failure on the generation and returns the generate
// status: cancel stays a cancel, timeouts are SCRIBE_ERROR_TIMEOUT, a
// connection lost mid-stream is SCRIBE_ERROR_TRUNCATED, the rest
// SCRIBE_ERROR_UNAVAILABLE.
int32_t FailTransport(const sdk::Generation& generation, const HttpStream& stream,
                      HttpStream::Outcome outcome, bool streaming, const std::string& provider);

// How ReadEvents() ended.
enum class StreamEnd {
  kEnded,      // the response body ended
  kStopped,    // on_event returned false
  kTransport,  // a read failed: see `outcome`
  kOversized,  // an event grew past the parser's cap
};

// Reads the response body and feeds it through an SSE parser, calling
// `on_event` for each event until it returns false or the body ends.
StreamEnd ReadEvents(HttpStream& stream, const std::function<bool(const SseEvent&)>& on_event,
                     HttpStream::Outcome& outcome);

}  // namespace scribe::plugin_common

#endif  // SCRIBE_PLUGINS_COMMON_PROVIDER_SUPPORT_H_
