#include "host/jobs/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace scribe::jobs {

RetryPlan::RetryPlan(const RetryOptions& options, std::vector<Route> routes,
                     std::function<double()> jitter)
    : options_(options), routes_(std::move(routes)), jitter_(std::move(jitter)) {
  if (routes_.empty()) routes_.push_back(Route{});
}

int64_t RetryPlan::Backoff() const {
  double exponential = static_cast<double>(options_.backoff_base_ms) *
                       std::pow(2.0, std::max(0, tries_on_route_ - 1));
  double capped = std::min(exponential, static_cast<double>(options_.backoff_max_ms));
  return static_cast<int64_t>(capped + jitter_() * static_cast<double>(options_.backoff_base_ms));
}

RetryPlan::Step RetryPlan::AfterFailure(const store::JobError& error, int64_t retry_after_ms,
                                        bool bytes_exist) {
  Step step;
  const std::string why = error.code + (error.detail.empty() ? "" : " (" + error.detail + ")");
  if (bytes_exist) {
    if (!error.retryable || continues_ >= options_.auto_continues) return step;
    ++continues_;
    step.again = true;
    step.delay_ms = retry_after_ms >= 0 ? std::min(retry_after_ms, options_.retry_after_cap_ms) : 0;
    step.note = "continuing after " + why + " (automatic continue " + std::to_string(continues_) +
                " of " + std::to_string(options_.auto_continues) + ")";
    return step;
  }
  if (error.retryable && tries_on_route_ < options_.tries_per_provider) {
    step.delay_ms =
        retry_after_ms >= 0 ? std::min(retry_after_ms, options_.retry_after_cap_ms) : Backoff();
    ++tries_on_route_;
    step.again = true;
    step.note = "retrying " + route().provider + " after " + why + " (try " +
                std::to_string(tries_on_route_) + " of " +
                std::to_string(options_.tries_per_provider) + ")";
    return step;
  }
  bool unavailable = error.retryable || error.code == "provider_not_configured";
  if (unavailable && route_index_ + 1 < routes_.size()) {
    ++route_index_;
    tries_on_route_ = 1;
    step.again = true;
    step.note = "falling back to " + route().provider +
                (route().model.empty() ? "" : " " + route().model) + " after " + why;
  }
  return step;
}

}  // namespace scribe::jobs
