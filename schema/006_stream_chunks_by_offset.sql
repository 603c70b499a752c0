-- Scribe schema, version 6: a stream's chunks are stored in offset order,
-- and small appends share a row.
--
-- Every read of a stream walks its chunks by offset. Keyed by (stream, seq)
-- with a separate offset index, each chunk read was an index step and then a
-- lookup of its row; keyed by (stream, offset) a catch-up is one walk along
-- one B-tree, and each append writes one B-tree instead of two. Offsets are
-- unique within a stream, as the old index required.
--
-- A small append grows the stream's last row (host/store/sqlite/
-- sqlite_store_streams.cc), so a catch-up reads rows of kilobytes rather than
-- one row per message. `appends` keeps where each append in the row starts
-- (forks and Stream-Fork-Sub-Offset need every append's bounds): NULL for a
-- row of one append, else the starts of its appends after the first,
-- relative to the row's offset, as 4-byte little-endian numbers. `seq` is
-- the number of the row's first append.

CREATE TABLE stream_chunks_v6 (
  stream_id  INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  offset     INTEGER NOT NULL,
  data       BLOB NOT NULL,
  appends    BLOB,
  PRIMARY KEY (stream_id, offset)
) WITHOUT ROWID;
INSERT INTO stream_chunks_v6 (stream_id, seq, offset, data)
  SELECT stream_id, seq, offset, data FROM stream_chunks;
DROP TABLE stream_chunks;
ALTER TABLE stream_chunks_v6 RENAME TO stream_chunks;
