#include "host/jobs/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace scribe::jobs {

int64_t RateLimiter::Take(const std::string& key, int64_t now_ms) {
  if (per_minute_ <= 0) return 0;
  const double capacity = per_minute_;
  const double per_ms = capacity / 60'000.0;
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{capacity, now_ms});
  Bucket& bucket = it->second;
  if (!inserted) {
    bucket.tokens = std::min(
        capacity, bucket.tokens + per_ms * static_cast<double>(now_ms - bucket.updated_ms));
    bucket.updated_ms = now_ms;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return static_cast<int64_t>(std::ceil((1 - bucket.tokens) / per_ms));
}

}  // namespace scribe::jobs
