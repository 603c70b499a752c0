-- Scribe schema, version 1: documents, jobs and the chunk log.
-- A shipped migration is never edited; every change is a new numbered file.

CREATE TABLE documents (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  content     TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  created_ms  INTEGER NOT NULL
);
CREATE INDEX documents_by_created ON documents (created_ms);

CREATE TABLE jobs (
  id                 TEXT PRIMARY KEY,
  document_id        TEXT,              -- where the input came from; the input is copied
  title              TEXT NOT NULL DEFAULT '',
  input              TEXT NOT NULL,
  input_bytes        INTEGER NOT NULL,
  provider           TEXT NOT NULL,
  model              TEXT NOT NULL,
  prompt             TEXT NOT NULL DEFAULT '',
  temperature        REAL,
  max_output_tokens  INTEGER,
  params             TEXT NOT NULL DEFAULT '{}',
  fallback           TEXT NOT NULL DEFAULT '[]',
  state              TEXT NOT NULL CHECK (state IN
                       ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  output_bytes       INTEGER NOT NULL DEFAULT 0,
  model_used         TEXT NOT NULL DEFAULT '',
  error_code         TEXT,
  error_message      TEXT,
  error_detail       TEXT,
  error_retryable    INTEGER,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  thinking_tokens    INTEGER NOT NULL DEFAULT 0,
  idempotency_key    TEXT UNIQUE,
  request_hash       TEXT,
  parent_id          TEXT REFERENCES jobs (id) ON DELETE SET NULL,
  created_ms         INTEGER NOT NULL,
  updated_ms         INTEGER NOT NULL,
  started_ms         INTEGER,
  finished_ms        INTEGER
);
CREATE INDEX jobs_by_created ON jobs (created_ms);
CREATE INDEX jobs_by_state ON jobs (state, created_ms);
CREATE INDEX jobs_by_parent ON jobs (parent_id) WHERE parent_id IS NOT NULL;

-- The durable log: a job's output is the concatenation of its chunks in seq
-- order; offset(n+1) = offset(n) + length(data(n)), starting at 0.
CREATE TABLE chunks (
  job_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  offset  INTEGER NOT NULL,
  data    BLOB NOT NULL,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX chunks_by_offset ON chunks (job_id, offset);
