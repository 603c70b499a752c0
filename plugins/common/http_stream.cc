#include "http_stream.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>
#include <cctype>

namespace scribe::plugin_common {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPollMs = 100;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

bool ParseUrl(const std::string& text, Url& url) {
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return false;
  url.scheme = Lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") return false;
  std::string rest = text.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  url.path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    try {
      url.port = std::stoi(authority.substr(colon + 1));
    } catch (...) {
      return false;
    }
    url.host = authority.substr(0, colon);
  } else {
    url.host = authority;
    url.port = url.scheme == "https" ? 443 : 80;
  }
  return !url.host.empty() && url.port > 0 && url.port < 65536;
}

Poco::Net::Context::Ptr ClientTlsContext(const std::string& ca_file) {
  return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, ca_file,
                                Poco::Net::Context::VERIFY_RELAXED, 9,
                                /*loadDefaultCAs=*/ca_file.empty());
}

HttpStream::HttpStream(Url url, Poco::Net::Context::Ptr tls, Timeouts timeouts,
                       std::function<bool()> cancelled)
    : url_(std::move(url)),
      tls_(std::move(tls)),
      timeouts_(timeouts),
      cancelled_(std::move(cancelled)) {}

HttpStream::~HttpStream() {
  if (!socket_) return;
  try {
    socket_->close();
  } catch (...) {
  }
}

std::string HttpStream::Header(const std::string& lower_name) const {
  auto it = headers_.find(lower_name);
  return it == headers_.end() ? "" : it->second;
}

HttpStream::Outcome HttpStream::Fill(int timeout_ms) {
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[65536];
  for (;;) {
    if (cancelled_ && cancelled_()) {
      error_ = "cancelled";
      return Outcome::kCancelled;
    }
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      error_ = got_body_byte_
                   ? "no data from the provider for " + std::to_string(timeouts_.idle_ms) + " ms"
                   : "no response from the provider within " +
                         std::to_string(timeouts_.first_byte_ms) + " ms";
      return got_body_byte_ ? Outcome::kIdleTimeout : Outcome::kFirstByteTimeout;
    }
    try {
      socket_->setReceiveTimeout(Poco::Timespan(std::min<long long>(left, kPollMs) * 1000));
      int n = socket_->receiveBytes(buf, sizeof buf);
      if (n <= 0) {
        eof_ = true;
        return Outcome::kOk;
      }
      buffer_.append(buf, static_cast<size_t>(n));
      return Outcome::kOk;
    } catch (const Poco::TimeoutException&) {
      continue;
    } catch (const Poco::Exception& e) {
      error_ = e.displayText();
      return Outcome::kBroken;
    }
  }
}

HttpStream::Outcome HttpStream::Open(const std::string& method, const std::string& path_and_query,
                                     const std::map<std::string, std::string>& headers,
                                     const std::string& body) {
  Poco::Timespan connect_timeout(static_cast<long long>(timeouts_.connect_ms) * 1000);
  try {
    Poco::Net::SocketAddress address(url_.host, static_cast<Poco::UInt16>(url_.port));
    if (url_.scheme == "https") {
      auto secure = std::make_unique<Poco::Net::SecureStreamSocket>(tls_);
      secure->setPeerHostName(url_.host);
      secure->setLazyHandshake(true);
      secure->connect(address, connect_timeout);
      secure->setReceiveTimeout(connect_timeout);
      secure->setSendTimeout(connect_timeout);
      secure->completeHandshake();
      secure->verifyPeerCertificate();
      socket_ = std::move(secure);
    } else {
      socket_ = std::make_unique<Poco::Net::StreamSocket>();
      socket_->connect(address, connect_timeout);
    }
    socket_->setNoDelay(true);
    socket_->setSendTimeout(connect_timeout);
  } catch (const Poco::TimeoutException& e) {
    error_ = "connecting to " + url_.host + ":" + std::to_string(url_.port) + " timed out";
    return Outcome::kConnectTimeout;
  } catch (const Poco::Exception& e) {
    error_ =
        "cannot connect to " + url_.host + ":" + std::to_string(url_.port) + ": " + e.displayText();
    return Outcome::kConnectFailed;
  }

  std::string host = url_.host;
  if (!((url_.scheme == "https" && url_.port == 443) ||
        (url_.scheme == "http" && url_.port == 80))) {
    host += ":" + std::to_string(url_.port);
  }
  std::string request = method + " " + url_.path + path_and_query + " HTTP/1.1\r\nHost: " + host +
                        "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  request += body;
  try {
    size_t sent = 0;
    while (sent < request.size()) {
      if (cancelled_ && cancelled_()) return Outcome::kCancelled;
      int n = socket_->sendBytes(request.data() + sent, static_cast<int>(request.size() - sent));
      if (n <= 0) throw Poco::Net::NetException("connection closed while sending");
      sent += static_cast<size_t>(n);
    }
  } catch (const Poco::Exception& e) {
    error_ = "sending the request failed: " + e.displayText();
    return Outcome::kBroken;
  }

  // The response head, within the first-byte timeout.
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeouts_.first_byte_ms);
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (eof_) {
      error_ = "the provider closed the connection before answering";
      return Outcome::kBroken;
    }
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    Outcome got = Fill(std::max(left, 0));
    if (got != Outcome::kOk) return got;
    if (buffer_.size() > (1u << 20)) {
      error_ = "the response head is larger than 1 MiB";
      return Outcome::kBroken;
    }
  }
  std::string head = buffer_.substr(0, head_end);
  buffer_.erase(0, head_end + 4);
  size_t eol = head.find("\r\n");
  std::string status_line = head.substr(0, eol);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
    error_ = "not an HTTP response: " + status_line.substr(0, 80);
    return Outcome::kBroken;
  }
  try {
    status_ = std::stoi(status_line.substr(9, 3));
  } catch (...) {
    error_ = "bad status line: " + status_line.substr(0, 80);
    return Outcome::kBroken;
  }
  size_t pos = eol == std::string::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    headers_[Lower(line.substr(0, colon))] = value;
  }
  chunked_ = Lower(Header("transfer-encoding")).find("chunked") != std::string::npos;
  if (!chunked_ && !Header("content-length").empty()) {
    try {
      remaining_ = std::stoll(Header("content-length"));
    } catch (...) {
      error_ = "bad Content-Length";
      return Outcome::kBroken;
    }
  }
  first_byte_deadline_ = deadline;
  return Outcome::kOk;
}

HttpStream::Outcome HttpStream::Read(std::string& out, bool& end) {
  out.clear();
  end = false;
  for (;;) {
    if (body_done_) {
      end = true;
      return Outcome::kOk;
    }
    if (chunked_) {
      if (chunk_left_ == 0) {
        if (after_chunk_) {  // the CRLF that closes a chunk's data
          if (buffer_.size() >= 2) {
            buffer_.erase(0, 2);
            after_chunk_ = false;
            continue;
          }
        } else if (size_t eol = buffer_.find("\r\n"); eol != std::string::npos) {
          std::string size_text = buffer_.substr(0, buffer_.find_first_of(";\r"));
          buffer_.erase(0, eol + 2);
          try {
            chunk_left_ = std::stoll(size_text, nullptr, 16);
          } catch (...) {
            error_ = "bad chunk size '" + size_text.substr(0, 20) + "'";
            return Outcome::kBroken;
          }
          if (chunk_left_ == 0) {
            body_done_ = true;  // trailers, if any, are ignored
            continue;
          }
          continue;
        }
      } else if (!buffer_.empty()) {
        size_t take = static_cast<size_t>(
            std::min<long long>(chunk_left_, static_cast<long long>(buffer_.size())));
        out = buffer_.substr(0, take);
        buffer_.erase(0, take);
        chunk_left_ -= static_cast<long long>(take);
        if (chunk_left_ == 0) after_chunk_ = true;
        got_body_byte_ = true;
        return Outcome::kOk;
      }
    } else if (!buffer_.empty()) {
      size_t take = remaining_ >= 0 ? static_cast<size_t>(std::min<long long>(
                                          remaining_, static_cast<long long>(buffer_.size())))
                                    : buffer_.size();
      out = buffer_.substr(0, take);
      buffer_.erase(0, take);
      if (remaining_ >= 0) {
        remaining_ -= static_cast<long long>(take);
        if (remaining_ == 0) body_done_ = true;
      }
      got_body_byte_ = true;
      return Outcome::kOk;
    } else if (remaining_ == 0) {
      body_done_ = true;
      continue;
    }
    if (eof_) {
      if (!chunked_ && remaining_ < 0) {
        body_done_ = true;  // a body delimited by the connection's end
        continue;
      }
      error_ = "the connection closed before the response ended";
      return Outcome::kBroken;
    }
    int wait_ms = timeouts_.idle_ms;
    if (!got_body_byte_) {
      wait_ms = static_cast<int>(std::max<long long>(
          0,
          std::chrono::duration_cast<std::chrono::milliseconds>(first_byte_deadline_ - Clock::now())
              .count()));
    }
    Outcome got = Fill(wait_ms);
    if (got != Outcome::kOk) return got;
  }
}

HttpStream::Outcome HttpStream::ReadAll(std::string& out, size_t max) {
  out.clear();
  for (;;) {
    std::string piece;
    bool end = false;
    Outcome got = Read(piece, end);
    if (got != Outcome::kOk) return got;
    if (end) return Outcome::kOk;
    out += piece;
    if (out.size() > max) {
      out.resize(max);
      return Outcome::kOk;
    }
  }
}

}  // namespace scribe::plugin_common
