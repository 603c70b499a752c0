#include "host/store/sqlite/host_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace scribe::store::sqlite {
namespace {

// The pid the holder wrote, or "" when it could not be read.
std::string HolderPid(int fd) {
  char buffer[32] = {};
  ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return "";
  std::string pid(buffer, static_cast<size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

Result<std::unique_ptr<HostLock>> HostLock::Acquire(const std::string& db_path) {
  const std::string lock_path = db_path + "-lock";
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Unavailable("storage_unavailable",
                       "cannot open " + lock_path + ": " + std::strerror(errno));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string pid = HolderPid(fd);
    close(fd);
    if (error == EWOULDBLOCK) {
      return Conflict("database_in_use", "the database " + db_path +
                                             " is in use by another scribed" +
                                             (pid.empty() ? std::string() : " (pid " + pid + ")"));
    }
    return Unavailable("storage_unavailable",
                       "cannot lock " + lock_path + ": " + std::strerror(error));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the pid; only the message to others is poorer.
  }
  return std::unique_ptr<HostLock>(new HostLock(fd));
}

HostLock::~HostLock() { close(fd_); }  // closing drops the flock

}  // namespace scribe::store::sqlite
