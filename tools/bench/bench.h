// scribe_bench's workloads, one function each (scribe_bench.cc dispatches).
#ifndef SCRIBE_TOOLS_BENCH_BENCH_H_
#define SCRIBE_TOOLS_BENCH_BENCH_H_

#include <Poco/Net/HTTPClientSession.h>

#include <map>
#include <string>

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
// A blocking socket with `GET path` (Accept: text/event-stream) sent; -1 on failure.
int ConnectGet(int port, const std::string& path);
// The resident memory of process `pid`, KiB; -1 when unknown.
long RssKiB(long pid);
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

}  // namespace scribe::bench

#endif  // SCRIBE_TOOLS_BENCH_BENCH_H_
