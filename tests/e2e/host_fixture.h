// A test fixture that runs the real scribed on 127.0.0.1 (ephemeral port)
// with a fresh database file and the real plugins.
#ifndef SCRIBE_TESTS_E2E_HOST_FIXTURE_H_
#define SCRIBE_TESTS_E2E_HOST_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "narrator.h"
#include "tests/support/clients.h"
#include "tests/support/host_process.h"

namespace scribe::testing {

class HostTest : public ::testing::Test {
 protected:
  // Flags for scribed beyond --listen/--db/--plugins.
  virtual std::vector<std::string> HostArgs() { return {}; }

  void SetUp() override { ASSERT_TRUE(StartHost()); }
  void TearDown() override {
    if (::testing::Test::HasFailure() && host_) std::cerr << "host log:\n" << host_->Log();
  }

  bool StartHost() {
    host_ = std::make_unique<HostProcess>(dir_.File("scribe.db"), HostArgs());
    return host_->Start();
  }
  int port() const { return host_->port(); }

 public:
  // A markdown document of `sections` sections whose narration is long
  // enough to watch: about 60 chunks per section.
  static std::string Document(int sections) {
    std::string doc = "# Field guide ✓\n\n";
    for (int i = 1; i <= sections; ++i) {
      doc += "## Part " + std::to_string(i) + " — Ünïcödé\n\n";
      doc += "This part explains idea number " + std::to_string(i) +
             ", which builds on the earlier ones and adds a twist 🎉. It is written so that it can "
             "be read aloud, with sentences that are long enough to be split into shorter ones by "
             "the narrator, because listeners follow short sentences more easily.\n\n";
      doc += "- First point of part " + std::to_string(i) + "\n- Second point, with «quotes»\n\n";
    }
    return doc;
  }
  // What the offline provider produces for Document(sections).
  static std::string Script(int sections) { return offline::Narrate("", Document(sections)); }

 protected:
  std::string Output(const std::string& job_id) {
    HttpResponse response = Http(port(), "GET", "/api/jobs/" + job_id + "/output");
    EXPECT_EQ(response.status, 200);
    return response.body;
  }

  TempDir dir_;
  std::unique_ptr<HostProcess> host_;
};

}  // namespace scribe::testing

#endif  // SCRIBE_TESTS_E2E_HOST_FIXTURE_H_
