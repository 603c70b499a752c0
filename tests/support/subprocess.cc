#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace scribe::testing {
namespace {

// In the child: applies `env` and replaces the process with `args`.
[[noreturn]] void Exec(const std::vector<std::string>& args, const EnvChanges& env) {
  for (const std::string& change : env) {
    if (!change.empty() && change[0] == '-') {
      unsetenv(change.c_str() + 1);
    } else if (size_t eq = change.find('='); eq != std::string::npos) {
      setenv(change.substr(0, eq).c_str(), change.c_str() + eq + 1, 1);
    }
  }
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

// Waits up to timeout_s for `pid`; kills it (and returns -1) past that.
int WaitFor(pid_t pid, int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& args, const std::string& input,
                                     const EnvChanges& env) {
  char pattern[] = "/tmp/scribe-proc-XXXXXX";
  dir_ = mkdtemp(pattern);
  std::ofstream(dir_ + "/in", std::ios::binary) << input;
  pid_ = fork();
  if (pid_ == 0) {
    int in = open((dir_ + "/in").c_str(), O_RDONLY);
    int out = open((dir_ + "/out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open((dir_ + "/err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    Exec(args, env);
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

int BackgroundProcess::Wait(int timeout_s) {
  if (pid_ > 0) {
    exit_code_ = WaitFor(pid_, timeout_s);
    pid_ = -1;
  }
  return exit_code_;
}

std::string BackgroundProcess::Out() const { return ReadAll(dir_ + "/out"); }
std::string BackgroundProcess::Err() const { return ReadAll(dir_ + "/err"); }

ProcessResult RunProcess(const std::vector<std::string>& args, const std::string& input,
                         const EnvChanges& env, int timeout_s) {
  BackgroundProcess process(args, input, env);
  ProcessResult result;
  result.exit_code = process.Wait(timeout_s);
  result.out = process.Out();
  result.err = process.Err();
  return result;
}

ProcessResult RunInTerminal(const std::vector<std::string>& args, const EnvChanges& env,
                            int timeout_s) {
  int master = -1;
  struct winsize size {};
  size.ws_row = 24;
  size.ws_col = 80;
  pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  if (pid == 0) Exec(args, env);
  ProcessResult result;
  if (pid < 0) return result;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  char buffer[4096];
  for (;;) {
    pollfd fd{master, POLLIN, 0};
    if (poll(&fd, 1, 100) > 0) {
      ssize_t n = read(master, buffer, sizeof buffer);
      if (n <= 0) break;  // EIO: the child closed the terminal
      result.out.append(buffer, static_cast<size_t>(n));
    }
    if (std::chrono::steady_clock::now() > deadline) break;
  }
  close(master);
  result.exit_code = WaitFor(pid, 5);
  return result;
}

}  // namespace scribe::testing
