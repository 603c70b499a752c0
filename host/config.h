// scribed's settings: each one a flag, an environment variable and a key of
// the optional JSON config file, in that order of precedence. One table
// (config.cc) defines them all, and `scribed --help` prints it.
#ifndef SCRIBE_HOST_CONFIG_H_
#define SCRIBE_HOST_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/common/status.h"

namespace scribe {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string public_url;  // empty: the listen address
  std::string db = "scribe.db";
  std::string auth = "on";
  std::string insecure_public_listen = "no";
  std::string tls_cert;                   // PEM files; both set: serve HTTPS
  std::vector<std::string> cors_origins;  // origins whose pages may call the API; "*": any
  std::string tls_key;
  std::string plugins;  // empty: <executable dir>/../plugins
  int workers = 16;
  int http_threads = 64;
  int http_queue = 4096;
  int64_t heartbeat_ms = 15000;
  int64_t long_poll_timeout_ms = 30000;
  int64_t sse_retry_ms = 2000;
  int64_t max_body_bytes = 16 << 20;
  int64_t max_document_bytes = 8 << 20;
  int64_t request_timeout_ms = 30000;
  int max_active_jobs_per_key = 16;
  int submissions_per_minute = 60;
  int max_viewers_per_job = 1000;
  int max_viewers_per_key = 100;
  int64_t keep_alive_ms = 5000;
  std::string synchronous = "NORMAL";
  int commit_interval_ms = 0;
  int64_t lease_ms = 15000;
  std::string log_level = "info";
  int retry_tries = 3;
  int64_t retry_base_ms = 1000;
  int64_t retry_max_ms = 30000;
  int64_t retry_after_cap_ms = 60000;
  int auto_continues = 2;
  std::string fallback = "[]";
  std::string config_file;
  // Settings for plugins (API keys, base URLs) from the config file's
  // "plugin_config" object; the environment is consulted after it.
  std::map<std::string, std::string> plugin_config;

  bool show_help = false;
  bool show_version = false;

  // The host and port of `listen`.
  Status ListenAddress(std::string& host, int& port) const;
  // Whether `listen` names a loopback address (127.0.0.0/8, ::1, localhost).
  bool ListensOnLoopback() const;
};

// Builds the configuration from argv, the environment (`env`, usually
// environ) and the config file named by --config / SCRIBE_CONFIG.
Result<Config> LoadConfig(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env);

std::string HelpText();

// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace scribe

#endif  // SCRIBE_HOST_CONFIG_H_
