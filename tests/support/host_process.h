// HostProcess: the real scribed binary, started on 127.0.0.1 with an
// ephemeral port and a database file in a temporary directory, for end to
// end tests. It can be stopped gracefully, killed with SIGKILL, and started
// again on the same database.
#ifndef SCRIBE_TESTS_SUPPORT_HOST_PROCESS_H_
#define SCRIBE_TESTS_SUPPORT_HOST_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace scribe::testing {

// A directory under $TMPDIR removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Starts `args` with stdout read until a line containing `marker`; returns
// the pid (and in `rest` what follows the marker on that line), or -1.
// stderr goes to `log_path`. Gives up after `timeout_s` seconds.
pid_t SpawnAndWait(const std::vector<std::string>& args, const std::string& marker,
                   const std::string& log_path, std::string& rest, int timeout_s = 15);
// SIGKILL and reap.
void KillProcess(pid_t pid);

// The fake provider server (tests/fakes/fake_llm.py) on 127.0.0.1.
class FakeProvider {
 public:
  // With `tls_cert`/`tls_key` it serves HTTPS; it accepts only `api_key`.
  explicit FakeProvider(const std::string& log_path, const std::string& tls_cert = "",
                        const std::string& tls_key = "", const std::string& api_key = "test-key");
  ~FakeProvider();
  bool ok() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string base_url() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
};

class HostProcess {
 public:
  // `extra_args` are appended to --listen, --db and --plugins.
  explicit HostProcess(std::string db_path, std::vector<std::string> extra_args = {},
                       std::string plugin_dir = "");
  ~HostProcess();  // kills the host if it still runs

  // Starts scribed and waits for its "listening on" line: on an ephemeral
  // port the first time, on the same port again after Stop() or Kill(), as
  // a restarted service would be. Aborts the test
  // (ADD_FAILURE + false) if it does not come within 15 s.
  bool Start();
  // SIGTERM, then wait for exit; returns the exit status.
  int Stop();
  // SIGKILL: the host dies mid-whatever, as in a crash.
  void Kill();
  // Starts scribed and kills it `delay` later without waiting for it to
  // listen: a crash during start-up recovery.
  void StartAndKillAfter(std::chrono::microseconds delay);

  int port() const { return port_; }
  // http:// or, with --tls-cert, https://127.0.0.1:PORT.
  std::string base_url() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Everything the host wrote to stderr so far.
  std::string Log() const;

 private:
  std::vector<std::string> Args() const;

  std::string db_path_;
  std::vector<std::string> extra_args_;
  std::string plugin_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string scheme_ = "http";
};

// Makes a self-signed certificate for 127.0.0.1 with openssl in `dir`
// (cert.pem, key.pem); returns the certificate's path.
std::string MakeCertificate(const TempDir& dir);

// Directories of the build, from CMake.
std::string BinDir();
std::string PluginDir();
std::string FixturePluginDir();
std::string SourceDir();

}  // namespace scribe::testing

#endif  // SCRIBE_TESTS_SUPPORT_HOST_PROCESS_H_
