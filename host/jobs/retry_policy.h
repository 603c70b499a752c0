// RetryPolicy: what the host does after a failed attempt (DESIGN.md §5).
//
//   before the job's first byte, a retryable failure (429 with a delay,
//   5xx, connect error, timeout) is retried on the same provider with
//   exponential backoff and jitter (a provider's retry delay is honoured, up
//   to a cap); when those tries are used up — or the provider is not
//   configured — the next {provider, model} of the fallback chain is tried;
//   once bytes exist, nothing is ever resent from scratch: a retryable
//   failure continues the job after its last byte, up to `auto_continues`
//   times; then the job fails, retryable, with its partial output kept.
//
// Pure logic: the dispatcher asks, and sleeps and runs as told.
#ifndef SCRIBE_HOST_JOBS_RETRY_POLICY_H_
#define SCRIBE_HOST_JOBS_RETRY_POLICY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/store/types.h"

namespace scribe::jobs {

struct RetryOptions {
  int tries_per_provider = 3;  // first try included
  int64_t backoff_base_ms = 1000;
  int64_t backoff_max_ms = 30000;
  int64_t retry_after_cap_ms = 60000;
  int auto_continues = 2;
};

struct Route {
  std::string provider;
  std::string model;  // empty: the provider's default
};

class RetryPlan {
 public:
  // `routes` is the job's provider, then its fallback chain; `jitter` returns
  // a uniform value in [0, 1).
  RetryPlan(const RetryOptions& options, std::vector<Route> routes, std::function<double()> jitter);

  struct Step {
    bool again = false;  // false: the job fails
    int64_t delay_ms = 0;
    std::string note;  // why, for the job's history
  };
  // Decides after a failed attempt. `bytes_exist`: the job has output.
  Step AfterFailure(const store::JobError& error, int64_t retry_after_ms, bool bytes_exist);

  const Route& route() const { return routes_[route_index_]; }

 private:
  int64_t Backoff() const;

  const RetryOptions options_;
  std::vector<Route> routes_;
  std::function<double()> jitter_;
  size_t route_index_ = 0;
  int tries_on_route_ = 1;
  int continues_ = 0;
};

}  // namespace scribe::jobs

#endif  // SCRIBE_HOST_JOBS_RETRY_POLICY_H_
