-- Scribe schema, version 2: each job's attempts and state history, for
-- `scribectl show` and for usage accounting per attempt.

CREATE TABLE job_attempts (
  job_id           TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  number           INTEGER NOT NULL,
  provider         TEXT NOT NULL,
  model            TEXT NOT NULL,
  model_used       TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL,
  start_offset     INTEGER NOT NULL,
  end_offset       INTEGER NOT NULL,
  started_ms       INTEGER NOT NULL,
  finished_ms      INTEGER,
  error_code       TEXT,
  error_message    TEXT,
  error_detail     TEXT,
  error_retryable  INTEGER,
  input_tokens     INTEGER NOT NULL DEFAULT 0,
  output_tokens    INTEGER NOT NULL DEFAULT 0,
  thinking_tokens  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, number)
) WITHOUT ROWID;

CREATE TABLE job_events (
  job_id   TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,
  at_ms    INTEGER NOT NULL,
  state    TEXT NOT NULL,
  attempt  INTEGER NOT NULL,
  offset   INTEGER NOT NULL,
  note     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
