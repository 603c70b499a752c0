// Maintenance of a database, for operators (`scribectl db ...`): checks,
// compaction and purging of old jobs, run from outside the host.
//
// What is safe beside a running host: CheckDatabase reads one snapshot and
// PurgeJobs deletes finished jobs in short transactions, so both may run
// while scribed serves. VacuumDatabase rewrites the whole file and would
// stall the host's commits, so it takes the host's lock and refuses with
// Conflict("database_in_use") while a host holds the database.
//
// Thread safety: each call opens its own connections; call from any thread.
#ifndef SCRIBE_HOST_STORE_MAINTENANCE_H_
#define SCRIBE_HOST_STORE_MAINTENANCE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "host/common/status.h"
#include "host/store/types.h"

namespace scribe::store {

struct CheckReport {
  // Each a sentence naming what is wrong and where; empty when healthy.
  std::vector<std::string> problems;
  int64_t documents = 0;
  std::map<JobState, int64_t> jobs_by_state;
  int64_t chunks = 0;
  int64_t output_bytes = 0;
  int64_t file_bytes = 0;  // the database file, without its WAL
  int64_t wal_bytes = 0;
  int64_t free_bytes = 0;  // pages on the free list, reused before the file grows
};
// Runs SQLite's integrity and foreign-key checks and Scribe's own: every
// job's log is contiguous from offset 0, of valid UTF-8 and as long as the
// job says; attempts tile the log; only a running job has an open attempt.
Result<CheckReport> CheckDatabase(const std::string& url);

struct VacuumReport {
  int64_t bytes_before = 0;  // file + WAL
  int64_t bytes_after = 0;
};
Result<VacuumReport> VacuumDatabase(const std::string& url);

struct PurgeRequest {
  std::vector<JobState> states;  // finished states only; empty: all three
  int64_t finished_before_ms = 0;
  bool dry_run = false;  // report what would go, delete nothing
};
struct PurgeReport {
  std::vector<std::string> job_ids;  // deleted (or, dry run, to delete)
  int64_t output_bytes = 0;
};
// Deletes finished jobs (and their logs and history) that finished before
// the cutoff. A job that changed state meanwhile (continued) is skipped.
Result<PurgeReport> PurgeJobs(const std::string& url, const PurgeRequest& request);

// ---- API keys. Operators create and revoke them on the database file
// (scribectl keys), with the host running or not: the host looks a key up
// on every request, so a new key works and a revoked one stops at once.
// Only the secret's hash and its first characters are stored.
Result<ApiKey> CreateApiKey(const std::string& url, const std::string& name, bool admin,
                            const std::string& secret_hash, const std::string& prefix);
// NotFound for an unknown key; revoking twice keeps the first time.
Result<ApiKey> RevokeApiKey(const std::string& url, const std::string& id);

}  // namespace scribe::store

#endif  // SCRIBE_HOST_STORE_MAINTENANCE_H_
