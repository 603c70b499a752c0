// The `offline` provider: Scribe's embedded default. No network, no key.
//
// It narrates the job's document (narrator.h) and streams the script in small
// chunks at a pace set per job:
//   params.chunks_per_second   default 30; 0 = as fast as possible
//   params.fail_after_bytes    fault injection for trying out failure
//                              handling: the attempt fails (retryable) once
//                              the job's output reaches this many bytes.
//   params.latency_probe       benchmark mode: instead of narrating, emit
//                              this many chunks, each "<wall-clock µs>\n",
//                              so a viewer can measure emit-to-receive time.
// A continuation produces exactly the rest of the script after the prefix.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "narrator.h"
#include "scribe/provider_cpp.h"

namespace scribe::offline {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kModel[] = "narrator";
constexpr double kDefaultChunksPerSecond = 30;
constexpr double kMaxChunksPerSecond = 1e6;
constexpr auto kCancelPoll = std::chrono::milliseconds(20);

struct Options {
  std::string title;
  std::string content;
  double chunks_per_second = kDefaultChunksPerSecond;
  long long fail_after_bytes = -1;
  long long latency_probe = 0;
};

// Reads the request; returns an error message, empty when it is valid.
std::string ParseRequest(std::string_view request_json, Options& options) {
  nlohmann::json request = nlohmann::json::parse(request_json, nullptr, false);
  if (!request.is_object()) return "request is not a JSON object";
  std::string model = request.value("model", "");
  if (!model.empty() && model != kModel) {
    return "unknown model '" + model + "' for provider offline (available: narrator)";
  }
  const nlohmann::json& document = request["document"];
  if (document.is_object()) {
    options.title = document.value("title", "");
    options.content = document.value("content", "");
  }
  const nlohmann::json& params = request["params"];
  if (params.is_null()) return "";
  if (!params.is_object()) return "params must be an object";
  if (params.contains("chunks_per_second")) {
    const nlohmann::json& cps = params["chunks_per_second"];
    if (!cps.is_number() || cps.get<double>() < 0 || cps.get<double>() > kMaxChunksPerSecond ||
        !std::isfinite(cps.get<double>())) {
      return "params.chunks_per_second must be a number from 0 (as fast as possible) to 1000000";
    }
    options.chunks_per_second = cps.get<double>();
  }
  if (params.contains("fail_after_bytes")) {
    const nlohmann::json& fail = params["fail_after_bytes"];
    if (!fail.is_number_integer() || fail.get<long long>() < 0) {
      return "params.fail_after_bytes must be a non-negative integer";
    }
    options.fail_after_bytes = fail.get<long long>();
  }
  if (params.contains("latency_probe")) {
    const nlohmann::json& probe = params["latency_probe"];
    if (!probe.is_number_integer() || probe.get<long long>() < 1 ||
        probe.get<long long>() > 10'000'000) {
      return "params.latency_probe must be an integer from 1 to 10000000";
    }
    options.latency_probe = probe.get<long long>();
  }
  return "";
}

// Sleeps until `deadline`, waking every kCancelPoll; false if cancelled.
bool SleepUntil(Clock::time_point deadline, const sdk::Generation& generation) {
  while (Clock::now() < deadline) {
    if (generation.Cancelled()) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(kCancelPoll, deadline - Clock::now()));
  }
  return !generation.Cancelled();
}

Clock::duration IntervalFor(double chunks_per_second) {
  return chunks_per_second > 0 ? std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(1.0 / chunks_per_second))
                               : Clock::duration::zero();
}

// Benchmark mode: each chunk is the wall-clock time it was emitted at.
int32_t Probe(const sdk::Generation& generation, const Options& options) {
  std::string_view prefix = generation.continuation();
  long long done = static_cast<long long>(std::count(prefix.begin(), prefix.end(), '\n'));
  Clock::duration interval = IntervalFor(options.chunks_per_second);
  Clock::time_point next = Clock::now();
  for (long long i = done; i < options.latency_probe; ++i) {
    if (interval > Clock::duration::zero()) {
      next += interval;
      if (!SleepUntil(next, generation)) return SCRIBE_GENERATE_CANCELLED;
    } else if (generation.Cancelled()) {
      return SCRIBE_GENERATE_CANCELLED;
    }
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    if (!generation.Emit(std::to_string(micros) + "\n")) return SCRIBE_GENERATE_CANCELLED;
  }
  generation.ReportUsage(0, options.latency_probe - done, 0);
  return SCRIBE_GENERATE_DONE;
}

class OfflineProvider : public sdk::Provider {
 public:
  explicit OfflineProvider(const sdk::Host& /*host*/) {}

  std::string Describe() override {
    return nlohmann::json{
        {"description",
         "Deterministic narration of the document, streamed at a chosen pace. No network, no key."},
        {"default_model", kModel},
        {"default_prompt", ""},  // the narrator follows no prompt
        {"models", {{{"id", kModel}, {"label", "Offline narrator"}}}},
        {"accepts_any_model", false},
        {"configured", true},
        {"configuration_hint", ""},
    }
        .dump();
  }

  sdk::Verdict Validate(std::string_view request_json) override {
    Options options;
    std::string error = ParseRequest(request_json, options);
    if (!error.empty()) {
      bool model = error.rfind("unknown model", 0) == 0;
      return {model ? SCRIBE_ERROR_MODEL_NOT_FOUND : SCRIBE_ERROR_BAD_REQUEST, error};
    }
    return {};
  }

  int32_t Generate(sdk::Generation& generation) override {
    Options options;
    std::string error = ParseRequest(generation.request_json(), options);
    if (!error.empty()) return generation.Fail(SCRIBE_ERROR_BAD_REQUEST, "bad_request", error);
    generation.ReportModel(kModel);

    if (options.latency_probe > 0) return Probe(generation, options);
    std::string script = Narrate(options.title, options.content);
    std::string_view prefix = generation.continuation();
    if (std::string_view(script).substr(0, prefix.size()) != prefix) {
      return generation.Fail(SCRIBE_ERROR_BAD_REQUEST, "continuation_mismatch",
                             "the text so far is not a prefix of this document's narration");
    }
    std::string_view rest = std::string_view(script).substr(prefix.size());
    std::vector<std::string_view> chunks = SplitIntoChunks(rest);

    const int64_t input_tokens = static_cast<int64_t>(options.content.size() / 4);
    size_t produced = prefix.size();
    int64_t emitted_chunks = 0;
    Clock::duration interval = IntervalFor(options.chunks_per_second);
    // The injected failure happens once: a continuation past it goes on.
    const bool fail_point_ahead = options.fail_after_bytes >= 0 &&
                                  prefix.size() < static_cast<size_t>(options.fail_after_bytes);
    Clock::time_point next = Clock::now();
    for (std::string_view chunk : chunks) {
      if (fail_point_ahead && produced >= static_cast<size_t>(options.fail_after_bytes)) {
        generation.ReportUsage(input_tokens, emitted_chunks, 0);
        return generation.Fail(SCRIBE_ERROR_UNAVAILABLE, "simulated_failure",
                               "the offline provider failed on purpose (params.fail_after_bytes)");
      }
      if (interval > Clock::duration::zero()) {
        next += interval;
        if (!SleepUntil(next, generation)) return SCRIBE_GENERATE_CANCELLED;
      } else if (generation.Cancelled()) {
        return SCRIBE_GENERATE_CANCELLED;
      }
      if (!generation.Emit(chunk)) return SCRIBE_GENERATE_CANCELLED;
      produced += chunk.size();
      ++emitted_chunks;
      if (emitted_chunks % 64 == 0) generation.ReportUsage(input_tokens, emitted_chunks, 0);
    }
    generation.ReportUsage(input_tokens, emitted_chunks, 0);
    return SCRIBE_GENERATE_DONE;
  }
};

}  // namespace
}  // namespace scribe::offline

SCRIBE_EXPORT_PROVIDER(scribe::offline::OfflineProvider, "offline", "1.0.0")
