// Exchange: one HTTP request and its response, as a handler sees it — the
// path parameters the router matched, the decoded query, a size-limited
// body reader, and helpers that send JSON, text and errors.
//
// Thread safety: used by the one request thread that serves the request.
#ifndef SCRIBE_HOST_HTTP_EXCHANGE_H_
#define SCRIBE_HOST_HTTP_EXCHANGE_H_

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "host/common/status.h"
#include "host/http/read_deadlines.h"
#include "host/jobs/caller.h"

namespace scribe::http {

// What the server allows a request body.
struct BodyLimits {
  int64_t max_bytes = 16 << 20;
  std::chrono::milliseconds timeout{30000};  // for the whole body to arrive
  ReadDeadlines* deadlines = nullptr;        // enforces `timeout`; null: only per read
};

class Exchange {
 public:
  // `request` is the HTTPServerRequestImpl Scribe's server reads.
  Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
           const BodyLimits& body_limits);

  Poco::Net::HTTPServerRequest& request() { return request_; }
  Poco::Net::HTTPServerResponse& response() { return response_; }

  // Parameters matched by the route pattern, e.g. "id" for /api/jobs/{id}.
  const std::string& Param(const std::string& name) const;
  void SetParams(std::map<std::string, std::string> params) { params_ = std::move(params); }

  // The decoded query string. Not OK when it is malformed.
  const Status& query_status() const { return query_status_; }
  std::optional<std::string> Query(const std::string& name) const;
  // How many times the query names `name`.
  int QueryCount(const std::string& name) const;
  std::optional<std::string> Header(const std::string& name) const;

  // The whole body: at most max_bytes (413 beyond), within the timeout (408).
  Result<std::string> Body();
  // The body parsed as a JSON object (400 otherwise).
  Result<nlohmann::json> JsonBody();
  // The media type of the body, lower case, without parameters.
  std::string MediaType() const;

  // Send*: Cache-Control is no-store unless the handler set its own.
  void SendJson(int status, const nlohmann::json& body);
  void SendText(int status, const std::string& content_type, const std::string& body);
  void SendNoContent();
  void SendError(const Status& status);
  // The same JSON error on a response with no request to go with it (a
  // request head that could not be read); closes the connection.
  static void SendError(Poco::Net::HTTPServerResponse& response, const Status& status);
  bool sent() const { return response_.sent(); }

  // Who is asking, as the router authenticated them.
  const jobs::Caller& caller() const { return caller_; }
  void SetCaller(jobs::Caller caller) { caller_ = std::move(caller); }

 private:
  Poco::Net::HTTPServerRequest& request_;
  Poco::Net::HTTPServerResponse& response_;
  const BodyLimits body_limits_;
  std::map<std::string, std::string> params_;
  std::multimap<std::string, std::string> query_;
  Status query_status_;
  jobs::Caller caller_;
};

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_EXCHANGE_H_
