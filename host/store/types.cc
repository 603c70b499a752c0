#include "host/store/types.h"

namespace scribe::store {

std::string_view ToString(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
    case JobState::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

std::optional<JobState> ParseJobState(std::string_view text) {
  for (JobState state : kAllJobStates) {
    if (ToString(state) == text) return state;
  }
  return std::nullopt;
}

Result<std::vector<JobState>> ParseJobStates(std::string_view list) {
  std::vector<JobState> states;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name.empty()) continue;
    std::optional<JobState> state = ParseJobState(name);
    if (!state) {
      return InvalidArgument("invalid_state",
                             "unknown state '" + std::string(name) +
                                 "' (queued, running, succeeded, failed, cancelled, interrupted)");
    }
    states.push_back(*state);
  }
  return states;
}

bool IsFinished(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

}  // namespace scribe::store
