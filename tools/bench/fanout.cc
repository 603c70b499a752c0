// scribe_bench fanout: one stream, many SSE subscribers, a paced publisher
// (issue #8's W1 workloads), against Scribe or a peer on loopback:
//
//   scribe_bench fanout --target scribe|ds|nchan --port P [--subscribers 1000]
//       [--messages 2000] [--rate 200] [--publishers 16] [--pid SERVER_PID]
//       [--idle SECONDS] [--publish-port P2]
//
// With --publish-port, the stream is created and appended to on another
// server (a second Scribe host on the same PostgreSQL database) while the
// subscribers follow it on the first.
//
// scribe and ds (the Durable Streams reference server) speak the Durable
// Streams protocol: the stream is PUT at /v1/stream/<name>, read with
// ?offset=now&live=sse and appended to with POST. nchan: POST /pub/<name>,
// GET /sub/<name> (EventSource). Each 64-byte message carries its send time
// (wall clock, ns) and its sequence number, so the client measures
// publish -> receive latency whatever events the server packs it into.
//
// With --idle, the subscribers stay connected that long after the last
// message, and the longest silence any of them saw (no byte at all: a
// server's heartbeats keep it short) is reported.
//
// Subscribers are non-blocking sockets on one epoll loop; publishers are
// keep-alive connections on their own threads. Bounded in time: the run
// ends `--timeout` seconds (default: the publishing time + 60) after start.
// Prints a human line and a `RESULT {json}` line.
#include <Poco/Net/HTTPClientSession.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/bench.h"

namespace scribe::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMessageBytes = 64;
constexpr size_t kStampDigits = 19;
constexpr size_t kSeqDigits = 8;
constexpr size_t kRecord = 1 + kStampDigits + 1 + kSeqDigits;  // "@<ns>#<seq>"

int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Message(int64_t seq) {
  char record[64];
  std::snprintf(record, sizeof record, "@%019lld#%08lld", static_cast<long long>(WallNs()),
                static_cast<long long>(seq % 100000000));
  std::string message(record, kRecord);
  message.resize(kMessageBytes - 1, 'x');
  return message + "\n";
}

struct Target {
  std::string kind;
  std::string name;

  std::string PublishPath() const { return bench::PublishPath(kind, name); }
  std::string SubscribePath() const {
    return kind == "nchan" ? "/sub/" + name : "/v1/stream/" + name + "?offset=now&live=sse";
  }
};

// One subscriber's connection: its HTTP head, then a body (chunked or not)
// scanned for records.
struct Subscriber {
  int fd = -1;
  bool head = false;
  bool chunked = false;
  bool ok = false;
  bool closed = false;
  size_t chunk_left = 0;  // of the current chunk's data
  std::string raw;        // received, not yet decoded
  std::string body;       // decoded, not yet scanned
  std::vector<bool> seen;
  int64_t count = 0;
  int64_t complete_ns = 0;
  int64_t last_rx_ns = 0;  // idle phase: the last byte, and the longest gap between bytes
  int64_t max_gap_ns = 0;

  // Decodes what `raw` holds into `body`.
  void Decode() {
    if (!head) {
      size_t end = raw.find("\r\n\r\n");
      if (end == std::string::npos) return;
      std::string lower = raw.substr(0, end);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      ok = lower.rfind("http/1.1 200", 0) == 0 || lower.rfind("http/1.0 200", 0) == 0;
      chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
      head = true;
      raw.erase(0, end + 4);
    }
    if (!chunked) {
      body += raw;
      raw.clear();
      return;
    }
    size_t at = 0;
    while (at < raw.size()) {
      if (chunk_left > 0) {
        size_t take = std::min(chunk_left, raw.size() - at);
        body.append(raw, at, take);
        at += take;
        chunk_left -= take;
        continue;
      }
      size_t line = raw.find("\r\n", at);
      if (line == std::string::npos) break;
      if (line == at) {  // the CRLF after a chunk's data
        at += 2;
        continue;
      }
      chunk_left = std::stoul(raw.substr(at, line - at), nullptr, 16);
      at = line + 2;
      if (chunk_left == 0) closed = true;
    }
    raw.erase(0, at);
  }

  // Counts the records in `body`; their latencies go to `latencies`.
  void Scan(int64_t now_ns, std::vector<float>& latencies) {
    size_t at = 0;
    for (;;) {
      size_t mark = body.find('@', at);
      if (mark == std::string::npos || body.size() - mark < kRecord) {
        at = mark == std::string::npos ? body.size() : mark;
        break;
      }
      at = mark + 1;
      if (body[mark + 1 + kStampDigits] != '#') continue;
      int64_t sent = std::strtoll(body.c_str() + mark + 1, nullptr, 10);
      int64_t seq = std::strtoll(body.c_str() + mark + 2 + kStampDigits, nullptr, 10);
      if (seq < 0 || seq >= static_cast<int64_t>(seen.size()) || seen[seq]) continue;
      seen[seq] = true;
      ++count;
      latencies.push_back(static_cast<float>(now_ns - sent) / 1e6f);
      at = mark + kRecord;
    }
    body.erase(0, at);
  }
};

}  // namespace

int Fanout(const Args& args) {
  const int port = static_cast<int>(args.Get("port", 8080));
  const int publish_port = static_cast<int>(args.Get("publish-port", port));
  const long subscribers = args.Get("subscribers", 1000);
  const long messages = args.Get("messages", 2000);
  const long rate = std::max(1L, args.Get("rate", 200));
  const long publishers = std::max(1L, args.Get("publishers", 16));
  const long pid = args.Get("pid", -1);
  const long timeout_s = args.Get("timeout", messages / rate + 60);
  Target target{args.Text("target", "scribe"), UniqueName("fanout")};
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::seconds(timeout_s);

  if (!CreateStream(publish_port, target.kind, target.name)) return 1;

  int epoll = epoll_create1(EPOLL_CLOEXEC);
  std::vector<Subscriber> subs(static_cast<size_t>(subscribers));
  for (long i = 0; i < subscribers; ++i) {
    Subscriber& sub = subs[static_cast<size_t>(i)];
    sub.fd = ConnectGet(port, target.SubscribePath());
    if (sub.fd < 0) {
      std::fprintf(stderr, "fanout: subscriber %ld could not connect\n", i);
      return 1;
    }
    fcntl(sub.fd, F_SETFL, fcntl(sub.fd, F_GETFL) | O_NONBLOCK);
    sub.seen.assign(static_cast<size_t>(messages), false);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(i);
    epoll_ctl(epoll, EPOLL_CTL_ADD, sub.fd, &ev);
  }

  std::vector<float> latencies;
  latencies.reserve(static_cast<size_t>(subscribers * messages));
  long heads = 0, complete = 0, rss_max = 0;
  std::atomic<bool> publishing{false};
  std::atomic<long> publish_errors{0};
  std::atomic<int64_t> publish_start_ns{0};
  std::vector<std::thread> threads;

  double cpu_at_start = 0;
  auto start_publishers = [&] {
    cpu_at_start = CpuSeconds(pid);
    publish_start_ns = WallNs();
    const auto t0 = Clock::now();
    for (long p = 0; p < publishers; ++p) {
      threads.emplace_back([&, p, t0] {
        Poco::Net::HTTPClientSession session("127.0.0.1",
                                             static_cast<Poco::UInt16>(publish_port));
        session.setKeepAlive(true);
        for (long seq = p; seq < messages; seq += publishers) {
          std::this_thread::sleep_until(t0 + std::chrono::microseconds(seq * 1000000 / rate));
          if (Clock::now() > deadline) return;
          try {
            int status = Call(session, "POST", target.PublishPath(), Message(seq));
            if (status >= 300) ++publish_errors;
          } catch (const std::exception&) {
            ++publish_errors;
            session.reset();
          }
        }
      });
    }
  };

  epoll_event events[256];
  char buffer[1 << 16];
  auto next_sample = Clock::now();
  while (complete < subscribers && Clock::now() < deadline) {
    if (!publishing &&
        (heads == subscribers || Clock::now() > started + std::chrono::seconds(60))) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let every reader settle
      publishing = true;
      start_publishers();
    }
    int n = epoll_wait(epoll, events, 256, 100);
    const int64_t now_ns = WallNs();
    for (int k = 0; k < n; ++k) {
      Subscriber& sub = subs[events[k].data.u64];
      for (;;) {
        ssize_t got = recv(sub.fd, buffer, sizeof buffer, 0);
        if (got <= 0) {
          if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            epoll_ctl(epoll, EPOLL_CTL_DEL, sub.fd, nullptr);
            sub.closed = true;
          }
          break;
        }
        sub.raw.append(buffer, static_cast<size_t>(got));
      }
      const bool had_head = sub.head;
      sub.Decode();
      if (!had_head && sub.head) {
        ++heads;
        if (!sub.ok)
          std::fprintf(stderr, "fanout: a subscriber was refused: %s\n", sub.raw.c_str());
      }
      int64_t before = sub.count;
      sub.Scan(now_ns, latencies);
      if (before < messages && sub.count == messages) {
        ++complete;
        sub.complete_ns = now_ns;
      }
    }
    if (pid > 0 && Clock::now() >= next_sample) {
      rss_max = std::max(rss_max, RssKiB(pid));
      next_sample = Clock::now() + std::chrono::milliseconds(200);
    }
  }
  const int64_t end_ns = WallNs();
  const double cpu = CpuSeconds(pid) - cpu_at_start;

  // Idle: every byte is a sign of life (heartbeats are SSE comments).
  const long idle_s = args.Get("idle", 0);
  if (idle_s > 0 && complete == subscribers) {
    const int64_t idle_start = WallNs();
    for (Subscriber& sub : subs) sub.last_rx_ns = idle_start;
    const auto idle_end = Clock::now() + std::chrono::seconds(idle_s);
    while (Clock::now() < idle_end) {
      int n = epoll_wait(epoll, events, 256, 100);
      const int64_t now_ns = WallNs();
      for (int k = 0; k < n; ++k) {
        Subscriber& sub = subs[events[k].data.u64];
        bool got_any = false;
        for (ssize_t got; (got = recv(sub.fd, buffer, sizeof buffer, 0)) > 0;) got_any = true;
        if (!got_any) continue;
        sub.max_gap_ns = std::max(sub.max_gap_ns, now_ns - sub.last_rx_ns);
        sub.last_rx_ns = now_ns;
      }
    }
    const int64_t idle_stop = WallNs();
    for (Subscriber& sub : subs) {
      sub.max_gap_ns = std::max(sub.max_gap_ns, idle_stop - sub.last_rx_ns);
    }
  }
  for (std::thread& thread : threads) thread.join();
  for (Subscriber& sub : subs) close(sub.fd);
  close(epoll);

  int64_t last_ns = publish_start_ns;
  for (const Subscriber& sub : subs) last_ns = std::max(last_ns, sub.complete_ns);
  if (complete < subscribers) last_ns = end_ns;
  const double seconds = static_cast<double>(last_ns - publish_start_ns) / 1e9;
  const double delivered = static_cast<double>(latencies.size());
  int64_t max_silence_ns = 0;
  for (const Subscriber& sub : subs) max_silence_ns = std::max(max_silence_ns, sub.max_gap_ns);
  std::sort(latencies.begin(), latencies.end());
  nlohmann::json result = {{"workload", "fanout"},
                           {"target", target.kind},
                           {"subscribers", subscribers},
                           {"messages", messages},
                           {"rate", rate},
                           {"connected", heads},
                           {"complete", complete},
                           {"delivered", latencies.size()},
                           {"expected", subscribers * messages},
                           {"seconds", seconds},
                           {"events_per_second", seconds > 0 ? delivered / seconds : 0},
                           {"p50_ms", Percentile(latencies, 0.50)},
                           {"p90_ms", Percentile(latencies, 0.90)},
                           {"p99_ms", Percentile(latencies, 0.99)},
                           {"max_ms", latencies.empty() ? -1 : latencies.back()},
                           {"publish_errors", publish_errors.load()},
                           {"server_rss_max_kib", rss_max},
                           {"idle_seconds", idle_s},
                           {"idle_max_silence_ms", static_cast<double>(max_silence_ns) / 1e6},
                           {"server_cpu_seconds", cpu},
                           {"server_cpu_us_per_event", delivered > 0 ? cpu * 1e6 / delivered : 0}};
  std::printf(
      "fanout %s: %ld/%ld subscribers complete, %.0f of %ld events in %.2f s = %.0f events/s; "
      "latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f; publish errors %ld; server RSS max %ld "
      "KiB, CPU %.2f s\n",
      target.kind.c_str(), complete, subscribers, delivered, subscribers * messages, seconds,
      result["events_per_second"].get<double>(), Percentile(latencies, 0.5),
      Percentile(latencies, 0.9), Percentile(latencies, 0.99),
      latencies.empty() ? -1.0f : latencies.back(), publish_errors.load(), rss_max, cpu);
  if (idle_s > 0) {
    std::printf(
        "fanout %s: idle %ld s after the last message: the longest silence at any "
        "subscriber was %.1f s\n",
        target.kind.c_str(), idle_s, static_cast<double>(max_silence_ns) / 1e9);
  }
  Report(result);
  return complete == subscribers ? 0 : 1;
}

}  // namespace scribe::bench
