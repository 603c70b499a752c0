#include "tests/support/host_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace scribe::testing {

std::string BinDir() { return SCRIBE_TEST_BIN_DIR; }
std::string PluginDir() { return SCRIBE_TEST_PLUGIN_DIR; }
std::string FixturePluginDir() { return SCRIBE_TEST_FIXTURE_PLUGIN_DIR; }

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

bool HostProcess::Start() {
  int out[2];
  if (pipe(out) != 0) return false;
  std::vector<std::string> args = {BinDir() + "/scribed", "--listen", "127.0.0.1:0", "--db",
                                   db_path_, "--plugins", plugin_dir_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out[0]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  // Read stdout until the "listening on" line.
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  while (std::chrono::steady_clock::now() < deadline) {
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n > 0) {
      seen.append(buf, static_cast<size_t>(n));
      size_t at = seen.find("listening on http://127.0.0.1:");
      size_t eol = at == std::string::npos ? std::string::npos : seen.find('\n', at);
      if (eol != std::string::npos) {
        port_ = std::stoi(seen.substr(at + 30, eol - at - 30));
        close(out[0]);
        return true;
      }
      continue;
    }
    if (n == 0) break;  // the host exited
    usleep(10000);
  }
  close(out[0]);
  ADD_FAILURE() << "scribed did not start; stdout: " << seen << "\nlog:\n" << Log();
  Kill();
  return false;
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
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string HostProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace scribe::testing
