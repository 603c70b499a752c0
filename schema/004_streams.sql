-- Scribe schema, version 4: Durable Streams (PROTOCOL.md of durable-streams),
-- append-only logs named by their URL path, beside jobs in the same store.
--
-- A stream's bytes are the concatenation of its chunks in seq order; one
-- chunk per append (a JSON stream's messages are stored one per line, each
-- ending in "\n"). A fork reads its source's bytes below fork_offset and its
-- own chunks from there on; a deleted stream that forks still read stays as a
-- row with deleted = 1 until its last fork is gone.

CREATE TABLE streams (
  id             INTEGER PRIMARY KEY,
  path           TEXT NOT NULL UNIQUE,
  content_type   TEXT NOT NULL,
  ttl_seconds    INTEGER,           -- sliding: reads and appends renew it
  expires_at_ms  INTEGER,           -- absolute (Stream-Expires-At)
  closed         INTEGER NOT NULL DEFAULT 0,
  tail           INTEGER NOT NULL DEFAULT 0,  -- the next offset
  next_seq       INTEGER NOT NULL DEFAULT 0,
  last_seq       TEXT,              -- the writer's last Stream-Seq
  fork_parent    INTEGER REFERENCES streams (id),
  fork_offset    INTEGER NOT NULL DEFAULT 0,
  fork_sub       INTEGER NOT NULL DEFAULT 0,  -- Stream-Fork-Sub-Offset it was made with
  deleted        INTEGER NOT NULL DEFAULT 0,
  created_ms     INTEGER NOT NULL,
  accessed_ms    INTEGER NOT NULL
);
CREATE INDEX streams_by_parent ON streams (fork_parent) WHERE fork_parent IS NOT NULL;

CREATE TABLE stream_chunks (
  stream_id  INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  offset     INTEGER NOT NULL,
  data       BLOB NOT NULL,
  PRIMARY KEY (stream_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX stream_chunks_by_offset ON stream_chunks (stream_id, offset);

-- Idempotent producers: the last accepted (epoch, seq) of each producer.
CREATE TABLE stream_producers (
  stream_id    INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  producer_id  TEXT NOT NULL,
  epoch        INTEGER NOT NULL,
  last_seq     INTEGER NOT NULL,
  PRIMARY KEY (stream_id, producer_id)
) WITHOUT ROWID;
