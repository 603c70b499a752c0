// scribe_bench appends and catchup: issue #8's W2 and W3 against Scribe or
// a peer on loopback.
//
//   scribe_bench appends --target scribe|ds|nchan --port P [--connections 8] [--seconds 10]
//       Keep-alive connections each posting 64-byte messages to one stream as
//       fast as the server answers; appends per second. Against Scribe, then
//       the same connections on GET /healthz: its HTTP layer's ceiling.
//   scribe_bench catchup --target scribe|ds|nchan --port P [--messages 160000]
//       Fills a stream with that many 64-byte messages, then reads it whole
//       from the start and from the middle, as plain GETs (following
//       Stream-Next-Offset until up to date) and over SSE; time to the first
//       and the last byte of each. nchan has no plain read; its SSE read
//       replays its buffer from the oldest message.
//   scribe_bench slow-viewers --port P --pid SCRIBED_PID [--viewers 1000] [--seconds 10]
//       The appends above alone, then again beside viewers of the stream
//       that take one byte a second each (once the host has filled what it
//       holds for them and gone quiet); the producer's rate in both and the
//       host's memory.
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

// Sends requests over `connections` keep-alive connections until `count`
// were sent or `seconds` passed; `body(n)` is the n-th request's body (a
// POST) or empty (a GET). Returns how many were answered with a 2xx.
template <typename Body>
int64_t Hammer(int port, const std::string& path, int connections, int64_t count, double seconds,
               Body body, std::atomic<int64_t>& errors) {
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
          const std::string text = body(seq);
          if (Call(session, text.empty() ? "GET" : "POST", path, text) < 300) {
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

// Posts `count` messages (or for `seconds`); how many were accepted.
int64_t Post(int port, const std::string& path, int connections, int64_t count, double seconds,
             std::atomic<int64_t>& errors) {
  return Hammer(port, path, connections, count, seconds, Payload, errors);
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

// Sends requests as Hammer does for `seconds`; prints and reports their rate
// and the server's CPU time per request. Returns how many were answered 2xx.
template <typename Body>
int64_t Measure(const Args& args, const std::string& workload, const std::string& path, Body body,
                std::atomic<int64_t>& errors) {
  const int port = static_cast<int>(args.Get("port", 8080));
  const std::string kind = args.Text("target", "scribe");
  const int connections = static_cast<int>(args.Get("connections", 8));
  const double seconds = static_cast<double>(args.Get("seconds", 10));
  const long pid = args.Get("pid", -1);
  const double cpu_before = CpuSeconds(pid);
  const auto start = Clock::now();
  int64_t answered = Hammer(port, path, connections, INT64_MAX, seconds, body, errors);
  const double elapsed = Ms(Clock::now() - start) / 1000;
  const double cpu = CpuSeconds(pid) - cpu_before;
  const double cpu_us = answered > 0 ? cpu * 1e6 / static_cast<double>(answered) : 0;
  std::printf(
      "%s %s: %lld in %.2f s over %d connections = %.0f/s; server CPU %.2f s, %.0f us "
      "each; errors %lld\n",
      workload.c_str(), kind.c_str(), static_cast<long long>(answered), elapsed, connections,
      answered / elapsed, cpu, cpu_us, static_cast<long long>(errors.load()));
  Report({{"workload", workload},
          {"target", kind},
          {"connections", connections},
          {"requests", answered},
          {"seconds", elapsed},
          {"requests_per_second", answered / elapsed},
          {"server_cpu_seconds", cpu},
          {"server_cpu_us_per_request", cpu_us},
          {"errors", errors.load()}});
  return answered;
}

}  // namespace

int Appends(const Args& args) {
  const int port = static_cast<int>(args.Get("port", 8080));
  const std::string kind = args.Text("target", "scribe");
  const std::string name = UniqueName("appends");
  if (!CreateStream(port, kind, name)) return 1;
  std::atomic<int64_t> errors{0};
  int64_t accepted = Measure(args, "appends", PublishPath(kind, name), Payload, errors);
  if (kind != "scribe") return errors == 0 && accepted > 0 ? 0 : 1;

  // Scribe's HTTP layer alone, in the same run: GET /healthz (parsed,
  // routed and answered in JSON, touching no store) as fast as answered.
  std::atomic<int64_t> ceiling_errors{0};
  int64_t answered = Measure(
      args, "http_ceiling", "/healthz", [](int64_t) { return std::string(); }, ceiling_errors);
  std::printf(
      "appends are %.0f%% of Scribe's HTTP ceiling\n",
      answered > 0 ? 100.0 * static_cast<double>(accepted) / static_cast<double>(answered) : 0.0);
  return errors == 0 && ceiling_errors == 0 && accepted > 0 ? 0 : 1;
}

int SlowViewers(const Args& args) {
  const int port = static_cast<int>(args.Get("port", 8080));
  const long viewers = args.Get("viewers", 1000);
  const double seconds = static_cast<double>(args.Get("seconds", 10));
  const long pid = args.Get("pid", -1);
  const std::string name = UniqueName("slow");
  if (!CreateStream(port, "scribe", name)) return 1;
  const std::string path = PublishPath("scribe", name);

  // The producer alone: its appends/s and the server's CPU per append.
  std::atomic<int64_t> errors{0};
  int64_t alone = Measure(args, "producer_alone", path, Payload, errors);
  const long rss_alone = RssKiB(pid);

  // Viewers of the whole stream (behind from its first byte), each with a
  // 4 KiB receive buffer and taking one byte a second; the producer again.
  std::vector<int> fds;
  for (long i = 0; i < viewers; ++i) {
    int fd = ConnectGet(port, "/v1/stream/" + name + "?offset=-1&live=sse", 4096);
    if (fd < 0) break;
    fds.push_back(fd);
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> slow_bytes{0};
  std::atomic<long> rss_max{0};
  std::thread readers([&] {
    auto next = Clock::now();
    while (!stop) {
      for (int fd : fds) {
        char byte;
        if (recv(fd, &byte, 1, MSG_DONTWAIT) == 1) ++slow_bytes;
      }
      rss_max = std::max(rss_max.load(), RssKiB(pid));
      next += std::chrono::seconds(1);
      while (!stop && Clock::now() < next)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  // Until the host has filled what each viewer may hold (its bounded
  // buffers) and goes quiet: the producer is measured beside them after.
  const auto settle_start = Clock::now();
  const double cpu_at_attach = CpuSeconds(pid);
  for (double before = cpu_at_attach; Ms(Clock::now() - settle_start) < 30000;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double now = CpuSeconds(pid);
    if (now - before < 0.05 && Ms(Clock::now() - settle_start) > 1000) break;
    before = now;
  }
  const double settle_ms = Ms(Clock::now() - settle_start);
  const double fill_cpu = CpuSeconds(pid) - cpu_at_attach;
  const long rss_attached = RssKiB(pid);
  int64_t beside = Measure(args, "producer_beside_slow_viewers", path, Payload, errors);
  stop = true;
  readers.join();
  for (int fd : fds) close(fd);

  const double ratio = alone > 0 ? static_cast<double>(beside) / static_cast<double>(alone) : 0;
  std::printf(
      "slow viewers: %zu of %ld connected, filled in %.1f s (server CPU %.2f s), %lld bytes "
      "taken; producer beside them at %.0f%% of its rate alone; server RSS %ld KiB alone, %ld "
      "KiB with the viewers attached, max %ld KiB\n",
      fds.size(), viewers, settle_ms / 1000, fill_cpu, static_cast<long long>(slow_bytes.load()),
      100 * ratio, rss_alone, rss_attached, rss_max.load());
  Report({{"workload", "slow_viewers"},
          {"target", "scribe"},
          {"viewers", fds.size()},
          {"seconds", seconds},
          {"slow_bytes_taken", slow_bytes.load()},
          {"fill_seconds", settle_ms / 1000},
          {"fill_server_cpu_seconds", fill_cpu},
          {"producer_ratio", ratio},
          {"server_rss_alone_kib", rss_alone},
          {"server_rss_attached_kib", rss_attached},
          {"server_rss_max_kib", rss_max.load()},
          {"errors", errors.load()}});
  return errors == 0 && static_cast<long>(fds.size()) == viewers && alone > 0 ? 0 : 1;
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
