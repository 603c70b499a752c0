// The disk fills up under a running host: writes are refused with a clear
// 503, reads go on, nothing committed is lost or corrupted, and when space
// returns the host carries on — the interrupted job continues to its exact
// text. The full disk is a file-size limit (RLIMIT_FSIZE) set on the running
// host: every write to its database then fails as it would on a full disk.
#include <sys/resource.h>

#include "tests/e2e/host_fixture.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

class StorageFaultsTest : public HostTest {
 protected:
  // Limits how large the host may make any file: 1 byte is "the disk is full".
  void LimitFileSize(rlim_t bytes) {
    rlimit limit{bytes, RLIM_INFINITY};
    ASSERT_EQ(prlimit(host_->pid(), RLIMIT_FSIZE, &limit, nullptr), 0);
  }
};

TEST_F(StorageFaultsTest, AFullDiskRefusesWritesWith503AndTheHostRecoversWhenSpaceReturns) {
  std::string done = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), done, {"succeeded"});
  std::string running = SubmitOffline(port(), Document(8), 100);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (WaitForState(port(), running, {"running"})["output_bytes"].get<int64_t>() < 300 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  LimitFileSize(1);
  for (int i = 0; i < 3; ++i) {  // the first may be taken by the writer's queue
    HttpResponse refused = Http(port(), "POST", "/api/jobs",
                                nlohmann::json{{"content", "x"}, {"provider", "offline"}}.dump());
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.Json()["error"]["code"].get<std::string>().rfind("storage_", 0), 0u)
        << refused.body;
  }
  EXPECT_EQ(Http(port(), "POST", "/api/documents", "text", "text/plain").status, 503);
  // Reads go on: the finished job, whole.
  EXPECT_EQ(Output(done), Script(1));
  EXPECT_EQ(Http(port(), "GET", "/api/jobs").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the running job hits the wall

  LimitFileSize(RLIM_INFINITY);
  // The interrupted generation ends as a retryable storage failure that kept
  // its committed text; continuing it finishes the exact script.
  nlohmann::json failed = WaitForState(port(), running, {"failed", "succeeded"});
  ASSERT_EQ(failed["state"], "failed") << failed.dump();
  EXPECT_EQ(failed["error"]["code"], "storage_error");
  EXPECT_TRUE(failed["error"]["retryable"].get<bool>());
  std::string partial = Output(running);
  EXPECT_EQ(partial, Script(8).substr(0, partial.size()));
  ASSERT_EQ(Http(port(), "POST", "/api/jobs/" + running + "/continue").status, 200);
  EXPECT_EQ(WaitForState(port(), running, {"succeeded", "failed"})["state"], "succeeded");
  EXPECT_EQ(Output(running), Script(8));
  // New work is taken again.
  std::string after = SubmitOffline(port(), Document(2), 0);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(WaitForState(port(), after, {"succeeded"})["state"], "succeeded");

  ASSERT_EQ(host_->Stop(), 0);
  ProcessResult check =
      RunProcess({BinDir() + "/scribectl", "--db", dir_.File("scribe.db"), "db", "check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

}  // namespace
}  // namespace scribe::testing
