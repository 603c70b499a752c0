// scribe_bench: load client for a running scribed, on loopback only.
//
//   scribe_bench ingest  --port P [--jobs 64] [--sections 40]
//       Submits many fast offline jobs at once and reports the chunks and
//       bytes per second the host committed while they ran.
//   scribe_bench latency --port P [--chunks 2000] [--cps 200] [--viewers 1]
//       One offline job in latency-probe mode (each chunk carries its emit
//       time); reports emit -> SSE receive latency percentiles.
//   scribe_bench viewers --port P --pid HOST_PID [--viewers 1000]
//       Holds that many idle SSE viewers on one slow job; reports the host's
//       RSS before and with them.
//   scribe_bench fanout --target scribe|ds|nchan --port P ...
//       One stream, many SSE subscribers, paced publishers (fanout.cc).
//   scribe_bench appends|catchup --target scribe|ds|nchan --port P ...
//       Appends as fast as the server answers; catch-up reads (streams.cc).
//   scribe_bench slow-viewers --port P --pid HOST_PID ...
//       Appends beside 1,000 viewers reading a byte a second (streams.cc).
//   scribe_bench ttft|sqlite ...
//       Time to first token through the host against the fake provider's;
//       raw SQLite batched inserts of chunk rows (jobs.cc).
//
// The SSE side uses non-blocking sockets and epoll so that the client, not
// the host, is never the bottleneck. Every loop is bounded in count and time.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/bench.h"

namespace {

using Clock = std::chrono::steady_clock;
using scribe::bench::Args;

std::string Request(int port, const std::string& method, const std::string& path,
                    const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!body.empty()) {
    request.setContentType("application/json");
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::stringstream out;
  Poco::StreamCopier::copyStream(session.receiveResponse(response), out);
  return out.str();
}

std::string Submit(int port, const std::string& content, const nlohmann::json& params) {
  nlohmann::json body = {{"content", content}, {"params", params}};
  return nlohmann::json::parse(Request(port, "POST", "/api/jobs", body.dump())).value("id", "");
}

double Metric(const std::string& metrics, const std::string& name) {
  size_t at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return 0;
  return std::stod(metrics.substr(at + name.size() + 2));
}

std::string Document(int sections) {
  std::string doc = "# Benchmark document\n\n";
  for (int i = 0; i < sections; ++i) {
    doc += "## Section " + std::to_string(i) + "\n\nThis section talks about topic " +
           std::to_string(i) +
           ", with enough words in it to make a realistic paragraph for the narrator to read, "
           "including a clause or two, so that it splits the sentence.\n\n- one point\n- another "
           "point\n\n";
  }
  return doc;
}

int Ingest(int port, const Args& args) {
  long jobs = args.Get("jobs", 64);
  std::string doc = Document(static_cast<int>(args.Get("sections", 40)));
  std::string before = "\n" + Request(port, "GET", "/metrics");
  auto start = Clock::now();
  std::vector<std::string> ids;
  for (long i = 0; i < jobs; ++i) ids.push_back(Submit(port, doc, {{"chunks_per_second", 0}}));
  for (const std::string& id : ids) {
    for (int guard = 0; guard < 60000; ++guard) {  // at most ~10 minutes
      nlohmann::json job = nlohmann::json::parse(Request(port, "GET", "/api/jobs/" + id));
      if (job.value("state", "") == "succeeded") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::string after = "\n" + Request(port, "GET", "/metrics");
  double chunks =
      Metric(after, "scribe_chunks_emitted_total") - Metric(before, "scribe_chunks_emitted_total");
  double rows = Metric(after, "scribe_chunks_appended_total") -
                Metric(before, "scribe_chunks_appended_total");
  double bytes =
      Metric(after, "scribe_bytes_appended_total") - Metric(before, "scribe_bytes_appended_total");
  double commits = Metric(after, "scribe_commit_latency_seconds_count") -
                   Metric(before, "scribe_commit_latency_seconds_count");
  std::printf("ingest: %ld jobs, %.0f chunks (%.0f rows, %.0f commits), %.0f bytes in %.2f s\n",
              jobs, chunks, rows, commits, bytes, seconds);
  std::printf("ingest: %.0f chunks/s committed, %.2f MB/s, %.1f chunks per commit\n",
              chunks / seconds, bytes / seconds / 1e6, commits > 0 ? chunks / commits : 0);
  scribe::bench::Report({{"workload", "ingest"},
                         {"target", "scribe"},
                         {"jobs", jobs},
                         {"chunks", chunks},
                         {"rows", rows},
                         {"commits", commits},
                         {"bytes", bytes},
                         {"seconds", seconds},
                         {"chunks_per_second", chunks / seconds},
                         {"bytes_per_chunk", chunks > 0 ? bytes / chunks : 0}});
  return 0;
}

int Latency(int port, const Args& args) {
  long chunks = args.Get("chunks", 2000);
  long viewers = args.Get("viewers", 1);
  // The job starts after the viewers are connected: it waits behind a
  // short slow job on a one-worker host, or simply starts; the first tenth
  // of the samples is dropped either way.
  std::string id = Submit(port, "probe",
                          {{"chunks_per_second", args.Get("cps", 200)}, {"latency_probe", chunks}});
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  std::vector<int> fds;
  std::vector<std::string> buffers(static_cast<size_t>(viewers));
  for (long i = 0; i < viewers; ++i) {
    int fd = scribe::bench::ConnectGet(port, "/api/jobs/" + id + "/events");
    if (fd < 0) return 1;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(i);
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev);
    fds.push_back(fd);
  }
  std::vector<double> samples;
  long open = viewers;
  auto deadline = Clock::now() + std::chrono::seconds(600);
  epoll_event events[64];
  while (open > 0 && Clock::now() < deadline) {
    int n = epoll_wait(epoll, events, 64, 1000);
    for (int k = 0; k < n; ++k) {
      size_t i = events[k].data.u64;
      char buf[65536];
      ssize_t got = recv(fds[i], buf, sizeof buf, 0);
      auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
      if (got <= 0) {
        close(fds[i]);
        --open;
        continue;
      }
      buffers[i].append(buf, static_cast<size_t>(got));
      // Each token's content is "<µs>\n", JSON-escaped as "<µs>\\n".
      size_t at;
      while ((at = buffers[i].find("\"content\":\"")) != std::string::npos) {
        size_t end = buffers[i].find('"', at + 11);
        if (end == std::string::npos) break;
        std::string stamps = buffers[i].substr(at + 11, end - at - 11);
        // Coalesced events hold several stamps separated by \n.
        size_t pos = 0;
        while (pos < stamps.size()) {
          size_t next = stamps.find("\\n", pos);
          std::string one =
              stamps.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
          if (!one.empty())
            samples.push_back(static_cast<double>(now_us - std::stoll(one)) / 1000.0);
          if (next == std::string::npos) break;
          pos = next + 2;
        }
        buffers[i].erase(0, end + 1);
      }
    }
  }
  close(epoll);
  if (samples.size() < 10) {
    std::fprintf(stderr, "latency: too few samples\n");
    return 1;
  }
  std::vector<double> tail(samples.begin() + static_cast<long>(samples.size() / 10), samples.end());
  std::sort(tail.begin(), tail.end());
  auto pct = [&](double p) {
    return tail[std::min(tail.size() - 1, static_cast<size_t>(p * tail.size()))];
  };
  std::printf(
      "latency: %zu samples over %ld viewers; emit -> SSE receive ms: p50 %.3f  p90 %.3f  p99 %.3f "
      " max %.3f\n",
      tail.size(), viewers, pct(0.5), pct(0.9), pct(0.99), tail.back());
  return 0;
}

int Viewers(int port, const Args& args) {
  long count = args.Get("viewers", 1000);
  long pid = args.Get("pid", -1);
  if (pid <= 0) {
    std::fprintf(stderr, "viewers: --pid of the host is required\n");
    return 2;
  }
  std::string id = Submit(port, Document(5), {{"chunks_per_second", 0.2}});
  std::this_thread::sleep_for(std::chrono::seconds(1));
  long before = scribe::bench::RssKiB(pid);
  std::vector<int> fds;
  for (long i = 0; i < count; ++i) {
    int fd = scribe::bench::ConnectGet(port, "/api/jobs/" + id + "/events");
    if (fd < 0) break;
    fds.push_back(fd);
  }
  // Wait until each has its response head.
  long ready = 0;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  std::vector<bool> seen(fds.size(), false);
  while (ready < static_cast<long>(fds.size()) && Clock::now() < deadline) {
    for (size_t i = 0; i < fds.size(); ++i) {
      if (seen[i]) continue;
      char buf[4096];
      ssize_t got = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
      if (got > 0 &&
          std::string(buf, static_cast<size_t>(got)).find("200 OK") != std::string::npos) {
        seen[i] = true;
        ++ready;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  long with = scribe::bench::RssKiB(pid);
  std::string metrics = "\n" + Request(port, "GET", "/metrics");
  std::printf(
      "viewers: %ld of %ld connected; host RSS %ld KiB before, %ld KiB with them "
      "(%.1f KiB per viewer); scribe_sse_viewers %.0f\n",
      ready, count, before, with, ready > 0 ? double(with - before) / ready : 0.0,
      Metric(metrics, "scribe_sse_viewers"));
  for (int fd : fds) close(fd);
  Request(port, "POST", "/api/jobs/" + id + "/cancel");
  return ready == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: scribe_bench ingest|latency|viewers|fanout|appends|catchup|slow-viewers|"
                 "ttft|sqlite --port PORT [options]\n");
    return 2;
  }
  std::string mode = argv[1];
  Args args;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag.rfind("--", 0) == 0) args.values[flag.substr(2)] = argv[i + 1];
  }
  int port = static_cast<int>(args.Get("port", 8080));
  try {
    if (mode == "ingest") return Ingest(port, args);
    if (mode == "latency") return Latency(port, args);
    if (mode == "viewers") return Viewers(port, args);
    if (mode == "fanout") return scribe::bench::Fanout(args);
    if (mode == "appends") return scribe::bench::Appends(args);
    if (mode == "catchup") return scribe::bench::Catchup(args);
    if (mode == "slow-viewers") return scribe::bench::SlowViewers(args);
    if (mode == "ttft") return scribe::bench::Ttft(args);
    if (mode == "sqlite") return scribe::bench::SqliteInserts(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scribe_bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
