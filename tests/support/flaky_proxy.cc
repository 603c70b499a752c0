#include "tests/support/flaky_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace scribe::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

FlakyProxy::FlakyProxy(int target_port, int cuts, size_t min_bytes, size_t max_bytes, unsigned seed)
    : target_port_(target_port),
      min_bytes_(min_bytes),
      max_bytes_(max_bytes),
      cuts_left_(cuts),
      random_(seed) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(0);
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
  listen(listen_fd_, 64);
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FlakyProxy::~FlakyProxy() {
  stop_ = true;
  acceptor_.join();
  std::lock_guard<std::mutex> lock(threads_mu_);
  for (std::thread& thread : threads_) thread.join();
  close(listen_fd_);
}

void FlakyProxy::AcceptLoop() {
  while (!stop_) {
    pollfd fd{listen_fd_, POLLIN, 0};
    if (poll(&fd, 1, 50) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    size_t limit = std::numeric_limits<size_t>::max();
    if (cuts_left_ > 0) {
      --cuts_left_;
      limit = std::uniform_int_distribution<size_t>(min_bytes_, max_bytes_)(random_);
    }
    std::lock_guard<std::mutex> lock(threads_mu_);
    threads_.emplace_back([this, client, limit] { Pump(client, limit); });
  }
}

void FlakyProxy::Slice(size_t max_piece, int stall_one_in, int stall_ms) {
  stall_one_in_ = stall_one_in;
  stall_ms_ = stall_ms;
  max_piece_ = max_piece;
}

void FlakyProxy::Pump(int client, size_t limit) {
  int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(target_port_);
  if (connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(server);
    close(client);
    return;
  }
  size_t sent_down = 0;
  char buffer[4096];
  while (!stop_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (poll(fds, 2, 50) <= 0) continue;
    if (fds[0].revents) {  // request bytes: pass them on
      ssize_t n = read(client, buffer, sizeof buffer);
      if (n <= 0 || write(server, buffer, static_cast<size_t>(n)) != n) break;
    }
    if (fds[1].revents) {  // answer bytes: pass them on up to the limit
      ssize_t n = read(server, buffer, sizeof buffer);
      if (n <= 0) break;
      size_t pass = std::min(static_cast<size_t>(n), limit - sent_down);
      bool failed = false;
      for (size_t at = 0; at < pass && !failed;) {
        size_t piece = pass - at;
        if (size_t max_piece = max_piece_; max_piece > 0) {
          piece = std::min(piece, 1 + static_cast<size_t>(random() % max_piece));
          if (stall_one_in_ > 0 && random() % stall_one_in_ == 0) usleep(stall_ms_ * 1000);
        }
        failed = write(client, buffer + at, piece) != static_cast<ssize_t>(piece);
        at += piece;
      }
      if (failed) break;
      sent_down += pass;
      if (sent_down >= limit) {
        ++cut_;
        break;
      }
    }
  }
  close(server);
  close(client);
}

}  // namespace scribe::testing
