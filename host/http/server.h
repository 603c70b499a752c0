// Server: Poco's HTTP server, sized for Scribe, in front of the Router.
//
// Poco's defaults serve 16 requests at once and queue 64; Scribe sets its
// own thread pool and queue. Long-lived SSE responses leave this pool as
// soon as their head is sent (SseHub), so the pool only ever holds short
// requests.
#ifndef SCRIBE_HOST_HTTP_SERVER_H_
#define SCRIBE_HOST_HTTP_SERVER_H_

#include <Poco/Net/HTTPServer.h>
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
  int request_timeout_ms = 30000;  // reading a request
  int keep_alive_ms = 5000;        // an idle keep-alive connection holds a thread this long
};

class Server {
 public:
  Server(const Router& router, const ServerOptions& options);
  ~Server();

  Status Start();
  // Stops accepting connections and waits (bounded) for requests in flight.
  void Stop();
  int port() const { return port_; }

 private:
  const Router& router_;
  const ServerOptions options_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_SERVER_H_
