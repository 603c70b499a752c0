-- Scribe schema, version 7: which host runs a job, and until when.
--
-- A host that claims a job writes its id and a lease deadline, and renews
-- the deadline while it runs the job. Where several hosts share a database
-- (PostgreSQL), a running job whose lease expired was left by a host that
-- died, and another host takes it over; on SQLite, which one host holds
-- alone, they say which run of the host claimed it.

ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN lease_until_ms INTEGER;
