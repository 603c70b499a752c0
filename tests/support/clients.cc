#include "tests/support/clients.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <thread>

namespace scribe::testing {
namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

nlohmann::json HttpResponse::Json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpResponse Http(int port, const std::string& method, const std::string& path,
                  const std::string& raw_body, const std::string& content_type,
                  const std::map<std::string, std::string>& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  return Http(session, method, path, raw_body, content_type, headers);
}

HttpResponse Http(Poco::Net::HTTPClientSession& session, const std::string& method,
                  const std::string& path, const std::string& raw_body,
                  const std::string& content_type,
                  const std::map<std::string, std::string>& headers) {
  HttpResponse result;
  try {
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!raw_body.empty() || method == "POST" || method == "PUT") {
      request.setContentType(content_type);
      request.setContentLength64(static_cast<Poco::Int64>(raw_body.size()));
    }
    std::ostream& out = session.sendRequest(request);
    out << raw_body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    result.status = response.getStatus();
    for (const auto& [name, value] : response) result.headers[Lower(name)] = value;
    std::stringstream body;
    Poco::StreamCopier::copyStream(in, body);
    result.body = body.str();
  } catch (const Poco::Exception& e) {
    result.status = -1;
    result.body = e.displayText();
  } catch (const std::exception& e) {
    result.status = -1;
    result.body = e.what();
  }
  return result;
}

HttpResponse RawHttp(int port, const std::vector<std::string>& pieces,
                     std::chrono::milliseconds gap, std::chrono::milliseconds timeout,
                     std::chrono::milliseconds* elapsed) {
  HttpResponse result;
  result.status = -1;
  const auto start = std::chrono::steady_clock::now();
  int fd = Connect(port);
  if (fd < 0) return result;
  std::string raw;
  auto receive = [&](int wait_ms) {  // false once the host has closed
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, wait_ms) <= 0) return true;
    char buf[16384];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    raw.append(buf, static_cast<size_t>(n));
    return true;
  };
  bool open = true;
  for (size_t i = 0; i < pieces.size() && open && raw.empty(); ++i) {
    if (i > 0) open = receive(static_cast<int>(gap.count()));
    if (open && raw.empty() && send(fd, pieces[i].data(), pieces[i].size(), MSG_NOSIGNAL) < 0) {
      open = receive(0);
      break;
    }
  }
  if (open && raw.empty()) shutdown(fd, SHUT_WR);  // all sent: nothing more will come
  while (open && std::chrono::steady_clock::now() - start < timeout) open = receive(50);
  close(fd);
  if (elapsed != nullptr) {
    *elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
  }
  size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) {
    result.body = raw;
    return result;
  }
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  result.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t value = line.find_first_not_of(' ', colon + 1);
    result.headers[Lower(line.substr(0, colon))] =
        value == std::string::npos ? "" : line.substr(value);
  }
  result.body = raw.substr(head_end + 4);
  return result;
}

std::string SubmitOffline(int port, const std::string& content, double chunks_per_second,
                          const nlohmann::json& extra_params) {
  nlohmann::json params = extra_params;
  params["chunks_per_second"] = chunks_per_second;
  nlohmann::json body = {{"content", content}, {"provider", "offline"}, {"params", params}};
  HttpResponse response = Http(port, "POST", "/api/jobs", body.dump());
  if (response.status != 201) return "";
  return response.Json().value("id", "");
}

nlohmann::json WaitForState(int port, const std::string& job_id,
                            const std::vector<std::string>& states,
                            std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  nlohmann::json job;
  while (std::chrono::steady_clock::now() < deadline) {
    HttpResponse response = Http(port, "GET", "/api/jobs/" + job_id);
    job = response.Json();
    if (response.status == 200 &&
        std::find(states.begin(), states.end(), job.value("state", "")) != states.end()) {
      return job;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return job;
}

nlohmann::json SseEvent::Json() const { return nlohmann::json::parse(data, nullptr, false); }

bool IsTerminal(const SseEvent& event) {
  return event.event == "complete" || event.event == "error" || event.event == "cancelled";
}

SseClient::~SseClient() { Close(); }

void SseClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool SseClient::Open(int port, const std::string& path,
                     const std::optional<std::string>& last_event_id) {
  fd_ = Connect(port);
  if (fd_ < 0) return false;
  std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  if (last_event_id) request += "Last-Event-ID: " + *last_event_id + "\r\n";
  request += "\r\n";
  if (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (head_.find("\r\n\r\n") == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    head_.append(buf, static_cast<size_t>(n));
  }
  size_t end = head_.find("\r\n\r\n");
  pending_ = head_.substr(end + 4);
  head_.resize(end + 4);
  status_ = std::stoi(head_.substr(head_.find(' ') + 1, 3));
  if (status_ != 200) {
    // Read the (small) error body to its end.
    for (int i = 0; i < 100; ++i) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      pending_.append(buf, static_cast<size_t>(n));
    }
  }
  return true;
}

bool SseClient::Parse(const std::function<bool(const SseEvent&)>& stop) {
  for (;;) {
    size_t eol = pending_.find_first_of("\r\n");
    if (eol == std::string::npos) return false;
    if (pending_[eol] == '\r' && eol + 1 == pending_.size()) return false;  // CR LF may be split
    std::string line = pending_.substr(0, eol);
    size_t skip = (pending_[eol] == '\r' && pending_[eol + 1] == '\n') ? 2 : 1;
    pending_.erase(0, eol + skip);
    if (line.empty()) {
      if (has_data_) {
        if (!current_.id.empty()) last_id_ = current_.id;
        events_.push_back(current_);
        bool matched = stop && stop(current_);
        current_ = SseEvent{};
        has_data_ = false;
        if (matched) return true;
      }
      current_ = SseEvent{};
      continue;
    }
    if (line[0] == ':') {
      comments_.push_back(line.substr(1));
      continue;
    }
    size_t colon = line.find(':');
    std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (field == "data") {
      current_.data += has_data_ ? "\n" + value : value;
      has_data_ = true;
    } else if (field == "id") {
      current_.id = value;
    } else if (field == "event") {
      current_.event = value;
    } else if (field == "retry") {
      retry_ = value;
    }
  }
}

bool SseClient::ReadUntil(const std::function<bool(const SseEvent&)>& stop,
                          std::chrono::milliseconds timeout) {
  if (Parse(stop)) return true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fd_ >= 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[16384];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      server_closed_ = true;
      Close();
      return true;
    }
    pending_.append(buf, static_cast<size_t>(n));
    if (Parse(stop)) return true;
  }
  return fd_ < 0 && server_closed_;
}

bool SseClient::ReadToEnd(std::chrono::milliseconds timeout) {
  return ReadUntil([](const SseEvent& e) { return IsTerminal(e); }, timeout);
}

void SseClient::Feed(const std::string& bytes) {
  pending_ += bytes;
  Parse(nullptr);
}

std::string SseClient::Text() const {
  std::string text;
  for (const SseEvent& e : events_) {
    if (e.event == "token") text += e.Json().value("content", "");
  }
  return text;
}

void ResumingViewer::Run(const std::vector<int>& ports, const std::string& job_id,
                         std::chrono::steady_clock::time_point deadline) {
  std::optional<std::string> last_id;
  size_t next = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    SseClient client;
    int port = ports[next % ports.size()];
    if (!client.Open(port, "/api/jobs/" + job_id + "/events", last_id) || client.status() != 200) {
      ++next;  // that host is down: the next one
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      continue;
    }
    ports_used.push_back(port);
    ++connections;
    client.ReadToEnd(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    text += client.Text();
    if (!client.last_id().empty()) last_id = client.last_id();
    if (!client.events().empty() && IsTerminal(client.events().back())) {
      end_event = client.events().back().event;
      return;
    }
  }
}

}  // namespace scribe::testing
