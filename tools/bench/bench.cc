#include "tools/bench/bench.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace scribe::bench {

int Call(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& path,
         const std::string& body) {
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setKeepAlive(true);
  if (method != "GET") {
    request.setContentType("text/plain");
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Poco::NullOutputStream discard;
  Poco::StreamCopier::copyStream(in, discard);
  return response.getStatus();
}

int ConnectSend(int port, const std::string& request, int receive_buffer) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (receive_buffer > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int ConnectGet(int port, const std::string& path, int receive_buffer) {
  return ConnectSend(port,
                     "GET " + path +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                         "Cache-Control: no-cache\r\n\r\n",
                     receive_buffer);
}

void Report(const nlohmann::json& result) {
  std::printf("RESULT %s\n", result.dump().c_str());
  std::fflush(stdout);
}

namespace {

// The fields of /proc/PID/stat after the command's closing parenthesis:
// [0] state, [1] parent, [11] user and [12] system time in clock ticks.
std::vector<std::string> StatFields(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::vector<std::string> fields;
  size_t close = text.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream rest(text.substr(close + 1));
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// The process and its children (nginx's workers).
std::vector<long> ProcessTree(long pid) {
  std::vector<long> tree{pid};
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::vector<std::string> fields = StatFields(std::stol(name));
    if (fields.size() > 1 && std::stol(fields[1]) == pid) tree.push_back(std::stol(name));
  }
  return tree;
}

}  // namespace

long RssKiB(long pid) {
  long total = -1;
  for (long member : ProcessTree(pid)) {
    std::ifstream status("/proc/" + std::to_string(member) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmRSS:", 0) == 0) total = std::max(total, 0L) + std::stol(line.substr(6));
    }
  }
  return total;
}

double CpuSeconds(long pid) {
  if (pid <= 0) return 0;
  double ticks = 0;
  for (long member : ProcessTree(pid)) {
    std::vector<std::string> fields = StatFields(member);
    if (fields.size() > 12) ticks += std::stod(fields[11]) + std::stod(fields[12]);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string UniqueName(const std::string& what) {
  return what + std::to_string(getpid()) + "x" +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
}

std::string PublishPath(const std::string& kind, const std::string& name) {
  return kind == "nchan" ? "/pub/" + name : "/v1/stream/" + name;
}

bool CreateStream(int port, const std::string& kind, const std::string& name) {
  if (kind == "nchan") return true;  // a channel exists once published to
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  const int status = Call(session, "PUT", PublishPath(kind, name), "");
  if (status >= 300) std::fprintf(stderr, "creating stream %s answered %d\n", name.c_str(), status);
  return status < 300;
}

}  // namespace scribe::bench
