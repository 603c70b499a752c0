#include "host/config.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

extern char** environ;

namespace scribe {
namespace {

struct Setting {
  const char* flag;  // without the leading "--"
  const char* env;
  const char* key;  // in the config file
  const char* help;
  // Stores `value` into the config; returns an error message or "".
  std::function<std::string(Config&, const std::string&)> set;
};

std::string ToInt64(const std::string& value, int64_t min, int64_t max, int64_t& out) {
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size() || parsed < min || parsed > max) {
    return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  }
  out = parsed;
  return "";
}

template <typename T>
std::function<std::string(Config&, const std::string&)> Integer(T Config::*field, int64_t min,
                                                                int64_t max) {
  return [=](Config& config, const std::string& value) {
    int64_t parsed = 0;
    std::string error = ToInt64(value, min, max, parsed);
    if (error.empty()) config.*field = static_cast<T>(parsed);
    return error;
  };
}

// One of a few words.
std::function<std::string(Config&, const std::string&)> Choice(std::string Config::*field,
                                                               std::vector<std::string> choices) {
  return [=](Config& config, const std::string& value) -> std::string {
    for (const std::string& choice : choices) {
      if (value == choice) {
        config.*field = value;
        return "";
      }
    }
    std::string list;
    for (const std::string& choice : choices) list += (list.empty() ? "" : " or ") + choice;
    return "must be " + list;
  };
}

std::function<std::string(Config&, const std::string&)> Text(std::string Config::*field) {
  return [=](Config& config, const std::string& value) {
    config.*field = value;
    return std::string();
  };
}

// A comma-separated list of web origins (scheme://host[:port]), or "*".
std::function<std::string(Config&, const std::string&)> Origins(
    std::vector<std::string> Config::*field) {
  return [=](Config& config, const std::string& value) -> std::string {
    std::vector<std::string> origins;
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = std::min(value.find(',', start), value.size());
      std::string origin = value.substr(start, comma - start);
      while (!origin.empty() && origin.front() == ' ') origin.erase(0, 1);
      while (!origin.empty() && origin.back() == ' ') origin.pop_back();
      start = comma + 1;
      if (origin.empty()) continue;
      size_t scheme_end = origin.find("://");
      bool web = origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
      if (origin != "*" && (!web || origin.size() == scheme_end + 3 ||
                            origin.find_first_of("/?#", scheme_end + 3) != std::string::npos)) {
        return "'" + origin +
               "' is not an origin: give scheme://host[:port] (no path), or * for any";
      }
      origins.push_back(origin);
    }
    config.*field = std::move(origins);
    return "";
  };
}

// An absolute http(s) URL with a host and no query or fragment.
std::function<std::string(Config&, const std::string&)> PublicUrl(std::string Config::*field) {
  return [=](Config& config, const std::string& value) -> std::string {
    size_t scheme_end = value.find("://");
    bool web = value.rfind("http://", 0) == 0 || value.rfind("https://", 0) == 0;
    if (!web || value.size() == scheme_end + 3 ||
        value.find_first_of("?# ", scheme_end + 3) != std::string::npos) {
      return "'" + value + "' is not a URL: give scheme://host[:port]";
    }
    config.*field = value;
    return "";
  };
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"listen", "SCRIBE_LISTEN", "listen",
       "address to serve HTTP on, HOST:PORT (port 0: any free port) [127.0.0.1:8080]",
       Text(&Config::listen)},
      {"public-url", "SCRIBE_PUBLIC_URL", "public_url",
       "the URL clients reach this host at, scheme://host[:port], for the links it hands out "
       "(Durable Streams webhook callbacks) [the listen address]",
       PublicUrl(&Config::public_url)},
      {"db", "SCRIBE_DB", "db",
       "database: a file path or sqlite:PATH (this host alone), or "
       "postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME (shared by any number of hosts) "
       "[scribe.db]",
       Text(&Config::db)},
      {"auth", "SCRIBE_AUTH", "auth",
       "on: every API request needs an API key (scribectl keys create); off: one local user, "
       "no keys [on]",
       Choice(&Config::auth, {"on", "off"})},
      {"insecure-public-listen", "SCRIBE_INSECURE_PUBLIC_LISTEN", "insecure_public_listen",
       "yes: listen on a non-loopback address even with auth off or no API key [no]",
       Choice(&Config::insecure_public_listen, {"yes", "no"})},
      {"tls-cert", "SCRIBE_TLS_CERT", "tls_cert",
       "serve HTTPS with this certificate (PEM, chain after it) and --tls-key [none: HTTP]",
       Text(&Config::tls_cert)},
      {"tls-key", "SCRIBE_TLS_KEY", "tls_key", "the private key of --tls-cert (PEM) [none]",
       Text(&Config::tls_key)},
      {"cors-origins", "SCRIBE_CORS_ORIGINS", "cors_origins",
       "web origins whose pages may call the API from a browser, comma-separated "
       "(https://app.example), or * for any [none: same origin only]",
       Origins(&Config::cors_origins)},
      {"plugins", "SCRIBE_PLUGINS", "plugins",
       "directory of provider plugins (*.so) [<scribed's dir>/../plugins]", Text(&Config::plugins)},
      {"workers", "SCRIBE_WORKERS", "workers", "generations that run at once [16]",
       Integer(&Config::workers, 1, 4096)},
      {"http-threads", "SCRIBE_HTTP_THREADS", "http_threads",
       "threads serving HTTP requests (SSE viewers need none) [64]",
       Integer(&Config::http_threads, 2, 4096)},
      {"http-queue", "SCRIBE_HTTP_QUEUE", "http_queue",
       "connections that may wait for a request thread [4096]",
       Integer(&Config::http_queue, 1, 1 << 20)},
      {"long-poll-timeout-ms", "SCRIBE_LONG_POLL_TIMEOUT_MS", "long_poll_timeout_ms",
       "Durable Streams long-poll: answer 204 after this long without new data, "
       "milliseconds [30000]",
       Integer(&Config::long_poll_timeout_ms, 10, 600000)},
      {"heartbeat-ms", "SCRIBE_HEARTBEAT_MS", "heartbeat_ms",
       "SSE heartbeat comment after this much silence, milliseconds [15000]",
       Integer(&Config::heartbeat_ms, 10, 3600000)},
      {"sse-retry-ms", "SCRIBE_SSE_RETRY_MS", "sse_retry_ms",
       "reconnect delay suggested to SSE clients (retry:), milliseconds [2000]",
       Integer(&Config::sse_retry_ms, 0, 3600000)},
      {"max-body-bytes", "SCRIBE_MAX_BODY_BYTES", "max_body_bytes",
       "largest request body accepted; larger gets 413 [16777216]",
       Integer(&Config::max_body_bytes, 1024, int64_t{1} << 32)},
      {"max-document-bytes", "SCRIBE_MAX_DOCUMENT_BYTES", "max_document_bytes",
       "largest document accepted [8388608]",
       Integer(&Config::max_document_bytes, 1, int64_t{1} << 32)},
      {"max-active-jobs-per-key", "SCRIBE_MAX_ACTIVE_JOBS_PER_KEY", "max_active_jobs_per_key",
       "jobs an API key may have queued or running at once; more get 429 (0: no limit) [16]",
       Integer(&Config::max_active_jobs_per_key, 0, 1000000)},
      {"submissions-per-minute", "SCRIBE_SUBMISSIONS_PER_MINUTE", "submissions_per_minute",
       "jobs an API key may submit per minute (bursts up to as many); more get 429 with "
       "Retry-After (0: no limit) [60]",
       Integer(&Config::submissions_per_minute, 0, 1000000)},
      {"max-viewers-per-job", "SCRIBE_MAX_VIEWERS_PER_JOB", "max_viewers_per_job",
       "live SSE viewers of one job; more get 429 (0: no limit) [1000]",
       Integer(&Config::max_viewers_per_job, 0, 10000000)},
      {"max-viewers-per-key", "SCRIBE_MAX_VIEWERS_PER_KEY", "max_viewers_per_key",
       "live SSE viewers one API key may hold; more get 429 (0: no limit) [100]",
       Integer(&Config::max_viewers_per_key, 0, 10000000)},
      {"request-timeout-ms", "SCRIBE_REQUEST_TIMEOUT_MS", "request_timeout_ms",
       "total time allowed for a request head, and then its body, to arrive; 408 after it, "
       "milliseconds [30000]",
       Integer(&Config::request_timeout_ms, 100, 3600000)},
      {"keep-alive-ms", "SCRIBE_KEEP_ALIVE_MS", "keep_alive_ms",
       "how long an idle keep-alive connection may hold a request thread, milliseconds [5000]",
       Integer(&Config::keep_alive_ms, 0, 3600000)},
      {"synchronous", "SCRIBE_SYNCHRONOUS", "synchronous",
       "NORMAL survives a killed host; FULL also survives power loss [NORMAL]",
       [](Config& config, const std::string& value) -> std::string {
         if (value != "NORMAL" && value != "FULL") return "must be NORMAL or FULL";
         config.synchronous = value;
         return "";
       }},
      {"commit-interval-ms", "SCRIBE_COMMIT_INTERVAL_MS", "commit_interval_ms",
       "group commit: wait this long to gather writes (0: commit as soon as the writer is free) "
       "[0]",
       Integer(&Config::commit_interval_ms, 0, 1000)},
      {"lease-ms", "SCRIBE_LEASE_MS", "lease_ms",
       "a running job stays this host's this long without a renewal; on a shared database "
       "another host takes it over once it expires [15000]",
       Integer(&Config::lease_ms, 300, 3600000)},
      {"retry-tries", "SCRIBE_RETRY_TRIES", "retry_tries",
       "tries per provider before a job's first byte, for retryable errors [3]",
       Integer(&Config::retry_tries, 1, 100)},
      {"retry-base-ms", "SCRIBE_RETRY_BASE_MS", "retry_base_ms",
       "first backoff delay; doubles each try, plus up to as much jitter [1000]",
       Integer(&Config::retry_base_ms, 0, 3600000)},
      {"retry-max-ms", "SCRIBE_RETRY_MAX_MS", "retry_max_ms", "longest backoff delay [30000]",
       Integer(&Config::retry_max_ms, 0, 3600000)},
      {"retry-after-cap-ms", "SCRIBE_RETRY_AFTER_CAP_MS", "retry_after_cap_ms",
       "longest wait honoured from a provider's retry delay (Gemini RetryInfo) [60000]",
       Integer(&Config::retry_after_cap_ms, 0, 3600000)},
      {"auto-continues", "SCRIBE_AUTO_CONTINUES", "auto_continues",
       "automatic continues after a retryable failure once output exists [2]",
       Integer(&Config::auto_continues, 0, 100)},
      {"fallback", "SCRIBE_FALLBACK", "fallback",
       "default fallback chain, tried after a job's own: JSON [{\"provider\",\"model\"}] [[]]",
       [](Config& config, const std::string& value) -> std::string {
         nlohmann::json chain = nlohmann::json::parse(value, nullptr, false);
         if (!chain.is_array()) return "must be a JSON array of {\"provider\", \"model\"}";
         for (const auto& entry : chain) {
           if (!entry.is_object() || !entry.contains("provider") ||
               !entry["provider"].is_string()) {
             return "must be a JSON array of {\"provider\", \"model\"}";
           }
         }
         config.fallback = value;
         return "";
       }},
      {"log-level", "SCRIBE_LOG_LEVEL", "log_level", "debug, info, warn or error [info]",
       [](Config& config, const std::string& value) -> std::string {
         if (value != "debug" && value != "info" && value != "warn" && value != "warning" &&
             value != "error") {
           return "must be debug, info, warn or error";
         }
         config.log_level = value;
         return "";
       }},
  };
  return kSettings;
}

Status Bad(const std::string& where, const std::string& why) {
  return InvalidArgument("invalid_config", where + " " + why);
}

Status ApplyFile(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Bad("config file " + path, "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!json.is_object()) return Bad("config file " + path, "is not a JSON object");
  for (const auto& [key, value] : json.items()) {
    if (key == "plugin_config") {
      if (!value.is_object()) return Bad("config file key plugin_config", "must be an object");
      for (const auto& [name, setting] : value.items()) {
        if (!setting.is_string()) return Bad("plugin_config." + name, "must be a string");
        config.plugin_config[name] = setting.get<std::string>();
      }
      continue;
    }
    const Setting* found = nullptr;
    for (const Setting& s : Settings()) {
      if (key == s.key) found = &s;
    }
    if (!found) return Bad("config file key '" + key + "'", "is not a setting");
    std::string text_value =
        value.is_string() ? value.get<std::string>() : value.dump();  // fallback: an array
    std::string error = found->set(config, text_value);
    if (!error.empty()) return Bad("config file key " + key, error);
  }
  return Status::Ok();
}

}  // namespace

Status Config::ListenAddress(std::string& host, int& port) const {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Bad("listen address '" + listen + "'", "must be HOST:PORT");
  }
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int64_t parsed = 0;
  std::string error = ToInt64(listen.substr(colon + 1), 0, 65535, parsed);
  if (!error.empty()) return Bad("listen port", error);
  port = static_cast<int>(parsed);
  return Status::Ok();
}

bool Config::ListensOnLoopback() const {
  std::string host;
  int port = 0;
  if (!ListenAddress(host, port).ok()) return false;
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Result<Config> LoadConfig(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env) {
  Config config;
  // Flags are parsed first but applied last, so they win.
  std::vector<std::pair<const Setting*, std::string>> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h" || arg == "--help") {
      config.show_help = true;
      continue;
    }
    if (arg == "--version") {
      config.show_version = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return Bad("argument '" + arg + "'", "is not a flag; see --help");
    std::string name = arg.substr(2), value;
    size_t eq = name.find('=');
    bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) return Bad("flag --" + name, "needs a value");
      value = args[++i];
    }
    if (name == "config") {
      config.config_file = value;
      continue;
    }
    const Setting* found = nullptr;
    for (const Setting& s : Settings()) {
      if (name == s.flag) found = &s;
    }
    if (!found) return Bad("flag --" + name, "is unknown; see --help");
    flags.emplace_back(found, value);
  }
  if (config.show_help || config.show_version) return config;

  if (config.config_file.empty()) {
    auto it = env.find("SCRIBE_CONFIG");
    if (it != env.end()) config.config_file = it->second;
  }
  if (!config.config_file.empty()) SCRIBE_RETURN_IF_ERROR(ApplyFile(config, config.config_file));
  for (const Setting& s : Settings()) {
    auto it = env.find(s.env);
    if (it == env.end()) continue;
    std::string error = s.set(config, it->second);
    if (!error.empty()) return Bad(std::string("environment variable ") + s.env, error);
  }
  for (const auto& [setting, value] : flags) {
    std::string error = setting->set(config, value);
    if (!error.empty()) return Bad(std::string("flag --") + setting->flag, error);
  }
  std::string host;
  int port = 0;
  SCRIBE_RETURN_IF_ERROR(config.ListenAddress(host, port));
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return Bad("--tls-cert and --tls-key", "go together: give both files or neither");
  }
  return config;
}

std::string HelpText() {
  std::string text =
      "scribed — the Scribe host: durable, resumable streaming of long LLM generations.\n\n"
      "Usage: scribed [--flag value]...\n\n"
      "Each setting is a flag, an environment variable, or a key of the JSON config file;\n"
      "flags win over the environment, which wins over the file. [default in brackets]\n\n";
  for (const Setting& s : Settings()) {
    text += "  --" + std::string(s.flag) + " (" + s.env + ", \"" + s.key + "\")\n      " + s.help +
            "\n";
  }
  text +=
      "  --config FILE (SCRIBE_CONFIG)\n"
      "      JSON config file: {\"listen\": \"127.0.0.1:8080\", ...,\n"
      "      \"plugin_config\": {\"GOOGLE_API_KEY\": \"...\"}}; plugins read their settings\n"
      "      from plugin_config, then from the environment\n"
      "  --help, --version\n\n"
      "On SIGINT or SIGTERM scribed stops accepting requests, stops running generations\n"
      "(they are continued at the next start), commits what is queued, and exits.\n";
  return text;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

}  // namespace scribe
