#include "host/store/types.h"

#include <cctype>

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

bool IsJsonContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) return false;
  for (size_t i = 0; i < media.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kJson[i]) return false;
  }
  return true;
}

std::optional<int64_t> StreamInfo::ExpiryMs() const {
  if (ttl_seconds) return accessed_ms + *ttl_seconds * 1000;
  return expires_at_ms;
}

}  // namespace scribe::store
