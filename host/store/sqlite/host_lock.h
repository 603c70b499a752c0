// HostLock: one writing process per SQLite database. The lock is an flock()
// on "<database>-lock" beside the database, held for the holder's life; the
// kernel drops it when the process exits or is killed, so a crashed host
// never leaves a stale lock behind. The file holds the holder's pid, for the
// message that tells someone else who has the database.
//
// Thread safety: a HostLock is owned by one object; Acquire may be called
// from any thread.
#ifndef SCRIBE_HOST_STORE_SQLITE_HOST_LOCK_H_
#define SCRIBE_HOST_STORE_SQLITE_HOST_LOCK_H_

#include <memory>
#include <string>

#include "host/common/status.h"

namespace scribe::store::sqlite {

class HostLock {
 public:
  // Takes the lock for `db_path`, or Conflict("database_in_use") naming the
  // process that holds it.
  static Result<std::unique_ptr<HostLock>> Acquire(const std::string& db_path);
  ~HostLock();  // releases the lock
  HostLock(const HostLock&) = delete;
  HostLock& operator=(const HostLock&) = delete;

 private:
  explicit HostLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace scribe::store::sqlite

#endif  // SCRIBE_HOST_STORE_SQLITE_HOST_LOCK_H_
