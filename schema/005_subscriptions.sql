-- Scribe schema, version 5: Durable Streams subscriptions (the protocol's
-- reserved /v1/stream/__ds/ APIs) and the host's own long-lived secrets.
--
-- A subscription's whole state (its settings, the streams it follows with
-- their acknowledged offsets, and its current wake, lease and retry) is one
-- JSON document, written in one statement each time it changes, so a
-- restart resumes every subscription exactly where it was.

CREATE TABLE subscriptions (
  id          TEXT PRIMARY KEY,
  state       TEXT NOT NULL,     -- JSON (host/streams/subscriptions.cc)
  updated_ms  INTEGER NOT NULL
) WITHOUT ROWID;

-- Keys the host generates once and keeps: the webhook signing key (Ed25519
-- seed) and the key that signs wake tokens (HMAC-SHA256).
CREATE TABLE host_secrets (
  name        TEXT PRIMARY KEY,
  value       BLOB NOT NULL,
  created_ms  INTEGER NOT NULL
) WITHOUT ROWID;
