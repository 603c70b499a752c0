#include "tools/scribectl/follow.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include "sse_parser.h"
#include "tools/scribectl/render.h"

namespace scribe::ctl {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// One event of the job's stream, applied to the follow's state.
class EventHandler {
 public:
  EventHandler(FollowResult& result, std::ostream& out, ProgressLine& progress,
               Clock::time_point start)
      : result_(result), out_(out), progress_(progress), start_(start) {}

  // False once the job has ended: stop reading.
  bool Handle(const plugin_common::SseEvent& event) {
    nlohmann::json data = nlohmann::json::parse(event.data, nullptr, false);
    if (event.event == "token" && data.is_object() && data["content"].is_string()) {
      const std::string& text = data["content"].get_ref<const std::string&>();
      out_.write(text.data(), static_cast<std::streamsize>(text.size()));
      out_.flush();
      result_.bytes_received += static_cast<int64_t>(text.size());
      int64_t end = 0;
      auto [ptr, error] = std::from_chars(event.id.data(), event.id.data() + event.id.size(), end);
      result_.offset = error == std::errc() && ptr == event.id.data() + event.id.size()
                           ? end
                           : result_.offset + static_cast<int64_t>(text.size());
      ShowProgress(false);
    } else if (event.event == "status") {
      note_ = "attempt " + std::to_string(data.value("attempt", 0)) + ": " +
              data.value("status", std::string());
      ShowProgress(true);
    } else if (event.event == "complete" || event.event == "error" || event.event == "cancelled") {
      result_.state = event.event == "complete" ? "succeeded"
                      : event.event == "error"  ? "failed"
                                                : "cancelled";
      result_.terminal = data;
      return false;
    }
    return true;
  }

 private:
  void ShowProgress(bool now) {
    int64_t elapsed = MillisSince(start_);
    if (!now && elapsed - last_shown_ms_ < 200) return;
    last_shown_ms_ = elapsed;
    double rate = elapsed > 0 ? static_cast<double>(result_.bytes_received) * 1000 / elapsed : 0;
    progress_.Show(FormatBytes(result_.bytes_received) + " received  " +
                   FormatBytes(static_cast<int64_t>(rate)) + "/s  " + FormatDuration(elapsed) +
                   "  at byte " + std::to_string(result_.offset) +
                   (note_.empty() ? "" : "  " + note_));
  }

  FollowResult& result_;
  std::ostream& out_;
  ProgressLine& progress_;
  const Clock::time_point start_;
  int64_t last_shown_ms_ = -1000;
  std::string note_;
};

}  // namespace

Result<FollowResult> Follow(HostClient& client, const std::string& job_id,
                            const FollowOptions& options, std::ostream& out,
                            ProgressLine& progress) {
  FollowResult result;
  result.offset = options.offset;
  const Clock::time_point start = Clock::now();
  Clock::time_point last_contact = start;
  int backoff_ms = 100;
  EventHandler handler(result, out, progress, start);
  for (;;) {
    plugin_common::SseParser parser;
    bool ended = false;
    Result<HostResponse> head = client.Stream(
        "/api/jobs/" + UrlEncode(job_id) + "/events?offset=" + std::to_string(result.offset),
        {{"Accept", "text/event-stream"}}, options.silence_ms, [&](std::string_view piece) {
          last_contact = Clock::now();
          backoff_ms = 100;
          return parser.Feed(piece, [&](const plugin_common::SseEvent& event) {
            ended = !handler.Handle(event);
            return !ended;
          });
        });
    if (ended) break;
    if (!head.ok() && head.status().code() != Code::kUnavailable) return head.status();
    if (MillisSince(last_contact) > options.reconnect_for_ms) {
      return Unavailable("host_unreachable",
                         "gave up after the host at " + client.base_url() +
                             " was unreachable for " + FormatDuration(options.reconnect_for_ms) +
                             "; resume with --from " + std::to_string(result.offset));
    }
    ++result.reconnects;
    progress.Notice("connection lost at byte " + std::to_string(result.offset) +
                    (head.ok() ? "" : " (" + head.status().message() + ")") + "; reconnecting");
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, 2000);
  }
  result.elapsed_ms = MillisSince(start);
  return result;
}

}  // namespace scribe::ctl
