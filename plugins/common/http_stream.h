// HttpStream: one streaming HTTP/1.1 request to a provider, over plain TCP
// or TLS (Poco NetSSL, the system CA store or a given CA file), with the
// controls a long generation needs that a plain HTTP client lacks:
//   - separate connect, first-byte and between-reads (idle) timeouts;
//   - cancellation polled every 100 ms, so cancel closes the upstream
//     connection well within a second;
//   - the body handed over as it arrives (chunked or not), never buffered.
//
// Thread safety: one stream per generation, used by the generating thread.
#ifndef SCRIBE_PLUGINS_COMMON_HTTP_STREAM_H_
#define SCRIBE_PLUGINS_COMMON_HTTP_STREAM_H_

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace scribe::plugin_common {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;
  std::string path;  // without a trailing '/'
};
// Parses "https://host[:port][/base]"; false when it is not such a URL.
bool ParseUrl(const std::string& text, Url& url);

struct Timeouts {
  int connect_ms = 10'000;
  int first_byte_ms = 180'000;  // thinking models are silent for a minute or more
  int idle_ms = 60'000;
};

class HttpStream {
 public:
  enum class Outcome {
    kOk,
    kConnectFailed,  // DNS, refused, TLS handshake or certificate
    kConnectTimeout,
    kFirstByteTimeout,
    kIdleTimeout,
    kCancelled,
    kBroken,  // the connection failed mid-response, or bad HTTP
  };

  // `tls` is required for https URLs. `cancelled` is polled while waiting.
  HttpStream(Url url, Poco::Net::Context::Ptr tls, Timeouts timeouts,
             std::function<bool()> cancelled);
  ~HttpStream();

  // Connects, sends the request and reads the response head.
  Outcome Open(const std::string& method, const std::string& path_and_query,
               const std::map<std::string, std::string>& headers, const std::string& body);
  int status() const { return status_; }
  // Response header by lower-case name ("" if absent).
  std::string Header(const std::string& lower_name) const;

  // Reads the next piece of the body into `out` (replacing it). Returns kOk
  // with data, kOk with `end` set at the end of the body, or a failure.
  Outcome Read(std::string& out, bool& end);
  // Reads the whole (small) body of an error response, up to `max` bytes.
  Outcome ReadAll(std::string& out, size_t max = 1 << 20);
  // A description of the last failure, for logs and error messages.
  const std::string& error() const { return error_; }

 private:
  // Raw bytes from the socket into buffer_; waits in 100 ms steps.
  Outcome Fill(int timeout_ms);

  Url url_;
  Poco::Net::Context::Ptr tls_;
  Timeouts timeouts_;
  std::function<bool()> cancelled_;
  std::unique_ptr<Poco::Net::StreamSocket> socket_;
  std::string buffer_;  // received, not yet consumed
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  bool chunked_ = false;
  long long remaining_ = -1;  // Content-Length left, -1: until close
  long long chunk_left_ = 0;  // bytes left in the current chunk
  bool after_chunk_ = false;  // a chunk's closing CRLF is still to come
  bool body_done_ = false;
  bool eof_ = false;
  bool got_body_byte_ = false;
  std::chrono::steady_clock::time_point first_byte_deadline_;
  std::string error_;
};

// A TLS client context: the system CA store, or `ca_file` when given.
Poco::Net::Context::Ptr ClientTlsContext(const std::string& ca_file);

}  // namespace scribe::plugin_common

#endif  // SCRIBE_PLUGINS_COMMON_HTTP_STREAM_H_
