// RateLimiter: at most N events per minute per key, as a token bucket that
// holds N tokens and refills one every 60/N seconds, so a quiet key may
// burst up to N at once.
//
// Thread safety: Take() may be called from any thread.
#ifndef SCRIBE_HOST_JOBS_RATE_LIMITER_H_
#define SCRIBE_HOST_JOBS_RATE_LIMITER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace scribe::jobs {

class RateLimiter {
 public:
  explicit RateLimiter(int per_minute) : per_minute_(per_minute) {}

  // Takes a token for `key` at `now_ms`: 0 when there was one, otherwise
  // how many milliseconds until there is (nothing is taken then).
  int64_t Take(const std::string& key, int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
  };
  const int per_minute_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace scribe::jobs

#endif  // SCRIBE_HOST_JOBS_RATE_LIMITER_H_
