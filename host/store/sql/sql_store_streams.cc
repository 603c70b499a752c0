// SqlStore's Durable Streams: streams, their chunks and producers
// (schema/004_streams.sql). Writes run on the writer thread in its group
// commit, like every job write, and publish a StreamChange once committed;
// reads use the read connections. The protocol's rules that must hold
// against concurrent writers (closed, content type, producer and Stream-Seq
// checks) are applied inside the append's transaction.
#include <algorithm>
#include <cctype>

#include "host/common/clock.h"
#include "host/store/sql/sql_store.h"

namespace scribe::store::sql {
namespace {

#define SCRIBE_STREAM_COLUMNS                                                        \
  "s.id, s.path, s.content_type, s.ttl_seconds, s.expires_at_ms, s.closed, s.tail, " \
  "s.fork_offset, s.fork_sub, coalesce(p.path, ''), s.created_ms, s.accessed_ms, "   \
  "s.deleted, s.fork_parent, s.next_seq, s.last_seq, "                               \
  "EXISTS (SELECT 1 FROM streams c WHERE c.fork_parent = s.id)"

constexpr const char kSelectByPath[] = "SELECT " SCRIBE_STREAM_COLUMNS
                                       " FROM streams s LEFT JOIN streams p ON p.id = "
                                       "s.fork_parent WHERE s.path = ?1";
// The same, its row locked for the writing transaction where hosts share
// the database (another host's append to it waits for this one's commit).
constexpr const char kLockByPath[] = "SELECT " SCRIBE_STREAM_COLUMNS
                                     " FROM streams s LEFT JOIN streams p ON p.id = "
                                     "s.fork_parent WHERE s.path = ?1 /*pg: FOR UPDATE OF s*/";
constexpr const char kSelectById[] = "SELECT " SCRIBE_STREAM_COLUMNS
                                     " FROM streams s LEFT JOIN streams p ON p.id = "
                                     "s.fork_parent WHERE s.id = ?1";

// A stream row with what the protocol shows (StreamInfo) and what only the
// store needs.
struct Row {
  StreamInfo info;
  bool deleted = false;
  std::optional<int64_t> parent;
  int64_t next_seq = 0;
  std::optional<std::string> last_seq;
  bool has_forks = false;

  bool Expired(int64_t now_ms) const {
    std::optional<int64_t> expiry = info.ExpiryMs();
    return expiry && *expiry <= now_ms;
  }
};

Row ReadRow(Stmt& stmt) {
  Row row;
  StreamInfo& info = row.info;
  info.id = stmt.Int(0);
  info.path = stmt.Text(1);
  info.content_type = stmt.Text(2);
  info.ttl_seconds = stmt.OptInt(3);
  info.expires_at_ms = stmt.OptInt(4);
  info.closed = stmt.Int(5) != 0;
  info.tail = stmt.Int(6);
  info.fork_offset = stmt.Int(7);
  info.fork_sub = stmt.Int(8);
  info.fork_source = stmt.Text(9);
  info.created_ms = stmt.Int(10);
  info.accessed_ms = stmt.Int(11);
  row.deleted = stmt.Int(12) != 0;
  row.parent = stmt.OptInt(13);
  row.next_seq = stmt.Int(14);
  if (!stmt.IsNull(15)) row.last_seq = stmt.Text(15);
  row.has_forks = stmt.Int(16) != 0;
  return row;
}

template <typename Key>
Result<std::optional<Row>> LoadRow(Db& db, const char* sql, const Key& key) {
  Stmt& stmt = db.Cached(sql);
  stmt.Bind(1, key);
  if (!stmt.Step()) {
    if (!stmt.status().ok()) return stmt.status();
    return std::optional<Row>();
  }
  return std::optional<Row>(ReadRow(stmt));
}

Status StreamNotFound(const std::string& path) {
  return NotFound("stream_not_found", "no stream at " + path);
}

Status StreamGone(const std::string& path) {
  return Gone("stream_gone", "the stream at " + path +
                                 " was deleted; its forks still read it, so its path stays taken");
}

// The stream at `path` as readers see it at `now_ms`: NotFound or Gone when
// it does not live.
Result<Row> LiveRow(Db& db, const std::string& path, int64_t now_ms) {
  Result<std::optional<Row>> row = LoadRow(db, kSelectByPath, path);
  if (!row.ok()) return row.status();
  if (!*row) return StreamNotFound(path);
  if ((*row)->deleted) return StreamGone(path);
  if ((*row)->Expired(now_ms)) {
    return (*row)->has_forks ? StreamGone(path) : StreamNotFound(path);
  }
  return std::move(**row);
}

// ---- rows of appends

// An append below this many bytes grows the stream's last row, while that
// row is below it too, rather than start a row
// (schema/006_stream_chunks_by_offset.sql).
constexpr size_t kGrowRowsBelow = 4096;

// A row's `appends`: where its appends after the first start, relative to
// the row's offset, 4-byte little-endian each.
std::vector<int64_t> AppendStarts(std::string_view appends) {
  std::vector<int64_t> starts = {0};
  for (size_t i = 0; i + 4 <= appends.size(); i += 4) {
    uint32_t value = 0;
    for (int b = 3; b >= 0; --b) value = value << 8 | static_cast<unsigned char>(appends[i + b]);
    starts.push_back(value);
  }
  return starts;
}

std::string EncodeStart(int64_t start) {
  std::string bytes(4, '\0');
  for (int b = 0; b < 4; ++b) bytes[b] = static_cast<char>((start >> (8 * b)) & 0xff);
  return bytes;
}

// ---- reading across forks

// Appends the stream's bytes in [from, to) to `out`, its sources' below its
// fork offset, until `out` holds max_bytes (with whole_chunks: until then,
// and on to the end of the append that got it there).
Status ReadRange(Db& db, const Row& row, int64_t from, int64_t to, int64_t max_bytes,
                 bool whole_chunks, std::string& out) {
  if (from < row.info.fork_offset && row.parent) {
    Result<std::optional<Row>> parent = LoadRow(db, kSelectById, *row.parent);
    if (!parent.ok()) return parent.status();
    if (!*parent) return Internal("the source of fork " + row.info.path + " is missing");
    SCRIBE_RETURN_IF_ERROR(ReadRange(db, **parent, from, std::min(to, row.info.fork_offset),
                                     max_bytes, whole_chunks, out));
    from = row.info.fork_offset;
  }
  if (from >= to || static_cast<int64_t>(out.size()) >= max_bytes) return Status::Ok();
  Stmt& stmt = db.Cached(
      "SELECT \"offset\", data, appends FROM stream_chunks WHERE stream_id = ?1 AND \"offset\" >= "
      "coalesce((SELECT max(\"offset\") FROM stream_chunks WHERE stream_id = ?1 AND \"offset\" <= "
      "?2), 0) AND \"offset\" < ?3 ORDER BY \"offset\"");
  stmt.Bind(1, row.info.id).Bind(2, from).Bind(3, to);
  while (static_cast<int64_t>(out.size()) < max_bytes && stmt.Step()) {
    int64_t start = stmt.Int(0);
    std::string_view data = stmt.Blob(1);
    int64_t end = std::min(to, start + static_cast<int64_t>(data.size()));
    if (end <= from) continue;
    size_t skip = static_cast<size_t>(std::max<int64_t>(0, from - start));
    size_t take = static_cast<size_t>(end - start) - skip;
    const size_t room = static_cast<size_t>(max_bytes) - out.size();
    if (!whole_chunks) {
      take = std::min(take, room);
    } else if (take > room && !stmt.IsNull(2)) {  // up to the end of an append in the row
      for (int64_t append : AppendStarts(stmt.Blob(2))) {
        if (append >= static_cast<int64_t>(skip + room)) {
          take = std::min(take, static_cast<size_t>(append) - skip);
          break;
        }
      }
    }
    out.append(data.substr(skip, take));
    from = start + static_cast<int64_t>(skip + take);
  }
  return stmt.status();
}

// The append that starts at `offset` in the stream or its sources; nullopt
// when none does.
Result<std::optional<std::string>> ChunkAt(Db& db, const Row& row, int64_t offset) {
  if (offset < row.info.fork_offset && row.parent) {
    Result<std::optional<Row>> parent = LoadRow(db, kSelectById, *row.parent);
    if (!parent.ok()) return parent.status();
    if (!*parent) return Internal("the source of fork " + row.info.path + " is missing");
    return ChunkAt(db, **parent, offset);
  }
  Stmt& stmt = db.Cached(
      "SELECT \"offset\", data, appends FROM stream_chunks WHERE stream_id = ?1 AND \"offset\" <= "
      "?2 "
      "ORDER BY \"offset\" DESC LIMIT 1");
  stmt.Bind(1, row.info.id).Bind(2, offset);
  if (!stmt.Step()) {
    if (!stmt.status().ok()) return stmt.status();
    return std::optional<std::string>();
  }
  const int64_t within = offset - stmt.Int(0);
  const std::string_view data = stmt.Blob(1);
  const std::vector<int64_t> starts = AppendStarts(stmt.Blob(2));
  auto at = std::find(starts.begin(), starts.end(), within);
  if (at == starts.end() || within >= static_cast<int64_t>(data.size())) {
    return std::optional<std::string>();
  }
  const int64_t end = at + 1 == starts.end() ? static_cast<int64_t>(data.size()) : *(at + 1);
  return std::optional<std::string>(
      std::string(data.substr(static_cast<size_t>(within), static_cast<size_t>(end - within))));
}

// Whether `offset` is where an append of the stream (or of its sources
// below its fork offset) begins, or its tail: the offsets it ever issued.
Result<bool> IsBoundary(Db& db, const Row& row, int64_t offset) {
  if (offset == 0 || offset == row.info.tail || offset == row.info.fork_offset) return true;
  Result<std::optional<std::string>> chunk = ChunkAt(db, row, offset);
  if (!chunk.ok()) return chunk.status();
  return chunk->has_value();
}

// The first `count` units of an append: bytes, or for JSON, messages (lines).
Result<std::string> Prefix(const std::string& chunk, int64_t count, bool json) {
  if (!json) {
    if (count > static_cast<int64_t>(chunk.size())) {
      return InvalidArgument("invalid_fork_sub_offset",
                             "Stream-Fork-Sub-Offset is past the end of the append at the fork "
                             "offset (" +
                                 std::to_string(chunk.size()) + " bytes)");
    }
    return chunk.substr(0, static_cast<size_t>(count));
  }
  size_t end = 0;
  for (int64_t i = 0; i < count; ++i) {
    size_t newline = chunk.find('\n', end);
    if (newline == std::string::npos) {
      return InvalidArgument("invalid_fork_sub_offset",
                             "Stream-Fork-Sub-Offset is past the last message of the append at "
                             "the fork offset (" +
                                 std::to_string(i) + " messages)");
    }
    end = newline + 1;
  }
  return chunk.substr(0, end);
}

bool SameMediaType(std::string_view a, std::string_view b) {
  auto media = [](std::string_view type) {
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    std::string lower(type);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
  };
  return media(a) == media(b);
}

// ---- writing

Status AddChunk(Writer::Tx& tx, Row& row, const std::string& data) {
  if (data.empty()) return Status::Ok();
  // A small append grows the stream's last row while that row is small and
  // ends at the tail.
  Stmt& last = tx.Prepare(
      "SELECT \"offset\", data, appends FROM stream_chunks WHERE stream_id = ?1 "
      "ORDER BY \"offset\" DESC LIMIT 1");
  last.Bind(1, row.info.id);
  if (data.size() < kGrowRowsBelow && last.Step() && last.Blob(1).size() < kGrowRowsBelow &&
      last.Int(0) + static_cast<int64_t>(last.Blob(1).size()) == row.info.tail) {
    const int64_t row_offset = last.Int(0);
    std::string grown = std::string(last.Blob(1)) + data;
    std::string appends = std::string(last.Blob(2)) + EncodeStart(row.info.tail - row_offset);
    last.Reset();
    SCRIBE_RETURN_IF_ERROR(
        tx.Prepare("UPDATE stream_chunks SET data = ?3, appends = ?4 WHERE stream_id = ?1 AND "
                   "\"offset\" = ?2")
            .Bind(1, row.info.id)
            .Bind(2, row_offset)
            .BindBlob(3, grown)
            .BindBlob(4, appends)
            .Run());
  } else {
    SCRIBE_RETURN_IF_ERROR(last.status());
    last.Reset();
    SCRIBE_RETURN_IF_ERROR(tx.Prepare("INSERT INTO stream_chunks (stream_id, seq, \"offset\", "
                                      "data) VALUES (?1, ?2, ?3, ?4)")
                               .Bind(1, row.info.id)
                               .Bind(2, row.next_seq)
                               .Bind(3, row.info.tail)
                               .BindBlob(4, data)
                               .Run());
  }
  tx.Publish(CommittedChange::Stream({row.info.path, row.info.closed, false}, row.info.tail, data));
  row.info.tail += static_cast<int64_t>(data.size());
  ++row.next_seq;
  return Status::Ok();
}

Status SaveRow(Writer::Tx& tx, const Row& row) {
  return tx
      .Prepare(
          "UPDATE streams SET closed = ?2, tail = ?3, next_seq = ?4, last_seq = ?5, "
          "accessed_ms = ?6 WHERE id = ?1")
      .Bind(1, row.info.id)
      .Bind(2, row.info.closed ? 1 : 0)
      .Bind(3, row.info.tail)
      .Bind(4, row.next_seq)
      .Bind(5, row.last_seq)
      .Bind(6, row.info.accessed_ms)
      .Run();
}

// Removes a stream, or keeps it as deleted while forks read it; then removes
// every deleted source no fork reads any more.
Status Remove(Writer::Tx& tx, Row row) {
  tx.Publish(CommittedChange::Stream({row.info.path, row.info.closed, true}, row.info.tail, ""));
  if (row.has_forks) {
    return tx.Prepare("UPDATE streams SET deleted = 1 WHERE id = ?1").Bind(1, row.info.id).Run();
  }
  for (;;) {
    SCRIBE_RETURN_IF_ERROR(
        tx.Prepare("DELETE FROM streams WHERE id = ?1").Bind(1, row.info.id).Run());
    if (!row.parent) return Status::Ok();
    Result<std::optional<Row>> parent = LoadRow(tx.db(), kSelectById, *row.parent);
    if (!parent.ok()) return parent.status();
    if (!*parent || !(*parent)->deleted || (*parent)->has_forks) return Status::Ok();
    row = std::move(**parent);
  }
}

// The stream at `path` for a write: a stream whose time is up is removed
// first, so it is NotFound (or Gone, while forks read it).
Result<Row> WritableRow(Writer::Tx& tx, const std::string& path) {
  Result<std::optional<Row>> row = LoadRow(tx.db(), kLockByPath, path);
  if (!row.ok()) return row.status();
  if (!*row) return StreamNotFound(path);
  if ((*row)->deleted) return StreamGone(path);
  if ((*row)->Expired(tx.now_ms())) {
    bool forks = (*row)->has_forks;
    SCRIBE_RETURN_IF_ERROR(Remove(tx, std::move(**row)));
    return forks ? StreamGone(path) : StreamNotFound(path);
  }
  return std::move(**row);
}

// Whether an existing stream has the settings a PUT asks for.
bool SameSettings(const Row& row, const StreamCreate& create, const std::string& content_type) {
  const StreamInfo& info = row.info;
  if (!SameMediaType(info.content_type, content_type)) return false;
  if (info.closed != create.closed) return false;
  if (!create.fork_source.empty()) {
    if (info.fork_source != create.fork_source || info.fork_sub != create.fork_sub) return false;
    if (create.fork_offset && *create.fork_offset != info.fork_offset) return false;
    // A fork without its own TTL or expiry took its source's.
    if (!create.ttl_seconds && !create.expires_at_ms) return true;
  }
  return info.ttl_seconds == create.ttl_seconds && info.expires_at_ms == create.expires_at_ms;
}

// Producer rules (PROTOCOL.md §5.2): a stale epoch is refused, a new epoch
// starts at 0, a seq already stored is a duplicate, the next one is taken,
// a gap is refused. Sets `duplicate`; `stored` is the producer's state.
Status CheckProducer(const std::optional<StreamProducer>& stored, const StreamProducer& producer,
                     StreamAppendResult& result) {
  result.producer_epoch = producer.epoch;
  if (stored && producer.epoch < stored->epoch) {
    result.producer_epoch = stored->epoch;
    result.producer_seq = stored->seq;
    return PermissionDenied("stale producer epoch " + std::to_string(producer.epoch) +
                            "; the producer's current epoch is " + std::to_string(stored->epoch));
  }
  if (!stored || producer.epoch > stored->epoch) {
    if (producer.seq != 0) {
      result.expected_seq = 0;
      result.received_seq = producer.seq;
      return InvalidArgument(
          "invalid_producer_seq",
          "a producer's new epoch starts at seq 0, not " + std::to_string(producer.seq));
    }
    result.producer_seq = 0;
    return Status::Ok();
  }
  if (producer.seq <= stored->seq) {
    result.duplicate = true;
    result.producer_seq = stored->seq;
    return Status::Ok();
  }
  if (producer.seq != stored->seq + 1) {
    result.producer_seq = stored->seq;
    result.expected_seq = stored->seq + 1;
    result.received_seq = producer.seq;
    return Conflict("sequence_gap", "producer seq " + std::to_string(producer.seq) +
                                        " skips ahead; the next one expected is " +
                                        std::to_string(stored->seq + 1));
  }
  result.producer_seq = producer.seq;
  return Status::Ok();
}

}  // namespace

// ---- reads

Result<StreamInfo> SqlStore::GetStream(const std::string& path) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Result<Row> row = LiveRow((*reader)->db(), path, NowMillis());
  if (!row.ok()) return row.status();
  return std::move(row->info);
}

Result<StreamRead> SqlStore::ReadStream(const std::string& path, int64_t offset, int64_t max_bytes,
                                        bool whole_chunks) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Db& db = (*reader)->db();
  SCRIBE_RETURN_IF_ERROR(db.Run("BEGIN"));  // one snapshot across the fork chain
  Result<Row> row = LiveRow(db, path, NowMillis());
  StreamRead read;
  Status status = row.status();
  if (status.ok()) {
    offset = std::clamp<int64_t>(offset, 0, row->info.tail);
    status = ReadRange(db, *row, offset, row->info.tail, max_bytes, whole_chunks, read.data);
    read.next = offset + static_cast<int64_t>(read.data.size());
  }
  db.ResetCached();
  Status ended = db.Run("COMMIT");
  if (!status.ok()) return status;
  if (!ended.ok()) return ended;
  return read;
}

Result<std::vector<std::string>> SqlStore::ListStreamPaths(const std::string& prefix) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  // The paths from `prefix` up to (not including) the first one past every
  // path that starts with it: an index range.
  std::string end = prefix;
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  Stmt stmt(
      (*reader)->db(),
      "SELECT path FROM streams WHERE path >= ?1 AND (CAST(?2 AS TEXT) IS NULL OR path < ?2) AND "
      "deleted = 0 AND coalesce(accessed_ms + ttl_seconds * 1000, expires_at_ms, ?3 + 1) "
      "> ?3 ORDER BY path");
  stmt.Bind(1, prefix).BindOrNull(2, end).Bind(3, NowMillis());
  std::vector<std::string> paths;
  while (stmt.Step()) paths.push_back(stmt.Text(0));
  if (!stmt.status().ok()) return stmt.status();
  return paths;
}

// ---- writes

Result<CreatedStream> SqlStore::CreateStream(const StreamCreate& create) {
  CreatedStream created;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    Result<Row> existing = WritableRow(tx, create.path);
    if (existing.status().code() == Code::kGone) {
      return Conflict("stream_exists", "the path " + create.path +
                                           " belongs to a deleted stream its forks still read");
    }
    if (existing.ok() || existing.status().code() != Code::kNotFound) {
      if (!existing.ok()) return existing.status();
      std::string content_type = create.content_type.empty() && !create.fork_source.empty()
                                     ? existing->info.content_type
                                     : create.content_type;
      if (!SameSettings(*existing, create, content_type)) {
        return Conflict("stream_exists", "a stream with other settings exists at " + create.path);
      }
      created.stream = std::move(existing->info);
      return Status::Ok();
    }

    Row row;
    row.info.path = create.path;
    row.info.content_type = create.content_type;
    row.info.ttl_seconds = create.ttl_seconds;
    row.info.expires_at_ms = create.expires_at_ms;
    row.info.created_ms = row.info.accessed_ms = tx.now_ms();
    std::string prefix;  // a sub-offset fork's part of the append at its offset
    if (!create.fork_source.empty()) {
      Result<Row> source = WritableRow(tx, create.fork_source);
      if (source.status().code() == Code::kGone) {
        return Conflict("source_gone", "the stream " + create.fork_source + " was deleted");
      }
      if (!source.ok()) return source.status();
      if (row.info.content_type.empty()) row.info.content_type = source->info.content_type;
      if (!SameMediaType(row.info.content_type, source->info.content_type)) {
        return Conflict("content_type_mismatch",
                        "a fork has its source's content type, " + source->info.content_type);
      }
      if (!create.ttl_seconds && !create.expires_at_ms) {
        row.info.ttl_seconds = source->info.ttl_seconds;
        row.info.expires_at_ms = source->info.expires_at_ms;
      }
      int64_t at = create.fork_offset.value_or(source->info.tail);
      Result<bool> boundary = at <= source->info.tail ? IsBoundary(tx.db(), *source, at) : false;
      if (!boundary.ok()) return boundary.status();
      if (!*boundary) {
        return InvalidArgument("invalid_fork_offset",
                               "Stream-Fork-Offset is not an offset of " + create.fork_source);
      }
      if (create.fork_sub > 0) {
        Result<std::optional<std::string>> chunk = ChunkAt(tx.db(), *source, at);
        if (!chunk.ok()) return chunk.status();
        if (!*chunk) {
          return InvalidArgument("invalid_fork_sub_offset",
                                 "no append starts at the fork offset to take a part of");
        }
        Result<std::string> part = Prefix(**chunk, create.fork_sub, source->info.json());
        if (!part.ok()) return part.status();
        prefix = std::move(part).value();
      }
      row.parent = source->info.id;
      row.info.fork_source = source->info.path;
      row.info.fork_offset = row.info.tail = at;
      row.info.fork_sub = create.fork_sub;
    }
    Stmt& insert = tx.Prepare(
        "INSERT INTO streams (path, content_type, ttl_seconds, expires_at_ms, tail, "
        "fork_parent, fork_offset, fork_sub, created_ms, accessed_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
        "ON CONFLICT (path) DO NOTHING RETURNING id");
    insert.Bind(1, row.info.path)
        .Bind(2, row.info.content_type)
        .Bind(3, row.info.ttl_seconds)
        .Bind(4, row.info.expires_at_ms)
        .Bind(5, row.info.tail)
        .Bind(6, row.parent)
        .Bind(7, row.info.fork_offset)
        .Bind(8, row.info.fork_sub)
        .Bind(9, tx.now_ms());
    if (!insert.Step()) {
      // Another host created the path since this transaction looked: the
      // whole transaction runs again and finds that stream.
      return insert.status().ok() ? Unavailable("storage_conflict", "the stream " + create.path +
                                                                        " was created meanwhile")
                                  : insert.status();
    }
    row.info.id = insert.Int(0);
    insert.Reset();
    row.info.closed = create.closed;
    SCRIBE_RETURN_IF_ERROR(AddChunk(tx, row, prefix));
    SCRIBE_RETURN_IF_ERROR(AddChunk(tx, row, create.data));
    SCRIBE_RETURN_IF_ERROR(SaveRow(tx, row));
    created.stream = std::move(row.info);
    created.created = true;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return created;
}

Status SqlStore::AppendStream(const StreamAppend& append, StreamAppendResult& result) {
  return writer_->Run([&](Writer::Tx& tx) -> Status {
    result = StreamAppendResult{};
    Result<Row> found = WritableRow(tx, append.path);
    if (!found.ok()) return found.status();
    Row& row = *found;
    result.stream = row.info;

    std::optional<StreamProducer> stored;
    if (append.producer) {
      Stmt& load = tx.Prepare(
          "SELECT epoch, last_seq FROM stream_producers WHERE stream_id = ?1 AND producer_id = ?2");
      load.Bind(1, row.info.id).Bind(2, append.producer->id);
      if (load.Step()) stored = StreamProducer{append.producer->id, load.Int(0), load.Int(1)};
      SCRIBE_RETURN_IF_ERROR(load.status());
    }
    if (row.info.closed) {
      // A producer's retry of the append that closed it is answered as before.
      if (stored && append.producer->epoch == stored->epoch &&
          append.producer->seq <= stored->seq) {
        result.duplicate = true;
        result.producer_epoch = stored->epoch;
        result.producer_seq = stored->seq;
        return Status::Ok();
      }
      if (append.data.empty() && !append.producer) return Status::Ok();  // closing again
      return Conflict("stream_closed", "the stream at " + append.path + " is closed");
    }
    if (!append.data.empty() && !SameMediaType(append.content_type, row.info.content_type)) {
      return Conflict(
          "content_type_mismatch",
          "the stream's content type is " + row.info.content_type + ", not " + append.content_type);
    }
    if (append.producer) {
      SCRIBE_RETURN_IF_ERROR(CheckProducer(stored, *append.producer, result));
      if (result.duplicate) return Status::Ok();
    }
    if (append.stream_seq) {
      if (row.last_seq && *append.stream_seq <= *row.last_seq) {
        return Conflict(
            "stream_seq_regression",
            "Stream-Seq " + *append.stream_seq + " is not after the last one, " + *row.last_seq);
      }
      row.last_seq = append.stream_seq;
    }
    if (append.producer) {
      SCRIBE_RETURN_IF_ERROR(
          tx.Prepare("INSERT INTO stream_producers (stream_id, producer_id, epoch, last_seq) "
                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (stream_id, producer_id) DO UPDATE "
                     "SET epoch = excluded.epoch, last_seq = excluded.last_seq")
              .Bind(1, row.info.id)
              .Bind(2, append.producer->id)
              .Bind(3, append.producer->epoch)
              .Bind(4, append.producer->seq)
              .Run());
    }
    row.info.closed = append.close;
    SCRIBE_RETURN_IF_ERROR(AddChunk(tx, row, append.data));
    if (append.close && append.data.empty()) {
      tx.Publish(CommittedChange::Stream({row.info.path, true, false}, row.info.tail, ""));
    }
    row.info.accessed_ms = tx.now_ms();
    SCRIBE_RETURN_IF_ERROR(SaveRow(tx, row));
    result.stream = row.info;
    return Status::Ok();
  });
}

Status SqlStore::TouchStream(const std::string& path) {
  return writer_->Run([&](Writer::Tx& tx) -> Status {
    Result<Row> row = WritableRow(tx, path);
    if (!row.ok()) return row.status();
    if (!row->info.ttl_seconds) return Status::Ok();
    return tx.Prepare("UPDATE streams SET accessed_ms = ?2 WHERE id = ?1")
        .Bind(1, row->info.id)
        .Bind(2, tx.now_ms())
        .Run();
  });
}

Status SqlStore::DeleteStream(const std::string& path) {
  return writer_->Run([&](Writer::Tx& tx) -> Status {
    Result<Row> row = WritableRow(tx, path);
    if (!row.ok()) return row.status();
    return Remove(tx, std::move(row).value());
  });
}

Result<int64_t> SqlStore::ExpireStreams() {
  int64_t expired = 0;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    std::vector<std::string> paths;
    Stmt& due = tx.Prepare(
        "SELECT path FROM streams WHERE deleted = 0 AND coalesce(accessed_ms + ttl_seconds * "
        "1000, expires_at_ms) <= ?1");
    due.Bind(1, tx.now_ms());
    while (due.Step()) paths.push_back(due.Text(0));
    SCRIBE_RETURN_IF_ERROR(due.status());
    for (const std::string& path : paths) {
      Result<Row> row = WritableRow(tx, path);  // removes it
      if (row.ok()) return Internal("stream " + path + " outlived its expiry");
      if (row.status().code() != Code::kNotFound && row.status().code() != Code::kGone) {
        return row.status();
      }
      ++expired;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return expired;
}

}  // namespace scribe::store::sql
