#include "tools/bench/bench.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

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

int ConnectGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string request = "GET " + path +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                              "Cache-Control: no-cache\r\n\r\n";
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

long RssKiB(long pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
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
