// SqlStore's job writes: creation, the lifecycle transitions and deletion.
// Each runs on the writer thread inside a group-commit transaction, checks
// the job's current state first (its row locked where hosts share the
// database), and publishes the job after it commits.
#include "host/common/clock.h"
#include "host/store/sql/rows.h"
#include "host/store/sql/sql_store.h"

namespace scribe::store::sql {
namespace {

constexpr const char kSelectJob[] =
    "SELECT " SCRIBE_JOB_COLUMNS " FROM jobs WHERE id = ?1 /*pg: FOR UPDATE*/";

Result<Job> LoadJob(Writer::Tx& tx, const std::string& id) {
  return StepJob(tx.Prepare(kSelectJob), id);
}

Status AddEvent(Writer::Tx& tx, const Job& job, JobState state, const std::string& note) {
  return tx
      .Prepare(
          "INSERT INTO job_events (job_id, seq, at_ms, state, attempt, \"offset\", note) "
          "SELECT ?1, coalesce(max(seq) + 1, 0), ?2, ?3, ?4, ?5, ?6 "
          "FROM job_events WHERE job_id = ?1")
      .Bind(1, job.id)
      .Bind(2, tx.now_ms())
      .Bind(3, ToString(state))
      .Bind(4, job.attempts)
      .Bind(5, job.output_bytes)
      .Bind(6, note)
      .Run();
}

// Reloads the job after a transition and publishes it.
Status PublishJob(Writer::Tx& tx, const std::string& id, Job* out) {
  Result<Job> job = LoadJob(tx, id);
  if (!job.ok()) return job.status();
  if (out != nullptr) *out = *job;
  tx.Publish(CommittedChange::JobChanged(std::move(job).value()));
  return Status::Ok();
}

// Closes the running attempt of `job` with `state`.
Status CloseAttempt(Writer::Tx& tx, const Job& job, JobState state, const AttemptOutcome* outcome) {
  const JobError* error = outcome && outcome->error ? &*outcome->error : nullptr;
  Usage usage = outcome ? outcome->usage : Usage{};
  Stmt& stmt = tx.Prepare(
      "UPDATE job_attempts SET state = ?3, end_offset = ?4, finished_ms = ?5, "
      "model_used = ?6, error_code = ?7, error_message = ?8, error_detail = ?9, "
      "error_retryable = ?10, input_tokens = ?11, output_tokens = ?12, thinking_tokens = ?13 "
      "WHERE job_id = ?1 AND number = ?2");
  stmt.Bind(1, job.id)
      .Bind(2, job.attempts)
      .Bind(3, ToString(state))
      .Bind(4, job.output_bytes)
      .Bind(5, tx.now_ms())
      .Bind(6, outcome ? outcome->model_used : std::string());
  if (error) {
    stmt.Bind(7, error->code)
        .Bind(8, error->message)
        .Bind(9, error->detail)
        .Bind(10, error->retryable ? 1 : 0);
  } else {
    stmt.BindNull(7).BindNull(8).BindNull(9).BindNull(10);
  }
  stmt.Bind(11, usage.input_tokens).Bind(12, usage.output_tokens).Bind(13, usage.thinking_tokens);
  return stmt.Run();
}

// Opens attempt job.attempts (already counted in `job`) on `provider` and
// `model`, and lets that attempt append from the log's current end.
Status OpenAttempt(Writer::Tx& tx, const Job& job, const std::string& provider,
                   const std::string& model, const std::string& note) {
  SCRIBE_RETURN_IF_ERROR(
      tx.Prepare("INSERT INTO job_attempts (job_id, number, provider, model, state, "
                 "start_offset, end_offset, started_ms) "
                 "VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?5, ?6)")
          .Bind(1, job.id)
          .Bind(2, job.attempts)
          .Bind(3, provider)
          .Bind(4, model)
          .Bind(5, job.output_bytes)
          .Bind(6, tx.now_ms())
          .Run());
  SCRIBE_RETURN_IF_ERROR(AddEvent(tx, job, JobState::kRunning, note));
  Stmt& seq = tx.Prepare("SELECT coalesce(max(seq) + 1, 0) FROM chunks WHERE job_id = ?1");
  seq.Bind(1, job.id);
  if (!seq.Step()) return seq.status().ok() ? Internal("no chunk sequence") : seq.status();
  int64_t next_seq = seq.Int(0);
  seq.Reset();
  tx.Activate(job.id, job.attempts, job.output_bytes, next_seq);
  return Status::Ok();
}

// Records how attempt job.attempts ended on the job row: error, usage and
// the model that answered.
Status RecordOutcome(Writer::Tx& tx, const Job& job, const AttemptOutcome& outcome) {
  const JobError* error = outcome.error ? &*outcome.error : nullptr;
  Stmt& update = tx.Prepare(
      "UPDATE jobs SET state = ?2, updated_ms = ?3, finished_ms = ?4, "
      "model_used = CASE WHEN ?5 = '' THEN model_used ELSE ?5 END, "
      "error_code = ?6, error_message = ?7, error_detail = ?8, error_retryable = ?9, "
      "input_tokens = input_tokens + ?10, output_tokens = output_tokens + ?11, "
      "thinking_tokens = thinking_tokens + ?12 WHERE id = ?1");
  update.Bind(1, job.id).Bind(2, ToString(outcome.state)).Bind(3, tx.now_ms());
  if (IsFinished(outcome.state)) {
    update.Bind(4, tx.now_ms());
  } else {
    update.BindNull(4);
  }
  update.Bind(5, outcome.model_used);
  if (error) {
    update.Bind(6, error->code)
        .Bind(7, error->message)
        .Bind(8, error->detail)
        .Bind(9, error->retryable ? 1 : 0);
  } else {
    update.BindNull(6).BindNull(7).BindNull(8).BindNull(9);
  }
  update.Bind(10, outcome.usage.input_tokens)
      .Bind(11, outcome.usage.output_tokens)
      .Bind(12, outcome.usage.thinking_tokens);
  return update.Run();
}

std::string AttemptOverMessage(const Job& job, int attempt) {
  return "job " + job.id + " is " + std::string(ToString(job.state)) + " (attempt " +
         std::to_string(job.attempts) + "), not running attempt " + std::to_string(attempt);
}

// Checks that the job is running `attempt`, closes that attempt with
// `outcome` and records the outcome on the job row, which takes `job_state`.
Result<Job> EndAttempt(Writer::Tx& tx, const std::string& id, int attempt,
                       const AttemptOutcome& outcome, JobState job_state) {
  Result<Job> job = LoadJob(tx, id);
  if (!job.ok()) return job.status();
  if (job->state != JobState::kRunning || job->attempts != attempt) {
    return Conflict("attempt_over", AttemptOverMessage(*job, attempt));
  }
  SCRIBE_RETURN_IF_ERROR(CloseAttempt(tx, *job, outcome.state, &outcome));
  AttemptOutcome recorded = outcome;
  recorded.state = job_state;
  SCRIBE_RETURN_IF_ERROR(RecordOutcome(tx, *job, recorded));
  return job;
}

}  // namespace

Result<CreatedJob> SqlStore::CreateJob(const JobSpec& spec) {
  CreatedJob created;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    if (!spec.idempotency_key.empty()) {
      Stmt& seen = tx.Prepare("SELECT id, request_hash FROM jobs WHERE idempotency_key = ?1");
      seen.Bind(1, spec.idempotency_key);
      if (seen.Step()) {
        std::string id = seen.Text(0);
        bool same = seen.Text(1) == spec.request_hash;
        seen.Reset();
        if (!same) {
          return Conflict("idempotency_key_reused",
                          "Idempotency-Key '" + spec.idempotency_key +
                              "' was already used for a different request");
        }
        Result<Job> job = LoadJob(tx, id);
        if (!job.ok()) return job.status();
        created = CreatedJob{std::move(job).value(), true};
        return Status::Ok();
      }
      SCRIBE_RETURN_IF_ERROR(seen.status());
    }
    std::string id = "job_" + RandomId(16);
    Stmt& insert = tx.Prepare(
        "INSERT INTO jobs (id, document_id, title, input, input_bytes, provider, model, prompt, "
        "temperature, max_output_tokens, params, fallback, state, idempotency_key, request_hash, "
        "parent_id, created_ms, updated_ms, owner_key_id) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'queued', ?13, ?14, ?15, ?16, ?16, "
        "?17) ON CONFLICT DO NOTHING");
    insert.Bind(1, id)
        .BindOrNull(2, spec.document_id)
        .Bind(3, spec.title)
        .Bind(4, spec.input)
        .Bind(5, static_cast<int64_t>(spec.input.size()))
        .Bind(6, spec.provider)
        .Bind(7, spec.model)
        .Bind(8, spec.prompt)
        .Bind(9, spec.temperature)
        .Bind(10, spec.max_output_tokens)
        .Bind(11, spec.params_json)
        .Bind(12, spec.fallback_json)
        .BindOrNull(13, spec.idempotency_key)
        .BindOrNull(14, spec.request_hash)
        .BindOrNull(15, spec.parent_id)
        .Bind(16, tx.now_ms())
        .BindOrNull(17, spec.owner_key_id);
    SCRIBE_RETURN_IF_ERROR(insert.Run());
    if (tx.db().Changes() == 0) {
      // Another host used the key since this transaction looked: the whole
      // transaction runs again and finds that job.
      return Unavailable("storage_conflict",
                         "Idempotency-Key '" + spec.idempotency_key + "' was used meanwhile");
    }
    Result<Job> job = LoadJob(tx, id);
    if (!job.ok()) return job.status();
    SCRIBE_RETURN_IF_ERROR(
        AddEvent(tx, *job, JobState::kQueued,
                 spec.parent_id.empty() ? "submitted" : "retry of " + spec.parent_id));
    created = CreatedJob{*job, false};
    tx.Publish(CommittedChange::JobChanged(std::move(job).value()));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return created;
}

Status SqlStore::DeleteJob(const std::string& id) {
  return writer_->Run([&](Writer::Tx& tx) -> Status {
    Result<Job> job = LoadJob(tx, id);
    if (!job.ok()) return job.status();
    if (!IsFinished(job->state)) {
      return Conflict("job_active", "job " + id + " is " + std::string(ToString(job->state)) +
                                        "; cancel it before deleting it");
    }
    SCRIBE_RETURN_IF_ERROR(tx.Prepare("DELETE FROM jobs WHERE id = ?1").Bind(1, id).Run());
    tx.Deactivate(id);
    return Status::Ok();
  });
}

Result<std::optional<Job>> SqlStore::ClaimNextJob() {
  std::optional<Job> claimed;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    // Another host's claim holds its row locked until it commits: skipped.
    Stmt& next = tx.Prepare(
        "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_ms, rowid LIMIT 1 "
        "/*pg: FOR UPDATE SKIP LOCKED*/");
    if (!next.Step()) return next.status();
    std::string id = next.Text(0);
    next.Reset();
    SCRIBE_RETURN_IF_ERROR(
        tx.Prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                   "started_ms = coalesce(started_ms, ?2), updated_ms = ?2, finished_ms = NULL, "
                   "error_code = NULL, error_message = NULL, error_detail = NULL, "
                   "error_retryable = NULL, lease_owner = ?3, lease_until_ms = ?4 WHERE id = ?1")
            .Bind(1, id)
            .Bind(2, tx.now_ms())
            .Bind(3, host_id_)
            .Bind(4, tx.now_ms() + options_.lease_ms)
            .Run());
    Result<Job> job = LoadJob(tx, id);
    if (!job.ok()) return job.status();
    SCRIBE_RETURN_IF_ERROR(OpenAttempt(
        tx, *job, job->spec.provider, job->spec.model,
        job->output_bytes > 0 ? "continuing after byte " + std::to_string(job->output_bytes)
                              : "started"));
    claimed = *job;
    tx.Publish(CommittedChange::JobChanged(std::move(job).value()));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return claimed;
}

Status SqlStore::RenewLeases() {
  return writer_->Run([&](Writer::Tx& tx) {
    return tx
        .Prepare("UPDATE jobs SET lease_until_ms = ?2 WHERE state = 'running' AND lease_owner = ?1")
        .Bind(1, host_id_)
        .Bind(2, tx.now_ms() + options_.lease_ms)
        .Run();
  });
}

Result<Job> SqlStore::RequeueJob(const std::string& id, const std::string& note) {
  Job result;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    Result<Job> job = LoadJob(tx, id);
    if (!job.ok()) return job.status();
    switch (job->state) {
      case JobState::kFailed:
      case JobState::kCancelled:
      case JobState::kInterrupted:
        break;
      case JobState::kSucceeded:
        return Conflict("job_succeeded", "job " + id +
                                             " already succeeded; there is nothing to continue "
                                             "(retry it to generate it again)");
      default:
        return Conflict("job_active",
                        "job " + id + " is already " + std::string(ToString(job->state)));
    }
    SCRIBE_RETURN_IF_ERROR(
        tx.Prepare("UPDATE jobs SET state = 'queued', updated_ms = ?2, finished_ms = NULL "
                   "WHERE id = ?1")
            .Bind(1, id)
            .Bind(2, tx.now_ms())
            .Run());
    job->state = JobState::kQueued;
    SCRIBE_RETURN_IF_ERROR(AddEvent(tx, *job, JobState::kQueued, note));
    return PublishJob(tx, id, &result);
  });
  if (!status.ok()) return status;
  return result;
}

Result<Job> SqlStore::CancelJob(const std::string& id) {
  Job result;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    Result<Job> job = LoadJob(tx, id);
    if (!job.ok()) return job.status();
    if (IsFinished(job->state)) {
      return Conflict("job_finished", "job " + id + " already " +
                                          std::string(ToString(job->state)) +
                                          "; there is nothing to cancel");
    }
    if (job->state == JobState::kRunning) {
      SCRIBE_RETURN_IF_ERROR(CloseAttempt(tx, *job, JobState::kCancelled, nullptr));
    }
    SCRIBE_RETURN_IF_ERROR(
        tx.Prepare("UPDATE jobs SET state = 'cancelled', updated_ms = ?2, finished_ms = ?2 "
                   "WHERE id = ?1")
            .Bind(1, id)
            .Bind(2, tx.now_ms())
            .Run());
    SCRIBE_RETURN_IF_ERROR(AddEvent(tx, *job, JobState::kCancelled, "cancelled"));
    tx.Deactivate(id);
    return PublishJob(tx, id, &result);
  });
  if (!status.ok()) return status;
  return result;
}

Result<Job> SqlStore::FinishAttempt(const std::string& id, int attempt,
                                    const AttemptOutcome& outcome) {
  Job result;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    Result<Job> job = EndAttempt(tx, id, attempt, outcome, outcome.state);
    if (!job.ok()) return job.status();
    const JobError* error = outcome.error ? &*outcome.error : nullptr;
    std::string note = outcome.note;
    if (note.empty() && error) note = error->code + ": " + error->message;
    SCRIBE_RETURN_IF_ERROR(AddEvent(tx, *job, outcome.state, note));
    tx.Deactivate(id);
    return PublishJob(tx, id, &result);
  });
  if (!status.ok()) return status;
  return result;
}

Result<Job> SqlStore::NextAttempt(const std::string& id, int attempt, const AttemptOutcome& outcome,
                                  const std::string& provider, const std::string& model,
                                  const std::string& note) {
  Job result;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    Result<Job> job = EndAttempt(tx, id, attempt, outcome, JobState::kRunning);
    if (!job.ok()) return job.status();
    SCRIBE_RETURN_IF_ERROR(
        tx.Prepare("UPDATE jobs SET attempts = attempts + 1 WHERE id = ?1").Bind(1, id).Run());
    Result<Job> next = LoadJob(tx, id);
    if (!next.ok()) return next.status();
    SCRIBE_RETURN_IF_ERROR(OpenAttempt(tx, *next, provider, model, note));
    result = *next;
    tx.Publish(CommittedChange::JobChanged(std::move(next).value()));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return result;
}

Status SqlStore::AddAttemptUsage(const std::string& id, int attempt, const Usage& usage) {
  return writer_->Run([&](Writer::Tx& tx) -> Status {
    SCRIBE_RETURN_IF_ERROR(
        tx.Prepare("UPDATE job_attempts SET input_tokens = input_tokens + ?3, "
                   "output_tokens = output_tokens + ?4, thinking_tokens = thinking_tokens + ?5 "
                   "WHERE job_id = ?1 AND number = ?2")
            .Bind(1, id)
            .Bind(2, attempt)
            .Bind(3, usage.input_tokens)
            .Bind(4, usage.output_tokens)
            .Bind(5, usage.thinking_tokens)
            .Run());
    if (tx.db().Changes() == 0)
      return NotFound("attempt_not_found",
                      "no attempt " + std::to_string(attempt) + " of job " + id);
    return tx
        .Prepare(
            "UPDATE jobs SET input_tokens = input_tokens + ?2, output_tokens = output_tokens + ?3, "
            "thinking_tokens = thinking_tokens + ?4 WHERE id = ?1")
        .Bind(1, id)
        .Bind(2, usage.input_tokens)
        .Bind(3, usage.output_tokens)
        .Bind(4, usage.thinking_tokens)
        .Run();
  });
}

Result<std::vector<std::string>> SqlStore::InterruptRunningJobs() {
  std::vector<std::string> interrupted;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    // Left by a host that is gone: on a database held alone, any other
    // host; on a shared one, a host that let its lease expire.
    std::vector<std::string> running;
    Stmt& select = tx.Prepare(
        "SELECT id FROM jobs WHERE state = 'running' AND CASE WHEN ?3 = 1 "
        "THEN lease_owner IS DISTINCT FROM CAST(?1 AS TEXT) ELSE coalesce(lease_until_ms, 0) < ?2 "
        "END ORDER BY created_ms, rowid /*pg: FOR UPDATE SKIP LOCKED*/");
    select.Bind(1, host_id_).Bind(2, tx.now_ms()).Bind(3, backend_->exclusive() ? 1 : 0);
    while (select.Step()) running.push_back(select.Text(0));
    SCRIBE_RETURN_IF_ERROR(select.status());
    select.Reset();
    for (const std::string& id : running) {
      Result<Job> job = LoadJob(tx, id);
      if (!job.ok()) return job.status();
      SCRIBE_RETURN_IF_ERROR(CloseAttempt(tx, *job, JobState::kInterrupted, nullptr));
      SCRIBE_RETURN_IF_ERROR(
          tx.Prepare("UPDATE jobs SET state = 'interrupted', updated_ms = ?2 WHERE id = ?1")
              .Bind(1, id)
              .Bind(2, tx.now_ms())
              .Run());
      SCRIBE_RETURN_IF_ERROR(
          AddEvent(tx, *job, JobState::kInterrupted,
                   "its host (" + job->lease_owner + ") stopped while this job ran"));
      tx.Deactivate(id);
      SCRIBE_RETURN_IF_ERROR(PublishJob(tx, id, nullptr));
    }
    Stmt& all =
        tx.Prepare("SELECT id FROM jobs WHERE state = 'interrupted' ORDER BY created_ms, rowid");
    while (all.Step()) interrupted.push_back(all.Text(0));
    Status st = all.status();
    all.Reset();
    return st;
  });
  if (!status.ok()) return status;
  return interrupted;
}

}  // namespace scribe::store::sql
