// /api/providers, /api/openapi.json, /healthz and /metrics; and the whole API.
#include <sstream>

#include "host/http/codec.h"
#include "host/http/routes.h"

namespace scribe::http {
namespace {

void Metric(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

Result<std::string> MetricsText(jobs::JobService& jobs, stream::SseHub& hub) {
  auto counts = jobs.CountJobsByState();
  if (!counts.ok()) return counts.status();
  auto usage = jobs.UsageByProvider();
  if (!usage.ok()) return usage.status();
  store::StoreStats store = jobs.StoreStats();
  jobs::ServiceStats service = jobs.Stats();
  std::ostringstream out;
  Metric(out, "scribe_jobs", "gauge", "Jobs in the store, by state.");
  for (const auto& [state, count] : *counts) {
    out << "scribe_jobs{state=\"" << store::ToString(state) << "\"} " << count << '\n';
  }
  Metric(out, "scribe_provider_attempts_total", "counter",
         "Provider attempts recorded, by provider.");
  for (const store::ProviderUsage& u : *usage) {
    out << "scribe_provider_attempts_total{provider=\"" << u.provider << "\"} " << u.attempts
        << '\n';
  }
  Metric(out, "scribe_provider_tokens_total", "counter",
         "Tokens the providers reported, by provider and kind, over every attempt.");
  for (const store::ProviderUsage& u : *usage) {
    for (auto [kind, count] :
         {std::pair{"input", u.usage.input_tokens}, std::pair{"output", u.usage.output_tokens},
          std::pair{"thinking", u.usage.thinking_tokens}}) {
      out << "scribe_provider_tokens_total{provider=\"" << u.provider << "\",kind=\"" << kind
          << "\"} " << count << '\n';
    }
  }
  Metric(out, "scribe_chunks_appended_total", "counter", "Chunk rows committed to job logs.");
  out << "scribe_chunks_appended_total " << store.chunks_appended << '\n';
  Metric(out, "scribe_bytes_appended_total", "counter", "Bytes committed to job logs.");
  out << "scribe_bytes_appended_total " << store.bytes_appended << '\n';
  Metric(out, "scribe_chunks_emitted_total", "counter", "Text pieces emitted by providers.");
  out << "scribe_chunks_emitted_total " << service.chunks_emitted << '\n';
  Metric(out, "scribe_appends_dropped_total", "counter",
         "Text emitted after its job stopped running, not stored.");
  out << "scribe_appends_dropped_total " << store.appends_dropped << '\n';
  Metric(out, "scribe_generations_running", "gauge", "Generations running now.");
  out << "scribe_generations_running " << service.generations_running << '\n';
  Metric(out, "scribe_sse_viewers", "gauge", "Live SSE viewers connected.");
  out << "scribe_sse_viewers " << hub.viewers() << '\n';
  Metric(out, "scribe_sse_bytes_sent_total", "counter", "Bytes written to SSE viewers.");
  out << "scribe_sse_bytes_sent_total " << hub.bytes_sent() << '\n';
  Metric(out, "scribe_commit_failures_total", "counter", "Group commits that failed.");
  out << "scribe_commit_failures_total " << store.commit_failures << '\n';
  Metric(out, "scribe_commit_latency_seconds", "histogram",
         "Time to run and commit one group commit.");
  for (size_t i = 0; i < store.latency_bounds_seconds.size(); ++i) {
    out << "scribe_commit_latency_seconds_bucket{le=\"" << store.latency_bounds_seconds[i] << "\"} "
        << store.latency_bucket_counts[i] << '\n';
  }
  out << "scribe_commit_latency_seconds_bucket{le=\"+Inf\"} " << store.commits << '\n';
  out << "scribe_commit_latency_seconds_sum " << store.latency_sum_seconds << '\n';
  out << "scribe_commit_latency_seconds_count " << store.commits << '\n';
  return out.str();
}

}  // namespace

void AddApiRoutes(Router& router, jobs::JobService& jobs, streams::StreamService& streams,
                  streams::SubscriptionService& subscriptions, stream::SseHub& hub,
                  const Authenticator& authenticator) {
  router.SetAuthenticate([&authenticator](Exchange& ex) { return authenticator.Authenticate(ex); });
  AddSessionRoutes(router, authenticator);
  AddDocumentRoutes(router, jobs);
  AddJobRoutes(router, jobs);
  AddOutputRoutes(router, jobs, hub);
  AddSystemRoutes(router, jobs, hub);
  AddAudioRoutes(router, jobs, hub);
  AddSubscriptionRoutes(router, subscriptions);
  AddStreamRoutes(router, jobs, streams, hub);
  AddWebRoutes(router);
}

void AddSystemRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub) {
  router.Add("GET", "/api/providers", [&jobs](Exchange& ex) {
    nlohmann::json list = nlohmann::json::array();
    for (const jobs::ProviderInfo& provider : jobs.Providers())
      list.push_back(ProviderJson(provider));
    ex.SendJson(200, {{"providers", list}});
  });
  router.Add(
      "GET", "/healthz",
      [](Exchange& ex) {
        ex.SendJson(200, {{"status", "ok"}});
      },
      Access::kPublic);
  router.Add(
      "GET", "/api/openapi.json",
      [](Exchange& ex) { ex.SendText(200, "application/json", kOpenApiJson); }, Access::kPublic);
  router.Add(
      "GET", "/metrics",
      [&jobs, &hub](Exchange& ex) {
        Result<std::string> text = MetricsText(jobs, hub);
        if (!text.ok()) return ex.SendError(text.status());
        ex.SendText(200, "text/plain; version=0.0.4; charset=utf-8", *text);
      },
      Access::kAdmin);
}

}  // namespace scribe::http
