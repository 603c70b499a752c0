// host/store/maintenance.h: keys and purging on either backend; checking and
// compacting only on SQLite (PostgreSQL has its own tools: amcheck, VACUUM).
#include "host/store/maintenance.h"

#include <sys/stat.h>

#include <memory>

#include "host/common/clock.h"
#include "host/common/utf8.h"
#include "host/store/postgresql/pg_db.h"
#include "host/store/postgresql/pg_store.h"
#include "host/store/sql/rows.h"
#include "host/store/sqlite/host_lock.h"
#include "host/store/sqlite/sqlite_db.h"
#include "host/store/sqlite/sqlite_store.h"

namespace scribe::store {
namespace {

using sql::Db;
using sql::Stmt;

int64_t FileBytes(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : 0;
}

// An existing database of the current schema, with the settings every
// connection gets.
Result<std::unique_ptr<Db>> OpenExisting(const std::string& url, std::string& path) {
  if (postgresql::IsPostgresUrl(url)) {
    path = postgresql::RedactedUrl(url);
    return postgresql::OpenPostgresDb(url);
  }
  Result<std::string> resolved = sqlite::PathFromUrl(url);
  if (!resolved.ok()) return resolved.status();
  path = *resolved;
  SCRIBE_RETURN_IF_ERROR(sqlite::RequireExistingFile(path));
  Result<std::unique_ptr<sqlite::SqliteDb>> db = sqlite::SqliteDb::Open(path, /*create=*/false);
  if (!db.ok()) return db.status();
  SCRIBE_RETURN_IF_ERROR((*db)->Exec("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;"));
  SCRIBE_RETURN_IF_ERROR(sql::RequireCurrentSchema(**db, sqlite::SqliteMigrations(), path));
  return std::unique_ptr<Db>(std::move(db).value());
}

// Adds one problem per row of `sql`, worded by `describe`.
template <typename Describe>
Status Collect(Db& db, const char* sql, std::vector<std::string>& problems, Describe describe) {
  Stmt stmt(db, sql);
  while (stmt.Step()) problems.push_back(describe(stmt));
  return stmt.status();
}

Status CheckSqlite(Db& db, CheckReport& report) {
  {
    Stmt integrity(db, "PRAGMA integrity_check");
    while (integrity.Step()) {
      if (integrity.Text(0) != "ok") report.problems.push_back("sqlite: " + integrity.Text(0));
    }
    SCRIBE_RETURN_IF_ERROR(integrity.status());
  }
  return Collect(db, "PRAGMA foreign_key_check", report.problems, [](const Stmt& row) {
    return "a row of " + row.Text(0) + " refers to a missing row of " + row.Text(2);
  });
}

Status CheckLogs(Db& db, CheckReport& report) {
  auto& problems = report.problems;
  SCRIBE_RETURN_IF_ERROR(
      Collect(db,
              "SELECT j.id, j.output_bytes, coalesce(sum(length(c.data)), 0) AS stored "
              "FROM jobs j LEFT JOIN chunks c ON c.job_id = j.id "
              "GROUP BY j.id HAVING stored != j.output_bytes",
              problems, [](const Stmt& row) {
                return "job " + row.Text(0) + " says " + std::to_string(row.Int(1)) +
                       " output bytes but its log holds " + std::to_string(row.Int(2));
              }));
  SCRIBE_RETURN_IF_ERROR(
      Collect(db,
              "SELECT job_id, seq, offset, expected FROM ("
              "  SELECT job_id, seq, offset, lag(offset + length(data), 1, 0) OVER ("
              "    PARTITION BY job_id ORDER BY seq) AS expected FROM chunks) "
              "WHERE offset != expected",
              problems, [](const Stmt& row) {
                return "job " + row.Text(0) + "'s log has a gap or overlap: chunk " +
                       std::to_string(row.Int(1)) + " starts at " + std::to_string(row.Int(2)) +
                       " instead of " + std::to_string(row.Int(3));
              }));
  Stmt chunks(db, "SELECT job_id, offset, data FROM chunks");
  while (chunks.Step()) {
    ++report.chunks;
    std::string_view data = chunks.Blob(2);
    report.output_bytes += static_cast<int64_t>(data.size());
    if (!utf8::IsValid(data)) {
      problems.push_back("job " + chunks.Text(0) + "'s log has invalid UTF-8 in the chunk at " +
                         std::to_string(chunks.Int(1)));
    }
  }
  return chunks.status();
}

Status CheckAttempts(Db& db, CheckReport& report) {
  auto& problems = report.problems;
  SCRIBE_RETURN_IF_ERROR(
      Collect(db,
              "SELECT j.id, j.attempts, count(a.number), coalesce(max(a.number), 0) "
              "FROM jobs j LEFT JOIN job_attempts a ON a.job_id = j.id "
              "GROUP BY j.id HAVING count(a.number) != j.attempts OR max(a.number) != j.attempts",
              problems, [](const Stmt& row) {
                return "job " + row.Text(0) + " counts " + std::to_string(row.Int(1)) +
                       " attempts but has " + std::to_string(row.Int(2)) + " attempt rows";
              }));
  SCRIBE_RETURN_IF_ERROR(Collect(
      db,
      "SELECT job_id, number, start_offset, end_offset, output_bytes FROM ("
      "  SELECT a.job_id, a.number, a.start_offset, a.end_offset, j.output_bytes, "
      "    lag(a.end_offset, 1, 0) OVER (PARTITION BY a.job_id ORDER BY a.number) AS previous_end "
      "  FROM job_attempts a JOIN jobs j ON j.id = a.job_id) "
      "WHERE start_offset > end_offset OR end_offset > output_bytes "
      "   OR start_offset != previous_end",
      problems, [](const Stmt& row) {
        return "job " + row.Text(0) + "'s attempt " + std::to_string(row.Int(1)) + " covers [" +
               std::to_string(row.Int(2)) + ", " + std::to_string(row.Int(3)) +
               ") which does not follow the attempt before it within " +
               std::to_string(row.Int(4)) + " bytes of output";
      }));
  return Collect(db,
                 "SELECT j.id, j.state, count(a.number) AS open FROM jobs j "
                 "LEFT JOIN job_attempts a ON a.job_id = j.id AND a.finished_ms IS NULL "
                 "GROUP BY j.id HAVING open != (j.state = 'running')",
                 problems, [](const Stmt& row) {
                   return "job " + row.Text(0) + " is " + row.Text(1) + " with " +
                          std::to_string(row.Int(2)) + " unfinished attempts";
                 });
}

Status CountContents(Db& db, const std::string& path, CheckReport& report) {
  Stmt documents(db, "SELECT count(*) FROM documents");
  if (documents.Step()) report.documents = documents.Int(0);
  SCRIBE_RETURN_IF_ERROR(documents.status());
  for (JobState state : kAllJobStates) report.jobs_by_state[state] = 0;
  Stmt jobs(db, "SELECT state, count(*) FROM jobs GROUP BY state");
  while (jobs.Step()) {
    if (auto state = ParseJobState(jobs.Text(0))) report.jobs_by_state[*state] = jobs.Int(1);
  }
  SCRIBE_RETURN_IF_ERROR(jobs.status());
  Stmt pages(db, "SELECT page_size * freelist_count FROM pragma_page_size, pragma_freelist_count");
  if (pages.Step()) report.free_bytes = pages.Int(0);
  SCRIBE_RETURN_IF_ERROR(pages.status());
  report.file_bytes = FileBytes(path);
  report.wal_bytes = FileBytes(path + "-wal");
  return Status::Ok();
}

// Check and vacuum are SQLite's; PostgreSQL's own tools do them there.
Status SqliteOnly(const std::string& url, const std::string& what) {
  if (!postgresql::IsPostgresUrl(url)) return Status::Ok();
  return InvalidArgument("unsupported_database",
                         what +
                             " works on SQLite databases; on PostgreSQL use its own tools "
                             "(amcheck, VACUUM, autovacuum)");
}

}  // namespace

Result<CheckReport> CheckDatabase(const std::string& url) {
  SCRIBE_RETURN_IF_ERROR(SqliteOnly(url, "scribectl db check"));
  std::string path;
  Result<std::unique_ptr<Db>> db = OpenExisting(url, path);
  if (!db.ok()) return db.status();
  SCRIBE_RETURN_IF_ERROR((*db)->Exec("BEGIN"));  // one snapshot, even beside a running host
  CheckReport report;
  Status status = CheckSqlite(**db, report);
  if (status.ok()) status = CheckLogs(**db, report);
  if (status.ok()) status = CheckAttempts(**db, report);
  if (status.ok()) status = CountContents(**db, path, report);
  (void)(*db)->Exec("COMMIT");
  if (!status.ok()) return status;
  return report;
}

Result<VacuumReport> VacuumDatabase(const std::string& url) {
  SCRIBE_RETURN_IF_ERROR(SqliteOnly(url, "scribectl db vacuum"));
  Result<std::string> path = sqlite::PathFromUrl(url);
  if (!path.ok()) return path.status();
  SCRIBE_RETURN_IF_ERROR(sqlite::RequireExistingFile(*path));  // before the lock file is made
  Result<std::unique_ptr<sqlite::HostLock>> lock = sqlite::HostLock::Acquire(*path);
  if (!lock.ok()) {
    if (lock.status().reason() != "database_in_use") return lock.status();
    return Conflict("database_in_use",
                    lock.status().message() +
                        "; VACUUM rewrites the whole file and would stall its commits, so stop "
                        "the host first");
  }
  std::string opened_path;
  Result<std::unique_ptr<Db>> db = OpenExisting(url, opened_path);
  if (!db.ok()) return db.status();
  VacuumReport report;
  report.bytes_before = FileBytes(*path) + FileBytes(*path + "-wal");
  SCRIBE_RETURN_IF_ERROR((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  SCRIBE_RETURN_IF_ERROR((*db)->Exec("VACUUM"));
  SCRIBE_RETURN_IF_ERROR((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  report.bytes_after = FileBytes(*path) + FileBytes(*path + "-wal");
  return report;
}

Result<PurgeReport> PurgeJobs(const std::string& url, const PurgeRequest& request) {
  std::vector<JobState> states = request.states;
  if (states.empty()) states = {JobState::kSucceeded, JobState::kFailed, JobState::kCancelled};
  std::string state_list;
  for (JobState state : states) {
    if (!IsFinished(state)) {
      return InvalidArgument("invalid_state",
                             "only finished jobs (succeeded, failed, cancelled) "
                             "can be purged, not " +
                                 std::string(ToString(state)));
    }
    state_list +=
        std::string(state_list.empty() ? "'" : ", '") + std::string(ToString(state)) + "'";
  }
  // The states are from the closed enum above, so building them into the SQL is safe.
  const std::string condition =
      "state IN (" + state_list + ") AND coalesce(finished_ms, updated_ms) < ?1";

  std::string path;
  Result<std::unique_ptr<Db>> db = OpenExisting(url, path);
  if (!db.ok()) return db.status();
  std::vector<std::pair<std::string, int64_t>> candidates;
  {
    Stmt select(**db, "SELECT id, output_bytes FROM jobs WHERE " + condition +
                          " ORDER BY created_ms, rowid");
    select.Bind(1, request.finished_before_ms);
    while (select.Step()) candidates.emplace_back(select.Text(0), select.Int(1));
    SCRIBE_RETURN_IF_ERROR(select.status());
  }
  PurgeReport report;
  if (request.dry_run) {
    for (const auto& [id, bytes] : candidates) {
      report.job_ids.push_back(id);
      report.output_bytes += bytes;
    }
    return report;
  }
  // One short transaction per job, the condition checked again inside it, so
  // a running host's writer never waits long and a job it just continued stays.
  Stmt remove(**db, "DELETE FROM jobs WHERE id = ?2 AND " + condition);
  for (const auto& [id, bytes] : candidates) {
    remove.Reset();
    SCRIBE_RETURN_IF_ERROR(remove.Bind(1, request.finished_before_ms).Bind(2, id).Run());
    if ((*db)->Changes() == 0) continue;
    report.job_ids.push_back(id);
    report.output_bytes += bytes;
  }
  return report;
}

Result<ApiKey> CreateApiKey(const std::string& url, const std::string& name, bool admin,
                            const std::string& secret_hash, const std::string& prefix) {
  std::string path;
  Result<std::unique_ptr<Db>> db = OpenExisting(url, path);
  if (!db.ok()) return db.status();
  ApiKey key{"key_" + RandomId(12), name, prefix, admin, NowMillis(), std::nullopt};
  SCRIBE_RETURN_IF_ERROR(
      Stmt(**db,
           "INSERT INTO api_keys (id, name, secret_hash, prefix, admin, created_ms) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
          .Bind(1, key.id)
          .Bind(2, key.name)
          .Bind(3, secret_hash)
          .Bind(4, key.prefix)
          .Bind(5, key.admin ? 1 : 0)
          .Bind(6, key.created_ms)
          .Run());
  return key;
}

Result<ApiKey> RevokeApiKey(const std::string& url, const std::string& id) {
  std::string path;
  Result<std::unique_ptr<Db>> db = OpenExisting(url, path);
  if (!db.ok()) return db.status();
  SCRIBE_RETURN_IF_ERROR(
      Stmt(**db, "UPDATE api_keys SET revoked_ms = coalesce(revoked_ms, ?2) WHERE id = ?1")
          .Bind(1, id)
          .Bind(2, NowMillis())
          .Run());
  Stmt key(**db, "SELECT " SCRIBE_API_KEY_COLUMNS " FROM api_keys WHERE id = ?1");
  key.Bind(1, id);
  if (!key.Step()) {
    return key.status().ok() ? NotFound("key_not_found", "no API key with id '" + id + "'")
                             : key.status();
  }
  return sql::ApiKeyFromRow(key);
}

}  // namespace scribe::store
