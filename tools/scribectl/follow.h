// Follow: streams a job's text from a byte offset to its end over the
// host's SSE endpoint, reconnecting on its own whenever the connection
// drops or the host restarts, and resuming at the last byte received, so
// the text written is exactly the job's output from that offset: nothing
// repeated, nothing missing.
//
// Thread safety: call from one thread.
#ifndef SCRIBE_TOOLS_SCRIBECTL_FOLLOW_H_
#define SCRIBE_TOOLS_SCRIBECTL_FOLLOW_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "host/common/status.h"
#include "tools/scribectl/host_client.h"
#include "tools/scribectl/progress.h"

namespace scribe::ctl {

struct FollowOptions {
  int64_t offset = 0;
  // Give up when the host has been unreachable this long.
  int64_t reconnect_for_ms = 10 * 60 * 1000;
  // Reconnect when nothing, not even a heartbeat, came for this long (the
  // host sends one at least every 15 s).
  int silence_ms = 45'000;
};

struct FollowResult {
  std::string state;           // succeeded, failed or cancelled
  nlohmann::json terminal;     // the data of the event that ended the job
  int64_t offset = 0;          // the end of the job's output
  int64_t bytes_received = 0;  // text written by this follow
  int reconnects = 0;
  int64_t elapsed_ms = 0;
};

Result<FollowResult> Follow(HostClient& client, const std::string& job_id,
                            const FollowOptions& options, std::ostream& out,
                            ProgressLine& progress);

}  // namespace scribe::ctl

#endif  // SCRIBE_TOOLS_SCRIBECTL_FOLLOW_H_
