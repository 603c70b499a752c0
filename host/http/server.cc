#include "host/http/server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "host/common/log.h"

namespace scribe::http {
namespace {

class RequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(const Router& router, int64_t max_body_bytes)
      : router_(router), max_body_bytes_(max_body_bytes) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    Exchange exchange(request, response, max_body_bytes_);
    try {
      router_.Dispatch(exchange);
      return;
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "http",
          request.getMethod() + " " + request.getURI() + " failed: " + e.what());
    } catch (...) {
      Log(LogLevel::kError, "http", request.getMethod() + " " + request.getURI() + " failed");
    }
    if (!exchange.sent()) {
      try {
        exchange.SendError(Internal("the request failed inside the host; see its log"));
      } catch (...) {
      }
    }
  }

 private:
  const Router& router_;
  const int64_t max_body_bytes_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(const Router& router, int64_t max_body_bytes)
      : router_(router), max_body_bytes_(max_body_bytes) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(router_, max_body_bytes_);  // Poco owns and deletes it
  }

 private:
  const Router& router_;
  const int64_t max_body_bytes_;
};

}  // namespace

Server::Server(const Router& router, const ServerOptions& options)
    : router_(router), options_(options) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  try {
    Poco::Net::SocketAddress address(options_.host, static_cast<Poco::UInt16>(options_.port));
    Poco::Net::ServerSocket socket;
    socket.bind(address, /*reuseAddress=*/true);
    socket.listen(4096);
    port_ = socket.address().port();

    auto* params = new Poco::Net::HTTPServerParams;  // reference-counted by Poco
    params->setMaxThreads(options_.threads);
    params->setMaxQueued(options_.max_queued);
    params->setKeepAlive(options_.keep_alive_ms > 0);
    params->setMaxKeepAliveRequests(1000);
    params->setKeepAliveTimeout(Poco::Timespan(options_.keep_alive_ms * 1000LL));
    params->setTimeout(Poco::Timespan(options_.request_timeout_ms * 1000LL));
    params->setServerName("scribed");
    params->setSoftwareVersion("scribed");

    pool_ = std::make_unique<Poco::ThreadPool>(2, options_.threads + 4, 60);
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        new HandlerFactory(router_, options_.max_body_bytes), *pool_, socket, params);
    server_->start();
  } catch (const Poco::Exception& e) {
    return Unavailable("listen_failed", "cannot listen on " + options_.host + ":" +
                                            std::to_string(options_.port) + ": " + e.displayText());
  }
  return Status::Ok();
}

void Server::Stop() {
  if (!server_) return;
  server_->stopAll(false);  // stop accepting; in-flight requests finish
  for (int i = 0; i < 50 && server_->currentConnections() > 0; ++i) Poco::Thread::sleep(100);
  server_.reset();
  pool_->joinAll();
  pool_.reset();
}

}  // namespace scribe::http
