#include "host/http/server.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <poll.h>

#include <cerrno>
#include <optional>

#include "host/common/log.h"
#include "host/http/tls.h"

namespace scribe::http {
namespace {

// What every connection shares; owned by the Server.
struct Shared {
  const Router& router;
  Poco::Net::HTTPServerParams::Ptr params;
  BodyLimits body_limits;
  std::chrono::milliseconds head_timeout;
  std::atomic<bool> stopped{false};
};

// The error for a request head Poco's parser refused. Its limits: method 32
// bytes, URI 16,210, header name 256, value 8,192, 100 fields.
Status HeadError(const Poco::Net::MessageException& e) {
  const std::string& what = e.message();
  auto says = [&](const char* word) { return what.find(word) != std::string::npos; };
  if (says("URI") && says("too long")) {
    return Status(Code::kUriTooLong, "uri_too_long", "the request line is too long");
  }
  if (says("Field") || says("Too many header fields")) {
    return Status(Code::kHeadTooLarge, "headers_too_large",
                  "the request's header fields are too large or too many (" + what + ")");
  }
  return InvalidArgument("malformed_request", "the request head is malformed (" + what + ")");
}

// A connection's session. Poco 1.11 waits for each next request of a
// keep-alive connection with a new epoll instance (epoll_create, epoll_ctl,
// epoll_wait, close); on a plain socket this waits with one poll(2). Over
// TLS, Poco's wait stays: it also sees bytes TLS already decrypted.
class ServerSession : public Poco::Net::HTTPServerSession {
 public:
  ServerSession(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params)
      : HTTPServerSession(socket, params), params_(params) {}

  // As hasMoreRequests(): the first within the request timeout, then while
  // kept alive, up to the params' request count, within the keep-alive time.
  bool HasMoreRequests() {
    if (socket().secure()) return hasMoreRequests();
    if (!socket().impl()->initialized()) return false;
    Poco::Timespan wait = params_->getTimeout();
    if (served_++ > 0) {
      const int most = params_->getMaxKeepAliveRequests();
      if (!getKeepAlive() || (most > 0 && served_ > most)) return false;
      if (buffered() > 0) return true;
      wait = params_->getKeepAliveTimeout();
    }
    pollfd ready{socket().impl()->sockfd(), POLLIN, 0};
    int n;
    do {
      n = ::poll(&ready, 1, static_cast<int>(wait.totalMilliseconds()));
    } while (n < 0 && errno == EINTR);
    return n > 0;
  }

  // As canKeepAlive(): whether the connection may take another request.
  bool CanKeepAlive() {
    if (socket().secure()) return canKeepAlive();
    const int most = params_->getMaxKeepAliveRequests();
    return most <= 0 || served_ < most;
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  int served_ = 0;  // requests waited for
};

// One HTTP/1.1 connection: Poco's request loop (HTTPServerConnection) with
// Scribe's answers where Poco would send an empty one or none: a JSON 4xx
// for a head it cannot parse, and a total deadline for the head to arrive.
class Connection : public Poco::Net::TCPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, Shared& shared)
      : TCPServerConnection(socket), shared_(shared) {}

  void run() override {
    const std::string server = shared_.params->getSoftwareVersion();
    ServerSession session(socket(), shared_.params);
    while (!shared_.stopped && session.HasMoreRequests()) {
      Poco::Net::HTTPServerResponseImpl response(session);
      std::optional<Poco::Net::HTTPServerRequestImpl> request;
      if (!ReadHead(session, response, request)) return;

      response.setDate(Poco::Timestamp());
      response.setVersion(request->getVersion());
      response.setKeepAlive(shared_.params->getKeepAlive() && request->getKeepAlive() &&
                            session.CanKeepAlive());
      if (!server.empty()) response.set("Server", server);
      // Browsers take every answer as the type it says, never a guess.
      response.set("X-Content-Type-Options", "nosniff");
      if (!Serve(*request, response)) return;
      session.setKeepAlive(shared_.params->getKeepAlive() && response.getKeepAlive() &&
                           session.CanKeepAlive());
    }
  }

 private:
  // Reads the next request head into `request`; false when the connection
  // is to end (after an error response where one is owed).
  bool ReadHead(Poco::Net::HTTPServerSession& session, Poco::Net::HTTPServerResponseImpl& response,
                std::optional<Poco::Net::HTTPServerRequestImpl>& request) {
    ReadDeadlines::Guard deadline =
        shared_.body_limits.deadlines->Arm(socket(), shared_.head_timeout);
    std::optional<Status> error;
    bool timed_out = false;  // one read waited longer than the timeout
    try {
      request.emplace(response, session, shared_.params);
    } catch (const Poco::Net::NoMessageException&) {
      // The client closed an idle connection, or sent nothing at all.
    } catch (const Poco::Net::MessageException& e) {
      error = HeadError(e);
    } catch (const Poco::TimeoutException&) {
      timed_out = true;
    } catch (const Poco::Exception&) {
      // A network error: there is no one to answer.
    }
    // A head cut off by the deadline may even parse (its end is EOF).
    const bool late = deadline.Expired() || timed_out;
    if (request && !late) return true;
    if (late) {
      error = Status(Code::kDeadlineExceeded, "request_timeout",
                     "the request head did not arrive within " +
                         std::to_string(shared_.head_timeout.count()) + " ms");
    }
    if (error) {
      try {
        session.setKeepAlive(false);
        Poco::Net::HTTPServerResponseImpl answer(session);
        answer.set("X-Content-Type-Options", "nosniff");
        Exchange::SendError(answer, *error);
      } catch (const Poco::Exception&) {
      }
    }
    return false;
  }

  // Routes one request; false when the connection cannot go on.
  bool Serve(Poco::Net::HTTPServerRequestImpl& request,
             Poco::Net::HTTPServerResponseImpl& response) {
    Exchange exchange(request, response, shared_.body_limits);
    try {
      if (request.getExpectContinue()) response.sendContinue();
      shared_.router.Dispatch(exchange);
      return true;
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
    return false;
  }

  Shared& shared_;
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit ConnectionFactory(Shared& shared) : shared_(shared) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new Connection(socket, shared_);  // Poco owns and deletes it
  }

 private:
  Shared& shared_;
};

}  // namespace

struct Server::State {
  ReadDeadlines deadlines;
  std::unique_ptr<Shared> shared;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::TCPServer> server;
};

Server::Server(const Router& router, const ServerOptions& options)
    : router_(router), options_(options) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  try {
    Poco::Net::SocketAddress address(options_.host, static_cast<Poco::UInt16>(options_.port));
    Poco::Net::ServerSocket socket;
    if (!options_.tls_cert_file.empty()) {
      try {
        socket = Poco::Net::SecureServerSocket(
            ServerTlsContext(options_.tls_cert_file, options_.tls_key_file));
      } catch (const Poco::Exception& e) {
        return InvalidArgument("tls_config", "cannot use the TLS certificate " +
                                                 options_.tls_cert_file + " and key " +
                                                 options_.tls_key_file + ": " + e.displayText());
      }
    }
    socket.bind(address, /*reuseAddress=*/true);
    socket.listen(4096);
    port_ = socket.address().port();

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options_.threads);
    params->setMaxQueued(options_.max_queued);
    params->setKeepAlive(options_.keep_alive_ms > 0);
    params->setMaxKeepAliveRequests(1000);
    params->setKeepAliveTimeout(Poco::Timespan(options_.keep_alive_ms * 1000LL));
    params->setTimeout(Poco::Timespan(options_.request_timeout_ms * 1000LL));
    params->setServerName("scribed");
    params->setSoftwareVersion("scribed");

    auto state = std::make_unique<State>();
    std::chrono::milliseconds timeout(options_.request_timeout_ms);
    state->shared.reset(new Shared{
        router_, params, BodyLimits{options_.max_body_bytes, timeout, &state->deadlines}, timeout});
    state->pool = std::make_unique<Poco::ThreadPool>(2, options_.threads + 4, 60);
    state->server = std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(*state->shared),
                                                           *state->pool, socket, params);
    state->server->start();
    state_ = std::move(state);
  } catch (const Poco::Exception& e) {
    return Unavailable("listen_failed", "cannot listen on " + options_.host + ":" +
                                            std::to_string(options_.port) + ": " + e.displayText());
  }
  return Status::Ok();
}

void Server::Stop() {
  if (!state_) return;
  state_->shared->stopped = true;  // keep-alive connections end after their request
  state_->server->stop();          // stop accepting; in-flight requests finish
  for (int i = 0; i < 50 && state_->server->currentConnections() > 0; ++i) {
    Poco::Thread::sleep(100);
  }
  state_->server.reset();
  state_->pool->joinAll();
  state_.reset();
}

}  // namespace scribe::http
