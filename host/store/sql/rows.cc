#include "host/store/sql/rows.h"

#include <charconv>

namespace scribe::store::sql {
namespace {

std::optional<JobError> ErrorFromColumns(const Stmt& row, int first) {
  if (row.IsNull(first)) return std::nullopt;
  return JobError{row.Text(first), row.Text(first + 1), row.Text(first + 2),
                  row.Int(first + 3) != 0};
}

}  // namespace

Job JobFromRow(const Stmt& row) {
  Job job;
  job.id = row.Text(0);
  job.spec.document_id = row.Text(1);
  job.spec.title = row.Text(2);
  job.input_bytes = row.Int(3);
  job.spec.provider = row.Text(4);
  job.spec.model = row.Text(5);
  job.spec.prompt = row.Text(6);
  job.spec.temperature = row.OptDouble(7);
  job.spec.max_output_tokens = row.OptInt(8);
  job.spec.params_json = row.Text(9);
  job.spec.fallback_json = row.Text(10);
  job.state = ParseJobState(row.Text(11)).value_or(JobState::kFailed);
  job.attempts = static_cast<int>(row.Int(12));
  job.output_bytes = row.Int(13);
  job.model_used = row.Text(14);
  job.error = ErrorFromColumns(row, 15);
  job.usage = Usage{row.Int(19), row.Int(20), row.Int(21)};
  job.spec.idempotency_key = row.Text(22);
  job.spec.request_hash = row.Text(23);
  job.spec.parent_id = row.Text(24);
  job.created_ms = row.Int(25);
  job.updated_ms = row.Int(26);
  job.started_ms = row.OptInt(27);
  job.finished_ms = row.OptInt(28);
  job.spec.owner_key_id = row.Text(29);
  job.lease_owner = row.Text(30);
  job.lease_until_ms = row.OptInt(31);
  return job;
}

ApiKey ApiKeyFromRow(const Stmt& row) {
  return ApiKey{row.Text(0), row.Text(1), row.Text(2), row.Int(3) != 0, row.Int(4), row.OptInt(5)};
}

Attempt AttemptFromRow(const Stmt& row) {
  Attempt a;
  a.number = static_cast<int>(row.Int(0));
  a.provider = row.Text(1);
  a.model = row.Text(2);
  a.model_used = row.Text(3);
  a.state = ParseJobState(row.Text(4)).value_or(JobState::kFailed);
  a.start_offset = row.Int(5);
  a.end_offset = row.Int(6);
  a.started_ms = row.Int(7);
  a.finished_ms = row.OptInt(8);
  a.error = ErrorFromColumns(row, 9);
  a.usage = Usage{row.Int(13), row.Int(14), row.Int(15)};
  return a;
}

Status JobNotFound(const std::string& id) {
  return NotFound("job_not_found", "no job with id '" + id + "'");
}

Result<Job> StepJob(Stmt& stmt, const std::string& id) {
  stmt.Bind(1, id);
  if (stmt.Step()) {
    Job job = JobFromRow(stmt);
    stmt.Reset();
    return job;
  }
  Status status = stmt.status().ok() ? JobNotFound(id) : stmt.status();
  stmt.Reset();
  return status;
}

std::string MakeCursor(int64_t created_ms, int64_t rowid) {
  return std::to_string(created_ms) + ":" + std::to_string(rowid);
}

bool ParseCursor(const std::string& cursor, int64_t& created_ms, int64_t& rowid) {
  size_t colon = cursor.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  const char* begin = cursor.data();
  const char* end = begin + cursor.size();
  auto [ms_end, ms_ec] = std::from_chars(begin, begin + colon, created_ms);
  if (ms_ec != std::errc() || ms_end != begin + colon) return false;
  auto [id_end, id_ec] = std::from_chars(begin + colon + 1, end, rowid);
  return id_ec == std::errc() && id_end == end && colon + 1 < cursor.size();
}

}  // namespace scribe::store::sql
