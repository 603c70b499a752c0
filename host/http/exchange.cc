#include "host/http/exchange.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <algorithm>
#include <istream>

#include "host/http/error_mapping.h"

namespace scribe::http {

Exchange::Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   const BodyLimits& body_limits)
    : request_(request), response_(response), body_limits_(body_limits) {
  try {
    for (auto& [name, value] : Poco::URI(request.getURI()).getQueryParameters()) {
      query_.emplace(name, value);
    }
  } catch (const Poco::Exception& e) {
    query_status_ =
        InvalidArgument("invalid_query", "the query string is malformed: " + e.message());
  }
}

const std::string& Exchange::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params_.find(name);
  return it == params_.end() ? kEmpty : it->second;
}

std::optional<std::string> Exchange::Query(const std::string& name) const {
  auto it = query_.find(name);
  if (it == query_.end()) return std::nullopt;
  return it->second;
}

int Exchange::QueryCount(const std::string& name) const {
  return static_cast<int>(query_.count(name));
}

std::optional<std::string> Exchange::Header(const std::string& name) const {
  if (!request_.has(name)) return std::nullopt;
  return request_.get(name);
}

Result<std::string> Exchange::Body() {
  const int64_t max_bytes = body_limits_.max_bytes;
  auto too_large = [&] {
    return Status(Code::kPayloadTooLarge, "body_too_large",
                  "the request body is larger than " + std::to_string(max_bytes) + " bytes");
  };
  if (request_.hasContentLength() && request_.getContentLength64() > max_bytes) {
    return too_large();
  }
  ReadDeadlines::Guard deadline;
  if (body_limits_.deadlines != nullptr) {
    auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request_);
    deadline = body_limits_.deadlines->Arm(impl.socket(), body_limits_.timeout);
  }
  std::string body;
  std::istream& in = request_.stream();
  char buf[16384];
  while (in) {
    in.read(buf, sizeof buf);
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    body.append(buf, static_cast<size_t>(got));
    if (static_cast<int64_t>(body.size()) > max_bytes) return too_large();
  }
  if (deadline.Expired()) {
    return Status(Code::kDeadlineExceeded, "request_timeout",
                  "the request body did not arrive within " +
                      std::to_string(body_limits_.timeout.count()) + " ms");
  }
  if (in.bad() || (request_.hasContentLength() &&
                   static_cast<int64_t>(body.size()) != request_.getContentLength64())) {
    return InvalidArgument("incomplete_body", "the request body ended before it was complete");
  }
  return body;
}

Result<nlohmann::json> Exchange::JsonBody() {
  Result<std::string> body = Body();
  if (!body.ok()) return body.status();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(*body);
  } catch (const nlohmann::json::parse_error& e) {
    std::string why = e.what();
    bool utf8 = why.find("UTF-8") != std::string::npos || why.find("utf-8") != std::string::npos;
    return InvalidArgument(
        utf8 ? "invalid_utf8" : "invalid_json",
        std::string(utf8 ? "the body is not valid UTF-8: " : "the body is not valid JSON: ") +
            e.what());
  }
  if (!json.is_object()) return InvalidArgument("invalid_json", "the body must be a JSON object");
  return json;
}

std::string Exchange::MediaType() const {
  std::string type = request_.getContentType();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

namespace {

// Bodies from this size on skip Poco's 4 KiB stream buffer (a catch-up
// answer of 1 MiB would be 256 writes).
constexpr size_t kDirectBodyBytes = 64 * 1024;

void SendBody(Poco::Net::HTTPServerResponse& response, int status, const std::string& content_type,
              const std::string& body, bool with_body, Poco::Net::StreamSocket* socket = nullptr) {
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType(content_type);
  response.setContentLength64(static_cast<Poco::Int64>(body.size()));
  if (!response.has("Cache-Control")) response.set("Cache-Control", "no-store");
  std::ostream& out = response.send();
  if (with_body && socket != nullptr && body.size() >= kDirectBodyBytes) {
    out.flush();  // the head, then the body straight to the socket
    for (size_t sent = 0; sent < body.size();) {
      int n = socket->sendBytes(body.data() + sent,
                                static_cast<int>(std::min<size_t>(body.size() - sent, 1 << 30)));
      if (n <= 0) throw Poco::Net::NetException("the connection closed during a response");
      sent += static_cast<size_t>(n);
    }
    return;
  }
  if (with_body) out.write(body.data(), static_cast<std::streamsize>(body.size()));
  out.flush();
}

void SendErrorBody(Poco::Net::HTTPServerResponse& response, const Status& status, bool with_body) {
  // A request body the handler did not read would be taken for the next
  // request on this connection: close it instead.
  response.setKeepAlive(false);
  response.set("Cache-Control", "no-store");
  if (status.retry_after_ms() > 0) {
    response.set("Retry-After", std::to_string((status.retry_after_ms() + 999) / 1000));
  }
  SendBody(response, HttpStatusFor(status), "application/json",
           ErrorBody(status).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
           with_body);
}

}  // namespace

void Exchange::SendJson(int status, const nlohmann::json& body) {
  SendText(status, "application/json",
           body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Exchange::SendText(int status, const std::string& content_type, const std::string& body) {
  SendBody(response_, status, content_type, body, request_.getMethod() != "HEAD",
           &static_cast<Poco::Net::HTTPServerRequestImpl&>(request_).socket());
}

void Exchange::SendNoContent() {
  response_.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response_.setContentLength(0);
  response_.send().flush();
}

void Exchange::SendError(const Status& status) {
  SendErrorBody(response_, status, request_.getMethod() != "HEAD");
}

void Exchange::SendError(Poco::Net::HTTPServerResponse& response, const Status& status) {
  SendErrorBody(response, status, /*with_body=*/true);
}

}  // namespace scribe::http
