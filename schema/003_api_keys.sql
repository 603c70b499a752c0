-- Scribe schema, version 3: API keys, and which key owns each document and
-- job. A key sees only what it owns; an admin key sees everything. Rows
-- created while authentication was off have no owner.

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,      -- key_…: what listings and revocation name
  name         TEXT NOT NULL,
  secret_hash  TEXT NOT NULL UNIQUE,  -- SHA-256 of the secret, hex; the secret is never stored
  prefix       TEXT NOT NULL,         -- the secret's first characters, to tell keys apart
  admin        INTEGER NOT NULL DEFAULT 0,
  created_ms   INTEGER NOT NULL,
  revoked_ms   INTEGER
);

ALTER TABLE documents ADD COLUMN owner_key_id TEXT;
ALTER TABLE jobs ADD COLUMN owner_key_id TEXT;
CREATE INDEX documents_by_owner ON documents (owner_key_id, created_ms)
  WHERE owner_key_id IS NOT NULL;
CREATE INDEX jobs_by_owner ON jobs (owner_key_id, created_ms) WHERE owner_key_id IS NOT NULL;
