// Turning rows into store values, shared by the read paths and the writer.
#ifndef SCRIBE_HOST_STORE_SQL_ROWS_H_
#define SCRIBE_HOST_STORE_SQL_ROWS_H_

#include <string>

#include "host/store/sql/db.h"
#include "host/store/types.h"

namespace scribe::store::sql {

// The columns JobFromRow() reads, in order, for "SELECT " SCRIBE_JOB_COLUMNS.
#define SCRIBE_JOB_COLUMNS                                                                  \
  "id, document_id, title, input_bytes, provider, model, prompt, temperature, "             \
  "max_output_tokens, params, fallback, state, attempts, output_bytes, model_used, "        \
  "error_code, error_message, error_detail, error_retryable, input_tokens, output_tokens, " \
  "thinking_tokens, idempotency_key, request_hash, parent_id, created_ms, updated_ms, "     \
  "started_ms, finished_ms, owner_key_id, lease_owner, lease_until_ms"
// The index of the first column after SCRIBE_JOB_COLUMNS.
inline constexpr int kJobColumnCount = 32;

Job JobFromRow(const Stmt& row);

#define SCRIBE_API_KEY_COLUMNS "id, name, prefix, admin, created_ms, revoked_ms"
ApiKey ApiKeyFromRow(const Stmt& row);

#define SCRIBE_ATTEMPT_COLUMNS                                                            \
  "number, provider, model, model_used, state, start_offset, end_offset, started_ms, "    \
  "finished_ms, error_code, error_message, error_detail, error_retryable, input_tokens, " \
  "output_tokens, thinking_tokens"

Attempt AttemptFromRow(const Stmt& row);

// Runs a prepared "SELECT " SCRIBE_JOB_COLUMNS " FROM jobs WHERE id = ?1"
// with `id` bound; NotFound when there is no such job.
Result<Job> StepJob(Stmt& stmt, const std::string& id);

Status JobNotFound(const std::string& id);

// "created_ms:rowid" cursors for newest-first pages (rowid orders rows
// created in the same millisecond).
std::string MakeCursor(int64_t created_ms, int64_t rowid);
bool ParseCursor(const std::string& cursor, int64_t& created_ms, int64_t& rowid);

}  // namespace scribe::store::sql

#endif  // SCRIBE_HOST_STORE_SQL_ROWS_H_
