// scribed: the Scribe host.
//
// Start-up: settings → store (migrations) → plugins → SSE hub → job service
// (recovery of interrupted jobs, dispatchers) → HTTP server.
// Shutdown, on SIGINT or SIGTERM, in this order: stop accepting requests;
// stop dispatching and let running generations checkpoint (they end as
// `interrupted`, their committed output kept, and continue at the next
// start); close SSE viewers (they reconnect and resume by offset); flush the
// writer; close the database.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "host/common/log.h"
#include "host/config.h"
#include "host/http/auth.h"
#include "host/http/routes.h"
#include "host/http/server.h"
#include "host/jobs/job_service.h"
#include "host/plugin/registry.h"
#include "host/store/store.h"
#include "host/stream/sse_hub.h"
#include "host/streams/stream_service.h"
#include "host/streams/subscriptions.h"

namespace scribe {
namespace {

constexpr char kVersion[] = "0.1.0";

std::string DefaultPluginDir() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "plugins";
  std::string exe(path, static_cast<size_t>(n));
  std::string dir = exe.substr(0, exe.rfind('/'));
  return dir + "/../plugins";
}

int Fail(const Status& status) {
  Log(LogLevel::kError, "scribed", status.ToString());
  return 1;
}

// Who could reach the host, and whether they would need a key: a host on a
// non-loopback address must require keys and have one, unless told
// explicitly (--insecure-public-listen yes) to serve without.
Status CheckExposure(const Config& config, store::StoreReader& store) {
  Result<std::vector<store::ApiKey>> keys = store.ListApiKeys();
  if (!keys.ok()) return keys.status();
  int64_t active = 0;
  for (const store::ApiKey& key : *keys) active += key.revoked_ms ? 0 : 1;
  const bool auth = config.auth == "on";
  if (auth && active == 0) {
    Log(LogLevel::kWarning, "scribed",
        "authentication is on and there is no API key yet: every API request will get 401; "
        "create one with `scribectl keys create --db " +
            store::DescribeDatabase(config.db) +
            " --name NAME` (or run with --auth off on loopback)");
  }
  if (config.ListensOnLoopback() || config.insecure_public_listen == "yes") return Status::Ok();
  if (!auth || active == 0) {
    return InvalidArgument(
        "insecure_listen",
        "refusing to listen on " + config.listen + " " +
            (auth ? std::string("with no API key") : std::string("with --auth off")) +
            ": anyone who can reach it could use it. Create a key (scribectl keys create --db " +
            store::DescribeDatabase(config.db) +
            " --name NAME) and run with --auth on, or pass "
            "--insecure-public-listen yes");
  }
  return Status::Ok();
}

int Run(const Config& config) {
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(config.log_level, level);
  SetLogLevel(level);

  // Every thread created from here on inherits this mask; main waits for the
  // signals with sigwait().
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Past a file-size limit a write fails (and the store reports it) rather
  // than killing the host.
  signal(SIGXFSZ, SIG_IGN);
  // Every SSE viewer is a socket: allow as many as the system lets us.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  store::StoreOptions store_options;
  store_options.synchronous = config.synchronous;
  store_options.commit_interval_ms = config.commit_interval_ms;
  store_options.lease_ms = config.lease_ms;
  Result<std::unique_ptr<store::Store>> store = store::OpenStore(config.db, store_options);
  if (!store.ok()) return Fail(store.status());
  Status exposure = CheckExposure(config, **store);
  if (!exposure.ok()) return Fail(exposure);

  std::map<std::string, std::string> env = ProcessEnvironment();
  plugin::Registry registry([&config, env](const std::string& key) -> std::optional<std::string> {
    if (auto it = config.plugin_config.find(key); it != config.plugin_config.end())
      return it->second;
    if (auto it = env.find(key); it != env.end()) return it->second;
    return std::nullopt;
  });
  std::string plugin_dir = config.plugins.empty() ? DefaultPluginDir() : config.plugins;
  Status loaded = registry.LoadDirectory(plugin_dir);
  if (!loaded.ok()) return Fail(loaded);
  if (registry.All().empty())
    Log(LogLevel::kWarning, "scribed", "no provider plugin loaded from " + plugin_dir);

  // The hub reads catch-up text through the job service, which is created
  // after it; the forwarding source breaks that cycle.
  struct Source : stream::LogSource {
    jobs::JobService* jobs = nullptr;
    streams::StreamService* streams = nullptr;
    // A log is a job's (by id) or a Durable Stream's (by path).
    Result<std::string> ReadLog(const std::string& id, int64_t offset, int64_t max) override {
      if (!id.empty() && id[0] == '/') return streams->ReadLog(id, offset, max);
      return jobs->ReadLog(id, offset, max);
    }
  } source;
  stream::HubOptions hub_options;
  hub_options.heartbeat_ms = config.heartbeat_ms;
  hub_options.retry_ms = config.sse_retry_ms;
  hub_options.max_viewers_per_job = config.max_viewers_per_job;
  hub_options.max_viewers_per_key = config.max_viewers_per_key;
  stream::SseHub hub(source, hub_options);

  jobs::JobServiceOptions job_options;
  job_options.lease_ms = config.lease_ms;
  job_options.workers = config.workers;
  job_options.max_document_bytes = config.max_document_bytes;
  job_options.retry.tries_per_provider = config.retry_tries;
  job_options.retry.backoff_base_ms = config.retry_base_ms;
  job_options.retry.backoff_max_ms = config.retry_max_ms;
  job_options.retry.retry_after_cap_ms = config.retry_after_cap_ms;
  job_options.retry.auto_continues = config.auto_continues;
  job_options.default_fallback_json = config.fallback;
  job_options.max_active_jobs_per_key = config.max_active_jobs_per_key;
  job_options.submissions_per_minute_per_key = config.submissions_per_minute;
  jobs::JobService service(**store, registry, hub, job_options);
  streams::StreamServiceOptions stream_options;
  stream_options.long_poll_timeout = std::chrono::milliseconds(config.long_poll_timeout_ms);
  streams::StreamService streams(**store, hub, stream_options);
  streams::SubscriptionService subscriptions(**store, streams::SubscriptionOptions{});
  source.jobs = &service;
  source.streams = &streams;
  store::CommitFanout listeners({&service, &streams, &subscriptions});
  (*store)->SetCommitListener(&listeners);
  Status started = hub.Start();
  if (started.ok()) started = service.Start();
  if (started.ok()) started = streams.Start();
  if (started.ok()) started = subscriptions.Start();
  if (!started.ok()) return Fail(started);

  http::Router router;
  http::Authenticator authenticator(**store, config.auth == "on");
  http::AddApiRoutes(router, service, streams, subscriptions, hub, authenticator);
  router.SetCors(http::CorsPolicy{config.cors_origins});

  http::ServerOptions server_options;
  config.ListenAddress(server_options.host, server_options.port);
  server_options.threads = config.http_threads;
  server_options.max_queued = config.http_queue;
  server_options.max_body_bytes = config.max_body_bytes;
  server_options.request_timeout_ms = static_cast<int>(config.request_timeout_ms);
  server_options.keep_alive_ms = static_cast<int>(config.keep_alive_ms);
  server_options.tls_cert_file = config.tls_cert;
  server_options.tls_key_file = config.tls_key;
  http::Server server(router, server_options);
  Status listening = server.Start();
  if (!listening.ok()) {
    service.Stop();
    return Fail(listening);
  }
  std::string url =
      server.scheme() + "://" + server_options.host + ":" + std::to_string(server.port());
  subscriptions.SetPublicUrl(config.public_url.empty() ? url : config.public_url);
  std::printf("scribed listening on %s\n", url.c_str());
  std::fflush(stdout);
  Log(LogLevel::kInfo, "scribed",
      "listening on " + url + ", database " + store::DescribeDatabase(config.db));

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  Log(LogLevel::kInfo, "scribed", "shutting down");
  server.Stop();
  subscriptions.Stop();
  streams.Stop();
  service.Stop();
  hub.Stop();
  Status flushed = (*store)->Flush();
  if (!flushed.ok()) Log(LogLevel::kError, "scribed", "final commit failed: " + flushed.ToString());
  (*store)->SetCommitListener(nullptr);
  store->reset();
  Log(LogLevel::kInfo, "scribed", "stopped");
  return 0;
}

}  // namespace
}  // namespace scribe

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  scribe::Result<scribe::Config> config = scribe::LoadConfig(args, scribe::ProcessEnvironment());
  if (!config.ok()) {
    std::fprintf(stderr, "scribed: %s\n", config.status().message().c_str());
    return 2;
  }
  if (config->show_help) {
    std::fputs(scribe::HelpText().c_str(), stdout);
    return 0;
  }
  if (config->show_version) {
    std::printf("scribed %s (provider ABI %d.%d)\n", scribe::kVersion, SCRIBE_PROVIDER_ABI_MAJOR,
                SCRIBE_PROVIDER_ABI_MINOR);
    return 0;
  }
  return scribe::Run(*config);
}
