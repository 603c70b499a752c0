// HostClient: scribectl's HTTP client for the host's API (DESIGN.md §4).
// Every failure comes back as a Status: Unavailable("host_unreachable")
// when no host answers, and the host's own error code and message (from its
// JSON error body) otherwise, with a Code that matches the HTTP status.
//
// Thread safety: one client per thread; each request opens its own
// connection, so a client is cheap and holds nothing between calls.
#ifndef SCRIBE_TOOLS_SCRIBECTL_HOST_CLIENT_H_
#define SCRIBE_TOOLS_SCRIBECTL_HOST_CLIENT_H_

#include <Poco/Net/Context.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "host/common/status.h"

namespace scribe::ctl {

struct HostResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

class HostClient {
 public:
  // `base_url` like http://127.0.0.1:8080 or https://scribe.example:8443;
  // InvalidArgument if it is not. A non-empty `api_key` goes with every
  // request as a Bearer token. HTTPS trusts the system's CAs, or only the
  // PEM file `ca_file` when one is given.
  static Result<HostClient> Create(const std::string& base_url, const std::string& api_key = "",
                                   const std::string& ca_file = "");

  // Sends a request and reads the whole answer. A 4xx/5xx answer is an
  // error Status carrying the host's message.
  Result<HostResponse> Send(const std::string& method, const std::string& path,
                            const std::string& body = "",
                            const std::map<std::string, std::string>& headers = {});
  // Send() with a JSON answer parsed.
  Result<nlohmann::json> Json(const std::string& method, const std::string& path,
                              const nlohmann::json* body = nullptr,
                              const std::map<std::string, std::string>& headers = {});
  // Sends a GET and hands the body to `sink` piece by piece as it arrives
  // (sink returns false to stop). The head comes back once the body ended.
  // `receive_timeout_ms` bounds each wait for data.
  Result<HostResponse> Stream(const std::string& path,
                              const std::map<std::string, std::string>& headers,
                              int receive_timeout_ms,
                              const std::function<bool(std::string_view)>& sink);

  const std::string& base_url() const { return base_url_; }

 private:
  HostClient(std::string base_url, std::string host, int port, std::string api_key,
             Poco::Net::Context::Ptr tls)
      : base_url_(std::move(base_url)),
        host_(std::move(host)),
        port_(port),
        api_key_(std::move(api_key)),
        tls_(std::move(tls)) {}
  // One request on a fresh connection. A 2xx body goes to `sink` as it
  // arrives; any other body is kept in `head` and becomes the error.
  Status Exchange(const std::string& method, const std::string& path, const std::string& body,
                  const std::map<std::string, std::string>& headers, int receive_timeout_ms,
                  const std::function<bool(std::string_view)>& sink, HostResponse& head);
  Status Unreachable(const std::string& why) const;

  std::string base_url_;
  std::string host_;
  int port_ = 0;
  std::string api_key_;
  Poco::Net::Context::Ptr tls_;  // null: plain HTTP
};

// The Status a non-2xx answer stands for.
Status StatusFromResponse(const HostResponse& response);

// Percent-encodes a query parameter value or a path segment.
std::string UrlEncode(const std::string& text);

}  // namespace scribe::ctl

#endif  // SCRIBE_TOOLS_SCRIBECTL_HOST_CLIENT_H_
