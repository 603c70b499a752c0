// Keep-alive connections on the real scribed: one connection takes up to
// 1,000 requests and says `Connection: close` on the last one it answers;
// an idle one is closed after --keep-alive-ms.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>

#include "tests/e2e/host_fixture.h"

namespace scribe::testing {
namespace {

class KeepAliveTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--keep-alive-ms", "300"}; }

  int Connect() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval timeout{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
  }

  // Sends GET /healthz and reads its whole answer (head and the body its
  // Content-Length gives); "" when the connection ended first.
  static std::string Ask(int fd) {
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) return "";
    std::string answer;
    char buffer[4096];
    for (;;) {
      size_t head_end = answer.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t at = answer.find("Content-Length: ");
        size_t length = at == std::string::npos ? 0 : std::stoul(answer.substr(at + 16));
        if (answer.size() >= head_end + 4 + length) return answer;
      }
      ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) return "";
      answer.append(buffer, static_cast<size_t>(got));
    }
  }

  // Whether the host closed the connection (EOF before the 10 s time-out).
  static bool ClosedByHost(int fd) {
    char byte;
    return recv(fd, &byte, 1, 0) == 0;
  }
};

TEST_F(KeepAliveTest, AConnectionTakesAThousandRequestsAndSaysSoOnTheLast) {
  int fd = Connect();
  for (int i = 1; i <= 1000; ++i) {
    std::string answer = Ask(fd);
    ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << "request " << i;
    for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool closing = answer.find("connection: close") != std::string::npos;
    ASSERT_EQ(closing, i == 1000) << "request " << i;
  }
  EXPECT_TRUE(ClosedByHost(fd));
  close(fd);
}

TEST_F(KeepAliveTest, AnIdleConnectionIsClosedAfterTheKeepAliveTime) {
  int fd = Connect();
  ASSERT_EQ(Ask(fd).rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_TRUE(ClosedByHost(fd));  // after 300 ms, well before the 10 s time-out
  close(fd);
}

}  // namespace
}  // namespace scribe::testing
