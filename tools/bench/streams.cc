// scribe_bench appends and catchup: issue #8's W2 and W3 against Scribe or
// a peer on loopback.
//
//   scribe_bench appends --target scribe|ds|nchan --port P [--connections 8] [--seconds 10]
//       Keep-alive connections each posting 64-byte messages to one stream as
//       fast as the server answers; appends per second.
//   scribe_bench catchup --target scribe|ds|nchan --port P [--messages 160000]
//       Fills a stream with that many 64-byte messages, then reads it whole
//       from the start and from the middle, as plain GETs (following
//       Stream-Next-Offset until up to date) and over SSE; time to the first
//       and the last byte of each. nchan has no plain read; its SSE read
//       replays its buffer from the oldest message.
//
// Prints a human line and a `RESULT {json}` line per measure.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/bench.h"

namespace scribe::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string Token(int64_t position) {
  std::string digits = std::to_string(position);
  return "0000000000000000_" + std::string(16 - digits.size(), '0') + digits;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Payload(int64_t seq) {
  std::string message = "m" + std::to_string(seq) + " ";
  message.resize(63, 'x');
  return message + "\n";
}

void Report(nlohmann::json result) {
  std::printf("RESULT %s\n", result.dump().c_str());
  std::fflush(stdout);
}

// Posts `count` messages (or for `seconds`) over `connections` keep-alive
// connections; returns how many were accepted.
int64_t Post(int port, const std::string& path, int connections, int64_t count, double seconds,
             std::atomic<int64_t>& errors) {
  std::atomic<int64_t> next{0}, accepted{0};
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
      session.setKeepAlive(true);
      for (;;) {
        int64_t seq = next++;
        if (seq >= count || Clock::now() > deadline) return;
        try {
          if (Call(session, "POST", path, Payload(seq)) < 300) {
            ++accepted;
          } else {
            ++errors;
          }
        } catch (const std::exception&) {
          ++errors;
          session.reset();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return accepted;
}

struct Read {
  double first_ms = -1;
  double last_ms = -1;
  int64_t bytes = 0;
  int requests = 0;
};

// Plain catch-up GETs from `offset`, following Stream-Next-Offset until the
// answer says it is up to date.
Read PlainRead(int port, const std::string& name, const std::string& offset) {
  Read read;
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setKeepAlive(true);
  const auto start = Clock::now();
  std::string at = offset;
  for (int guard = 0; guard < 100000; ++guard) {
    Poco::Net::HTTPRequest request("GET", "/v1/stream/" + name + "?offset=" + at,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      if (read.first_ms < 0) read.first_ms = Ms(Clock::now() - start);
      read.bytes += in.gcount();
    }
    ++read.requests;
    if (response.getStatus() != 200) break;
    at = response.get("Stream-Next-Offset", at);
    if (response.get("Stream-Up-To-Date", "") == "true") break;
  }
  read.last_ms = Ms(Clock::now() - start);
  return read;
}

// An SSE read from `path` until `done(received)` says it has everything, or
// 5 minutes passed (on a plain socket: an answer that stays open must be
// read as it comes).
template <typename Done>
Read SseRead(int port, const std::string& path, Done done) {
  Read read;
  const auto start = Clock::now();
  int fd = ConnectGet(port, path);
  if (fd < 0) return read;
  timeval timeout{120, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string received;
  char buffer[1 << 16];
  for (;;) {
    ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    if (read.first_ms < 0) read.first_ms = Ms(Clock::now() - start);
    received.append(buffer, static_cast<size_t>(got));
    read.bytes += got;
    if (done(received) || Ms(Clock::now() - start) > 300000) break;  // 5 minutes at most
  }
  close(fd);
  read.last_ms = Ms(Clock::now() - start);
  read.requests = 1;
  return read;
}

}  // namespace

int Appends(const Args& args) {
  const int port = static_cast<int>(args.Get("port", 8080));
  const std::string kind = args.Text("target", "scribe");
  const int connections = static_cast<int>(args.Get("connections", 8));
  const double seconds = static_cast<double>(args.Get("seconds", 10));
  const std::string name = UniqueName("appends");
  if (!CreateStream(port, kind, name)) return 1;
  std::atomic<int64_t> errors{0};
  const auto start = Clock::now();
  int64_t accepted = Post(port, PublishPath(kind, name), connections, INT64_MAX, seconds, errors);
  const double elapsed = Ms(Clock::now() - start) / 1000;
  std::printf("appends %s: %lld in %.2f s over %d connections = %.0f appends/s; errors %lld\n",
              kind.c_str(), static_cast<long long>(accepted), elapsed, connections,
              accepted / elapsed, static_cast<long long>(errors.load()));
  Report({{"workload", "appends"},
          {"target", kind},
          {"connections", connections},
          {"appends", accepted},
          {"seconds", elapsed},
          {"appends_per_second", accepted / elapsed},
          {"errors", errors.load()}});
  return errors == 0 && accepted > 0 ? 0 : 1;
}

int Catchup(const Args& args) {
  const int port = static_cast<int>(args.Get("port", 8080));
  const std::string kind = args.Text("target", "scribe");
  const int64_t messages = args.Get("messages", 160000);
  const std::string name = UniqueName("catchup");
  if (!CreateStream(port, kind, name)) return 1;
  std::atomic<int64_t> errors{0};
  int64_t filled = Post(port, PublishPath(kind, name), 8, messages, 600, errors);
  if (filled != messages) {
    std::fprintf(stderr, "catchup: filled %lld of %lld messages\n", static_cast<long long>(filled),
                 static_cast<long long>(messages));
    return 1;
  }
  const int64_t total = messages * 64;
  int failures = 0;
  auto report = [&](const std::string& mode, const std::string& from, const Read& read,
                    int64_t expected) {
    const bool whole = read.bytes >= expected;
    if (!whole) ++failures;
    std::printf(
        "catchup %s %s from %s: first byte %.1f ms, last byte %.1f ms, %lld bytes in %d "
        "requests%s\n",
        kind.c_str(), mode.c_str(), from.c_str(), read.first_ms, read.last_ms,
        static_cast<long long>(read.bytes), read.requests, whole ? "" : " (INCOMPLETE)");
    Report({{"workload", "catchup"},
            {"target", kind},
            {"mode", mode},
            {"from", from},
            {"messages", messages},
            {"first_byte_ms", read.first_ms},
            {"last_byte_ms", read.last_ms},
            {"bytes", read.bytes},
            {"expected_bytes", expected},
            {"requests", read.requests}});
  };
  if (kind == "nchan") {
    // Every message is one event ending "\n\n": count them.
    report("sse", "start",
           SseRead(port, "/sub/" + name,
                   [&](const std::string& received) {
                     int64_t events = 0;
                     for (size_t at = received.find("\n\n"); at != std::string::npos;
                          at = received.find("\n\n", at + 2)) {
                       ++events;
                     }
                     return events >= messages;
                   }),
           total);
    return failures == 0 ? 0 : 1;
  }
  for (const auto& [from, offset, expected] :
       {std::tuple<std::string, std::string, int64_t>{"start", "-1", total},
        std::tuple<std::string, std::string, int64_t>{"middle", Token(total / 2), total / 2}}) {
    report("plain", from, PlainRead(port, name, offset), expected);
    // The SSE read is done at the control event that says it is up to date.
    report("sse", from,
           SseRead(port, "/v1/stream/" + name + "?offset=" + offset + "&live=sse",
                   [](const std::string& received) {
                     return received.find("\"upToDate\":true") != std::string::npos;
                   }),
           expected);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace scribe::bench
