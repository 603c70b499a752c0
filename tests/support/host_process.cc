#include "tests/support/host_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace scribe::testing {

std::string BinDir() { return SCRIBE_TEST_BIN_DIR; }
std::string PluginDir() { return SCRIBE_TEST_PLUGIN_DIR; }
std::string FixturePluginDir() { return SCRIBE_TEST_FIXTURE_PLUGIN_DIR; }
std::string SourceDir() { return SCRIBE_TEST_SOURCE_DIR; }

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/scribe-test-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) std::abort();
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

HostProcess::HostProcess(std::string db_path, std::vector<std::string> extra_args,
                         std::string plugin_dir)
    : db_path_(std::move(db_path)),
      extra_args_(std::move(extra_args)),
      plugin_dir_(plugin_dir.empty() ? PluginDir() : std::move(plugin_dir)),
      log_path_(db_path_ + ".host.log") {}

HostProcess::~HostProcess() {
  if (pid_ > 0) Kill();
}

pid_t SpawnAndWait(const std::vector<std::string>& args_in, const std::string& marker,
                   const std::string& log_path, std::string& rest, int timeout_s) {
  int out[2];
  if (pipe(out) != 0) return -1;
  std::vector<std::string> args = args_in;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out[0]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  while (std::chrono::steady_clock::now() < deadline) {
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n > 0) {
      seen.append(buf, static_cast<size_t>(n));
      size_t at = seen.find(marker);
      size_t eol = at == std::string::npos ? std::string::npos : seen.find('\n', at);
      if (eol != std::string::npos) {
        rest = seen.substr(at + marker.size(), eol - at - marker.size());
        close(out[0]);  // the child's later output goes nowhere; it never writes much
        return pid;
      }
      continue;
    }
    if (n == 0) break;  // the child exited
    usleep(10000);
  }
  close(out[0]);
  ADD_FAILURE() << args[0] << " did not print '" << marker << "'; stdout: " << seen;
  KillProcess(pid);
  return -1;
}

void KillProcess(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

FakeProvider::FakeProvider(const std::string& log_path, const std::string& tls_cert,
                           const std::string& tls_key, const std::string& api_key)
    : tls_(!tls_cert.empty()) {
  std::vector<std::string> args = {
      "python3", SourceDir() + "/tests/fakes/fake_llm.py", "--port", "0", "--key", api_key};
  if (tls_) args.insert(args.end(), {"--tls-cert", tls_cert, "--tls-key", tls_key});
  std::string rest;
  pid_ = SpawnAndWait(args, "fake provider listening on ", log_path, rest);
  if (pid_ > 0) port_ = std::stoi(rest);
}

FakeProvider::~FakeProvider() { KillProcess(pid_); }

std::string FakeProvider::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::string MakeCertificate(const TempDir& dir) {
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      dir.File("key.pem") + " -out " + dir.File("cert.pem") + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return dir.File("cert.pem");
}

std::vector<std::string> HostProcess::Args() const {
  // Authentication off unless a test turns it on in its own arguments (the
  // last of a repeated flag wins).
  std::vector<std::string> args = {BinDir() + "/scribed",
                                   "--listen",
                                   "127.0.0.1:" + std::to_string(port_),
                                   "--db",
                                   db_path_,
                                   "--plugins",
                                   plugin_dir_,
                                   "--auth",
                                   "off"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  return args;
}

bool HostProcess::Start() {
  std::vector<std::string> args = Args();
  std::string rest;
  pid_ = SpawnAndWait(args, "listening on http", log_path_, rest);
  if (pid_ <= 0) {
    ADD_FAILURE() << "scribed did not start; log:\n" << Log();
    pid_ = -1;
    return false;
  }
  // rest: "://127.0.0.1:PORT, database ..." or "s://127.0.0.1:PORT, ..."
  scheme_ = rest.rfind("s://", 0) == 0 ? "https" : "http";
  const std::string at = "127.0.0.1:";
  port_ = std::stoi(rest.substr(rest.find(at) + at.size()));
  return true;
}

int HostProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void HostProcess::Kill() {
  KillProcess(pid_);
  pid_ = -1;
}

void HostProcess::StartAndKillAfter(std::chrono::microseconds delay) {
  std::vector<std::string> args = Args();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(null, STDOUT_FILENO);
    if (log >= 0) dup2(log, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  usleep(static_cast<useconds_t>(delay.count()));
  KillProcess(pid);
}

std::string HostProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace scribe::testing
