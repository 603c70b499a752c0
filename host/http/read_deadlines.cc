#include "host/http/read_deadlines.h"

#include <sys/socket.h>

#include <utility>

namespace scribe::http {

ReadDeadlines::Guard::Guard(Guard&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), ticket_(other.ticket_) {}

ReadDeadlines::Guard& ReadDeadlines::Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    Expired();
    owner_ = std::exchange(other.owner_, nullptr);
    ticket_ = other.ticket_;
  }
  return *this;
}

ReadDeadlines::Guard::~Guard() { Expired(); }

bool ReadDeadlines::Guard::Expired() {
  if (owner_ == nullptr) return false;
  return std::exchange(owner_, nullptr)->Disarm(ticket_);
}

ReadDeadlines::ReadDeadlines() : thread_([this] { Run(); }) {}

ReadDeadlines::~ReadDeadlines() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

ReadDeadlines::Guard ReadDeadlines::Arm(const Poco::Net::StreamSocket& socket,
                                        std::chrono::milliseconds timeout) {
  std::lock_guard lock(mu_);
  uint64_t ticket = next_ticket_++;
  Clock::time_point deadline = Clock::now() + timeout;
  entries_.emplace(ticket, Entry{socket.impl()->sockfd(), deadline});
  // Deadlines are mostly "now + the same timeout", so the watchdog rarely
  // needs waking: only when this one comes before the one it waits for.
  if (deadline < next_wake_) wake_.notify_one();
  return Guard(this, ticket);
}

bool ReadDeadlines::Disarm(uint64_t ticket) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(ticket);
  if (it == entries_.end()) return false;
  bool expired = it->second.expired;
  entries_.erase(it);
  return expired;
}

void ReadDeadlines::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    Clock::time_point now = Clock::now();
    Clock::time_point next = Clock::time_point::max();
    for (auto& [ticket, entry] : entries_) {
      if (entry.expired) continue;
      if (entry.deadline <= now) {
        // The fd is still open: its reader disarms (under mu_) before closing.
        ::shutdown(entry.fd, SHUT_RD);
        entry.expired = true;
      } else if (entry.deadline < next) {
        next = entry.deadline;
      }
    }
    next_wake_ = next;
    if (next == Clock::time_point::max()) {
      wake_.wait(lock);
    } else {
      wake_.wait_until(lock, next);
    }
  }
}

}  // namespace scribe::http
