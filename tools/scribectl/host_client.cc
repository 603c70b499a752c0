#include "tools/scribectl/host_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace scribe::ctl {
namespace {

constexpr int kConnectTimeoutMs = 5000;
constexpr int kRequestTimeoutMs = 60'000;

HostResponse Head(const Poco::Net::HTTPResponse& response) {
  HostResponse head;
  head.status = static_cast<int>(response.getStatus());
  for (const auto& [name, value] : response) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    head.headers[lower] = value;
  }
  return head;
}

}  // namespace

std::string HostResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

Status StatusFromResponse(const HostResponse& response) {
  if (response.status >= 200 && response.status < 300) return Status::Ok();
  std::string reason = "http_" + std::to_string(response.status);
  std::string message = "the host answered HTTP " + std::to_string(response.status);
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const nlohmann::json& error = body["error"];
    if (error.value("code", nlohmann::json()).is_string()) reason = error["code"];
    if (error.value("message", nlohmann::json()).is_string()) message = error["message"];
  }
  Code code = Code::kInternal;
  switch (response.status) {
    case 400:
      code = Code::kInvalidArgument;
      break;
    case 401:
      code = Code::kUnauthenticated;
      break;
    case 403:
      code = Code::kPermissionDenied;
      break;
    case 404:
      code = Code::kNotFound;
      break;
    case 409:
      code = Code::kConflict;
      break;
    case 408:
      code = Code::kDeadlineExceeded;
      break;
    case 413:
      code = Code::kPayloadTooLarge;
      break;
    case 415:
      code = Code::kUnsupportedMedia;
      break;
    case 416:
      code = Code::kOutOfRange;
      break;
    case 429:
      code = Code::kResourceExhausted;
      break;
    case 414:
      code = Code::kUriTooLong;
      break;
    case 431:
      code = Code::kHeadTooLarge;
      break;
    case 503:
      code = Code::kUnavailable;
      break;
    default:
      code = response.status >= 400 && response.status < 500 ? Code::kInvalidArgument
                                                             : Code::kInternal;
  }
  return Status(code, reason, message);
}

std::string UrlEncode(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]%", out);
  return out;
}

Result<HostClient> HostClient::Create(const std::string& base_url, const std::string& api_key,
                                      const std::string& ca_file) {
  try {
    Poco::URI uri(base_url);
    const bool https = uri.getScheme() == "https";
    if ((uri.getScheme() != "http" && !https) || uri.getHost().empty()) {
      return InvalidArgument("usage",
                             "--url must be an http:// or https:// address like "
                             "http://127.0.0.1:8080, not '" +
                                 base_url + "'");
    }
    Poco::Net::Context::Ptr tls;
    if (https) {
      static std::once_flag ssl_initialized;
      std::call_once(ssl_initialized, [] { Poco::Net::initializeSSL(); });
      tls = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, ca_file,
                                   Poco::Net::Context::VERIFY_RELAXED, 9,
                                   /*loadDefaultCAs=*/ca_file.empty());
    }
    std::string base = base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return HostClient(base, uri.getHost(), uri.getPort(), api_key, tls);
  } catch (const Poco::Exception& e) {
    return InvalidArgument("usage", "--url '" + base_url + "' with --cacert '" + ca_file +
                                        "' cannot be used: " + e.displayText());
  }
}

Status HostClient::Unreachable(const std::string& why) const {
  return Unavailable("host_unreachable", "cannot reach the host at " + base_url_ + " (" + why +
                                             "); is scribed running? (--url, SCRIBE_URL)");
}

Status HostClient::Exchange(const std::string& method, const std::string& path,
                            const std::string& body,
                            const std::map<std::string, std::string>& headers,
                            int receive_timeout_ms,
                            const std::function<bool(std::string_view)>& sink, HostResponse& head) {
  bool answered = false;
  try {
    const auto port = static_cast<Poco::UInt16>(port_);
    std::unique_ptr<Poco::Net::HTTPClientSession> connection =
        tls_ ? std::make_unique<Poco::Net::HTTPSClientSession>(host_, port, tls_)
             : std::make_unique<Poco::Net::HTTPClientSession>(host_, port);
    Poco::Net::HTTPClientSession& session = *connection;
    session.setKeepAlive(false);
    auto millis = [](int64_t ms) { return Poco::Timespan(ms * Poco::Timespan::MILLISECONDS); };
    session.setTimeout(millis(kConnectTimeoutMs), millis(kRequestTimeoutMs),
                       millis(receive_timeout_ms));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!api_key_.empty()) request.set("Authorization", "Bearer " + api_key_);
    if (!body.empty() || method == "POST") {
      if (!request.has("Content-Type")) request.setContentType("application/json");
      request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    session.sendRequest(request).write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    answered = true;
    head = Head(response);
    const bool success = head.status >= 200 && head.status < 300;
    char buffer[16 * 1024];
    // get() waits for the next bytes; readsome() then takes whatever else
    // already arrived, so each piece goes on as soon as it is here.
    for (int first = in.get(); first != std::char_traits<char>::eof(); first = in.get()) {
      buffer[0] = static_cast<char>(first);
      std::streamsize more = in.readsome(buffer + 1, sizeof buffer - 1);
      std::string_view piece(buffer, static_cast<size_t>(1 + std::max<std::streamsize>(more, 0)));
      if (!success) {
        head.body.append(piece);
      } else if (!sink(piece)) {
        return Status::Ok();
      }
    }
    if (in.bad()) {
      return Unavailable("connection_lost", "the connection to " + base_url_ + " was lost");
    }
    return StatusFromResponse(head);
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return Unreachable("connection refused");
  } catch (const Poco::TimeoutException&) {
    return answered ? Unavailable("connection_lost", "the host at " + base_url_ + " went silent")
                    : Unreachable("timed out");
  } catch (const Poco::Exception& e) {
    return answered ? Unavailable("connection_lost", "the connection to " + base_url_ +
                                                         " was lost: " + e.displayText())
                    : Unreachable(e.displayText());
  } catch (const std::exception& e) {
    return Unreachable(e.what());
  }
}

Result<HostResponse> HostClient::Send(const std::string& method, const std::string& path,
                                      const std::string& body,
                                      const std::map<std::string, std::string>& headers) {
  HostResponse response;
  std::string collected;
  Status status = Exchange(
      method, path, body, headers, kRequestTimeoutMs,
      [&collected](std::string_view piece) {
        collected.append(piece);
        return true;
      },
      response);
  if (!status.ok()) return status;
  response.body = std::move(collected);
  return response;
}

Result<nlohmann::json> HostClient::Json(const std::string& method, const std::string& path,
                                        const nlohmann::json* body,
                                        const std::map<std::string, std::string>& headers) {
  Result<HostResponse> response = Send(method, path, body ? body->dump() : "", headers);
  if (!response.ok()) return response.status();
  nlohmann::json json = nlohmann::json::parse(response->body, nullptr, false);
  if (json.is_discarded()) {
    return Internal("the host's answer to " + method + " " + path + " is not JSON");
  }
  return json;
}

Result<HostResponse> HostClient::Stream(const std::string& path,
                                        const std::map<std::string, std::string>& headers,
                                        int receive_timeout_ms,
                                        const std::function<bool(std::string_view)>& sink) {
  HostResponse head;
  Status status = Exchange("GET", path, "", headers, receive_timeout_ms, sink, head);
  if (!status.ok()) return status;
  return head;
}

}  // namespace scribe::ctl
