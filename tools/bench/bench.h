// scribe_bench's workloads, one function each (scribe_bench.cc dispatches).
#ifndef SCRIBE_TOOLS_BENCH_BENCH_H_
#define SCRIBE_TOOLS_BENCH_BENCH_H_

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

// One stream, many SSE subscribers, paced publishers (fanout.cc).
int Fanout(const Args& args);
// Appends as fast as the server answers, and catch-up reads (streams.cc).
int Appends(const Args& args);
int Catchup(const Args& args);

}  // namespace scribe::bench

#endif  // SCRIBE_TOOLS_BENCH_BENCH_H_
