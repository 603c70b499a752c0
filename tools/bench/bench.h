// scribe_bench's workloads, one function each (scribe_bench.cc dispatches).
#ifndef SCRIBE_TOOLS_BENCH_BENCH_H_
#define SCRIBE_TOOLS_BENCH_BENCH_H_

#include <Poco/Net/HTTPClientSession.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace scribe::bench {

// --name value pairs.
struct Args {
  std::map<std::string, std::string> values;
  long Get(const std::string& name, long fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : std::stol(it->second);
  }
  std::string Text(const std::string& name, const std::string& fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

// ---- shared by the workloads (bench.cc); all on 127.0.0.1

// One request on a (keep-alive) session, its body read and dropped; the status.
int Call(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& path,
         const std::string& body);
// A blocking socket to 127.0.0.1:port with `request` (a whole HTTP request)
// sent; -1 on failure. `receive_buffer` > 0 sets SO_RCVBUF (bytes) before
// connecting.
int ConnectSend(int port, const std::string& request, int receive_buffer = 0);
// ConnectSend with `GET path` (Accept: text/event-stream).
int ConnectGet(int port, const std::string& path, int receive_buffer = 0);
// Prints `RESULT {json}` for side_by_side.sh.
void Report(const nlohmann::json& result);
// The p-quantile (0..1) of ascending `sorted`; -1 when empty.
template <typename T>
double Percentile(const std::vector<T>& sorted, double p) {
  if (sorted.empty()) return -1;
  return static_cast<double>(sorted[std::min(
      sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())))]);
}
// The resident memory of process `pid` and its children (nginx's workers),
// KiB; -1 when unknown.
long RssKiB(long pid);
// The CPU time (user + system) process `pid` and its children used so far,
// seconds; 0 without a pid.
double CpuSeconds(long pid);
// A stream or channel name of this run: `what` and a number.
std::string UniqueName(const std::string& what);
// Where a target takes appends: /v1/stream/<name> (scribe, ds) or /pub/<name> (nchan).
std::string PublishPath(const std::string& kind, const std::string& name);
// PUTs the stream (nothing for nchan); false, said on stderr, when refused.
bool CreateStream(int port, const std::string& kind, const std::string& name);

// One stream, many SSE subscribers, paced publishers (fanout.cc).
int Fanout(const Args& args);
// Appends as fast as the server answers, and catch-up reads (streams.cc).
int Appends(const Args& args);
int Catchup(const Args& args);
// Appends as fast as answered, alone and then beside viewers reading 1 byte/s.
int SlowViewers(const Args& args);
// Time to the first token through the host and from the fake provider itself
// (jobs.cc).
int Ttft(const Args& args);
// Raw SQLite: batched inserts of chunk rows, the bound of a durable append.
int SqliteInserts(const Args& args);

}  // namespace scribe::bench

#endif  // SCRIBE_TOOLS_BENCH_BENCH_H_
