// ReadDeadlines: a total time limit on reading a request's head or body.
//
// A socket's receive timeout bounds each read, not the whole: a client that
// sends one byte just before every timeout (slowloris) would hold a request
// thread for ever. While a Guard is armed, one watchdog thread shuts down
// the receiving side of the socket once the deadline passes, which ends any
// read blocked on it (EOF); the reader then asks the guard whether that is
// why and answers 408. The sending side stays open for that answer.
//
// Thread safety: Arm() and the Guards may be used from any thread. A Guard
// belongs to the thread that reads the socket and must be destroyed before
// the socket is closed.
#ifndef SCRIBE_HOST_HTTP_READ_DEADLINES_H_
#define SCRIBE_HOST_HTTP_READ_DEADLINES_H_

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace scribe::http {

class ReadDeadlines {
 public:
  using Clock = std::chrono::steady_clock;

  class Guard {
   public:
    Guard() = default;  // armed on nothing
    Guard(Guard&& other) noexcept;
    Guard& operator=(Guard&& other) noexcept;  // disarms this one first
    ~Guard();                                  // disarms

    // Disarms; true when the deadline had already cut the socket off.
    bool Expired();

   private:
    friend class ReadDeadlines;
    Guard(ReadDeadlines* owner, uint64_t ticket) : owner_(owner), ticket_(ticket) {}
    ReadDeadlines* owner_ = nullptr;
    uint64_t ticket_ = 0;
  };

  ReadDeadlines();
  ~ReadDeadlines();
  ReadDeadlines(const ReadDeadlines&) = delete;
  ReadDeadlines& operator=(const ReadDeadlines&) = delete;

  // Reads of `socket` end `timeout` from now unless the Guard is gone first.
  Guard Arm(const Poco::Net::StreamSocket& socket, std::chrono::milliseconds timeout);

 private:
  struct Entry {
    int fd;
    Clock::time_point deadline;
    bool expired = false;
  };

  bool Disarm(uint64_t ticket);
  void Run();

  std::mutex mu_;
  std::condition_variable wake_;
  // Guarded by mu_.
  std::map<uint64_t, Entry> entries_;  // by ticket
  uint64_t next_ticket_ = 1;
  Clock::time_point next_wake_ = Clock::time_point::min();  // when the watchdog wakes
  bool stopping_ = false;

  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_READ_DEADLINES_H_
