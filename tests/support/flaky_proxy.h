// FlakyProxy: a TCP proxy on 127.0.0.1 in front of a host that misbehaves
// as a bad network or a restarting load balancer does. Each of the first
// `cuts` connections is closed after a random number of the server's bytes
// (anywhere, even inside an event or a character); later connections pass
// through whole. With Slice() the answer also arrives in random small
// pieces, and now and then stalls.
#ifndef SCRIBE_TESTS_SUPPORT_FLAKY_PROXY_H_
#define SCRIBE_TESTS_SUPPORT_FLAKY_PROXY_H_

#include <atomic>
#include <cstddef>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace scribe::testing {

class FlakyProxy {
 public:
  FlakyProxy(int target_port, int cuts, size_t min_bytes, size_t max_bytes, unsigned seed);
  ~FlakyProxy();
  FlakyProxy(const FlakyProxy&) = delete;
  FlakyProxy& operator=(const FlakyProxy&) = delete;

  // From now on: answers are forwarded in pieces of 1..max_piece bytes, and
  // one piece in `stall_one_in` waits stall_ms before it goes.
  void Slice(size_t max_piece, int stall_one_in, int stall_ms);

  int port() const { return port_; }
  // Connections cut so far.
  int cut() const { return cut_; }

 private:
  void AcceptLoop();
  void Pump(int client, size_t limit);

  const int target_port_;
  const size_t min_bytes_;
  const size_t max_bytes_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> max_piece_{0};  // 0: whole reads
  std::atomic<int> stall_one_in_{0};
  std::atomic<int> stall_ms_{0};
  std::atomic<int> cut_{0};
  int cuts_left_;
  std::mt19937 random_;  // used by the acceptor thread only
  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;  // last: started once the rest exists
};

}  // namespace scribe::testing

#endif  // SCRIBE_TESTS_SUPPORT_FLAKY_PROXY_H_
