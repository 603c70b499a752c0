// Server: Scribe's HTTP/1.1 server in front of the Router.
//
// Poco accepts connections, parses request heads and keeps connections
// alive; Scribe's own connection loop answers unparseable heads with a JSON
// error (400, 414, 431) and gives each head, and each body, a total time to
// arrive (408), so a slow sender cannot hold a thread. Poco's defaults serve
// 16 requests at once and queue 64; Scribe sets its own thread pool and
// queue. With a certificate and key it serves HTTPS (TLS 1.2 and later) on
// the same port instead. Long-lived SSE responses leave this pool as soon as their head is
// sent (SseHub), so the pool only ever holds short requests.
#ifndef SCRIBE_HOST_HTTP_SERVER_H_
#define SCRIBE_HOST_HTTP_SERVER_H_

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>

#include "host/common/status.h"
#include "host/http/router.h"

namespace scribe::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int threads = 64;
  int max_queued = 4096;
  int64_t max_body_bytes = 16 << 20;
  int request_timeout_ms = 30000;  // for a request head, and for its body, to arrive
  int keep_alive_ms = 5000;        // an idle keep-alive connection holds a thread this long
  // HTTPS when both are set: PEM files of the certificate (chain) and its key.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  Server(const Router& router, const ServerOptions& options);
  ~Server();

  Status Start();
  // Stops accepting connections and waits (bounded) for requests in flight.
  void Stop();
  int port() const { return port_; }
  // "http" or "https".
  std::string scheme() const { return options_.tls_cert_file.empty() ? "http" : "https"; }

 private:
  const Router& router_;
  const ServerOptions options_;
  struct State;  // everything that exists while the server runs
  std::unique_ptr<State> state_;
  int port_ = 0;
};

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_SERVER_H_
