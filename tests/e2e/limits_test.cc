// Per-key limits: submissions per minute (429 with Retry-After), jobs queued
// or running at once, and live viewers per job and per key. Each refusal is
// a 429 JSON error that leaves everything else as it was.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/e2e/host_fixture.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

class LimitsTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override {
    return {"--auth",
            "on",
            "--submissions-per-minute",
            "3",
            "--max-active-jobs-per-key",
            "2",
            "--max-viewers-per-job",
            "2",
            "--max-viewers-per-key",
            "3"};
  }
  std::string CreateKey(const std::string& name) {
    ProcessResult created = RunProcess({BinDir() + "/scribectl", "--db", dir_.File("scribe.db"),
                                        "keys", "create", "--name", name});
    EXPECT_EQ(created.exit_code, 0) << created.err;
    return created.out.substr(0, created.out.find('\n'));
  }
  HttpResponse Submit(const std::string& key, double pace) {
    nlohmann::json body = {{"content", Document(2)}, {"params", {{"chunks_per_second", pace}}}};
    return Http(port(), "POST", "/api/jobs", body.dump(), "application/json",
                {{"Authorization", "Bearer " + key}});
  }
  // Opens /events as `key` and reads the status line: the HTTP status, with
  // the socket left open (the viewer stays) when it is 200.
  int OpenViewer(const std::string& key, const std::string& id, int& fd) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return -1;
    std::string request = "GET /api/jobs/" + id +
                          "/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                          "\r\nAccept: text/event-stream\r\n\r\n";
    if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
      return -1;
    char line[13] = {};
    if (read(fd, line, 12) != 12) return -1;
    return std::atoi(line + 9);
  }
  void ExpectTooMany(const HttpResponse& response, const std::string& code) {
    EXPECT_EQ(response.status, 429) << response.body;
    EXPECT_EQ(response.Json()["error"]["code"], code) << response.body;
    EXPECT_GE(std::atoi(response.Header("retry-after").c_str()), 1) << response.body;
  }
};

TEST_F(LimitsTest, SubmissionsPerMinuteAreCountedPerKey) {
  std::string alice = CreateKey("alice");
  std::string bob = CreateKey("bob");
  // Refused requests spend nothing of the budget.
  for (int i = 0; i < 3; ++i) {
    HttpResponse bad = Http(port(), "POST", "/api/jobs", R"({"content":"x","provider":"nobody"})",
                            "application/json", {{"Authorization", "Bearer " + alice}});
    ASSERT_EQ(bad.status, 400) << bad.body;
  }
  for (int i = 0; i < 2; ++i) ASSERT_EQ(Submit(alice, 0).status, 201);
  // Wait for both to finish: the active-jobs limit (2) is not what stops the next.
  for (int i = 0; i < 200; ++i) {
    nlohmann::json jobs = Http(port(), "GET", "/api/jobs?state=queued,running", "", "",
                               {{"Authorization", "Bearer " + alice}})
                              .Json()["jobs"];
    if (jobs.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Submit(alice, 0).status, 201);
  ExpectTooMany(Submit(alice, 0), "rate_limited");
  EXPECT_EQ(Submit(bob, 0).status, 201) << "another key has its own budget";
}

TEST_F(LimitsTest, ActiveJobsAndLiveViewersAreBounded) {
  std::string alice = CreateKey("alice");
  std::string first = Submit(alice, 2).Json()["id"];
  std::string second = Submit(alice, 2).Json()["id"];
  ExpectTooMany(Submit(alice, 2), "too_many_jobs");

  int fds[4] = {-1, -1, -1, -1};
  EXPECT_EQ(OpenViewer(alice, first, fds[0]), 200);
  EXPECT_EQ(OpenViewer(alice, first, fds[1]), 200);
  EXPECT_EQ(OpenViewer(alice, first, fds[2]), 429) << "two viewers per job";
  close(fds[2]);
  EXPECT_EQ(OpenViewer(alice, second, fds[2]), 200);
  EXPECT_EQ(OpenViewer(alice, second, fds[3]), 429) << "three viewers per key";
  close(fds[3]);

  // Cancelling ends the viewers of that job, which gives their places back,
  // and frees a job slot.
  ASSERT_EQ(Http(port(), "POST", "/api/jobs/" + first + "/cancel", "", "application/json",
                 {{"Authorization", "Bearer " + alice}})
                .status,
            200);
  int reopened = -1;
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    if (reopened >= 0) close(reopened);
    status = OpenViewer(alice, second, reopened);
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(Submit(alice, 0).status, 201);
  for (int fd : {fds[0], fds[1], fds[2], reopened}) close(fd);
}

}  // namespace
}  // namespace scribe::testing
