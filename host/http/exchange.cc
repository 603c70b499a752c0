#include "host/http/exchange.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <istream>

#include "host/http/error_mapping.h"

namespace scribe::http {

Exchange::Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   int64_t max_body_bytes)
    : request_(request), response_(response), max_body_bytes_(max_body_bytes) {
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

std::optional<std::string> Exchange::Header(const std::string& name) const {
  if (!request_.has(name)) return std::nullopt;
  return request_.get(name);
}

Result<std::string> Exchange::Body() {
  auto too_large = [&] {
    return Status(Code::kPayloadTooLarge, "body_too_large",
                  "the request body is larger than " + std::to_string(max_body_bytes_) + " bytes");
  };
  if (request_.hasContentLength() && request_.getContentLength64() > max_body_bytes_) {
    return too_large();
  }
  std::string body;
  std::istream& in = request_.stream();
  char buf[16384];
  while (in) {
    in.read(buf, sizeof buf);
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    body.append(buf, static_cast<size_t>(got));
    if (static_cast<int64_t>(body.size()) > max_body_bytes_) return too_large();
  }
  if (request_.hasContentLength() &&
      static_cast<int64_t>(body.size()) != request_.getContentLength64()) {
    return InvalidArgument("incomplete_body", "the request body ended before Content-Length bytes");
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

void Exchange::SendJson(int status, const nlohmann::json& body) {
  SendText(status, "application/json",
           body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Exchange::SendText(int status, const std::string& content_type, const std::string& body) {
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setContentType(content_type);
  response_.setContentLength64(static_cast<Poco::Int64>(body.size()));
  response_.set("Cache-Control", "no-store");
  std::ostream& out = response_.send();
  if (request_.getMethod() != "HEAD")
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
  out.flush();
}

void Exchange::SendNoContent() {
  response_.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response_.setContentLength(0);
  response_.send().flush();
}

void Exchange::SendError(const Status& status) {
  // A request body the handler did not read would be taken for the next
  // request on this connection: close it instead.
  response_.setKeepAlive(false);
  if (status.retry_after_ms() > 0) {
    response_.set("Retry-After", std::to_string((status.retry_after_ms() + 999) / 1000));
  }
  SendJson(HttpStatusFor(status), ErrorBody(status));
}

}  // namespace scribe::http
