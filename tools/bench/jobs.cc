// scribe_bench ttft and sqlite: the jobs rows of issue #8.
//
//   scribe_bench ttft --port HOST_PORT --fake-port FAKE_PORT [--runs 40]
//       The fake provider (tests/fakes/fake_llm.py) on loopback, asked
//       directly for a streamed chat completion, and the host (its openai
//       plugin pointed at the same fake) asked for a job whose events are
//       read: the time to the first token of each, alternately, medians.
//   scribe_bench sqlite [--rows 400000] [--bytes 6] [--batch 1000] [--jobs 64] [--dir DIR]
//       Raw SQLite on this disk, with the host's settings (WAL,
//       synchronous=NORMAL, foreign keys): chunk rows inserted in batched
//       transactions into the host's chunk table; rows/s, the bound for a
//       durable append.
//
// Prints a human line and a `RESULT {json}` line per measure.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "host/store/sqlite/sqlite_db.h"
#include "tools/bench/bench.h"

namespace scribe::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

constexpr char kDocument[] =
    "Photosynthesis turns light into sugar inside chloroplasts: plants, algae and some bacteria "
    "do it, and nearly every food chain starts there.";

// Reads `fd` until `marker` arrived (then closes it); false on end or time-out.
bool ReadUntil(int fd, const std::string& marker) {
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string received;
  char buffer[16384];
  bool found = false;
  while (!found) {
    ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    received.append(buffer, static_cast<size_t>(got));
    found = received.find(marker) != std::string::npos;
  }
  close(fd);
  return found;
}

// The fake provider asked directly, as the openai plugin asks it.
double DirectMs(int fake_port) {
  const std::string body =
      nlohmann::json{{"model", "fake-model-001"},
                     {"stream", true},
                     {"messages",
                      {{{"role", "system"}, {"content", "Write a narration script."}},
                       {{"role", "user"}, {"content", kDocument}}}}}
          .dump();
  const std::string request =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
      "test-key\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  const auto start = Clock::now();
  int fd = ConnectSend(fake_port, request);
  if (fd < 0) return -1;
  // The first delta names the role with empty content; the next holds text.
  return ReadUntil(fd, "\"delta\":{\"content\":\"") ? MsSince(start) : -1;
}

// A job submitted to the host, then its events read to the first token.
double HostMs(Poco::Net::HTTPClientSession& session, int port) {
  const std::string body =
      nlohmann::json{{"content", kDocument}, {"provider", "openai"}, {"model", "fake-model-001"}}
          .dump();
  const auto start = Clock::now();
  Poco::Net::HTTPRequest post("POST", "/api/jobs", Poco::Net::HTTPMessage::HTTP_1_1);
  post.setContentType("application/json");
  post.setContentLength64(static_cast<Poco::Int64>(body.size()));
  post.setKeepAlive(true);
  session.sendRequest(post) << body;
  Poco::Net::HTTPResponse response;
  std::stringstream answer;
  Poco::StreamCopier::copyStream(session.receiveResponse(response), answer);
  if (response.getStatus() != 201) return -1;
  const std::string id = nlohmann::json::parse(answer.str()).value("id", "");
  int fd = ConnectGet(port, "/api/jobs/" + id + "/events");
  if (fd < 0) return -1;
  return ReadUntil(fd, "event: token") ? MsSince(start) : -1;
}

}  // namespace

int Ttft(const Args& args) {
  const int port = static_cast<int>(args.Get("port", 8080));
  const int fake_port = static_cast<int>(args.Get("fake-port", 0));
  const long runs = args.Get("runs", 40);
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setKeepAlive(true);
  std::vector<double> direct, host;
  long failures = 0;
  for (long i = 0; i < runs; ++i) {  // alternately, so both see the same noise
    double d = DirectMs(fake_port);
    double h = HostMs(session, port);
    if (d < 0 || h < 0) {
      ++failures;
      continue;
    }
    direct.push_back(d);
    host.push_back(h);
  }
  std::sort(direct.begin(), direct.end());
  std::sort(host.begin(), host.end());
  const double above = Percentile(host, 0.5) - Percentile(direct, 0.5);
  std::printf(
      "ttft: %zu runs; fake provider direct p50 %.2f ms p90 %.2f; through the host p50 %.2f ms "
      "p90 %.2f; the host adds %.2f ms at the median; %ld failed\n",
      host.size(), Percentile(direct, 0.5), Percentile(direct, 0.9), Percentile(host, 0.5),
      Percentile(host, 0.9), above, failures);
  Report({{"workload", "ttft"},
          {"target", "scribe"},
          {"runs", host.size()},
          {"direct_p50_ms", Percentile(direct, 0.5)},
          {"direct_p90_ms", Percentile(direct, 0.9)},
          {"host_p50_ms", Percentile(host, 0.5)},
          {"host_p90_ms", Percentile(host, 0.9)},
          {"host_above_direct_p50_ms", above},
          {"failures", failures}});
  return failures == 0 && !host.empty() ? 0 : 1;
}

int SqliteInserts(const Args& args) {
  const long rows = args.Get("rows", 400000);
  const long bytes = args.Get("bytes", 6);
  const long batch = std::max(1L, args.Get("batch", 1000));
  const long jobs = std::max(1L, args.Get("jobs", 64));
  const std::string dir = args.Text("dir", std::filesystem::temp_directory_path().string());
  const std::string path = dir + "/" + UniqueName("raw") + ".db";
  using store::sqlite::SqliteDb;
  using store::sqlite::Stmt;
  Result<std::unique_ptr<SqliteDb>> opened = SqliteDb::Open(path, /*create=*/true);
  if (!opened.ok()) {
    std::fprintf(stderr, "sqlite: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  SqliteDb& db = **opened;
  // The host's settings and its chunk table (schema/001_initial.sql).
  Status status = db.Exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
      "CREATE TABLE jobs (id TEXT PRIMARY KEY);"
      "CREATE TABLE chunks (job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
      " seq INTEGER NOT NULL, offset INTEGER NOT NULL, data BLOB NOT NULL,"
      " PRIMARY KEY (job_id, seq)) WITHOUT ROWID;"
      "CREATE UNIQUE INDEX chunks_by_offset ON chunks (job_id, offset);");
  std::vector<std::string> ids;
  for (long j = 0; j < jobs && status.ok(); ++j) {
    ids.push_back("job_" + std::to_string(j));
    status = db.Cached("INSERT INTO jobs (id) VALUES (?1)").Bind(1, ids.back()).Run();
  }
  const std::string data(static_cast<size_t>(bytes), 'x');
  const auto start = Clock::now();
  long written = 0;
  while (written < rows && status.ok()) {
    status = db.Run("BEGIN IMMEDIATE");
    for (long i = 0; i < batch && written < rows && status.ok(); ++i, ++written) {
      const long seq = written / jobs;
      status = db.Cached("INSERT INTO chunks (job_id, seq, offset, data) VALUES (?1, ?2, ?3, ?4)")
                   .Bind(1, ids[static_cast<size_t>(written % jobs)])
                   .Bind(2, static_cast<int64_t>(seq))
                   .Bind(3, static_cast<int64_t>(seq * bytes))
                   .BindBlob(4, data)
                   .Run();
    }
    if (status.ok()) status = db.Run("COMMIT");
  }
  const double seconds = MsSince(start) / 1000;
  opened->reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  if (!status.ok()) {
    std::fprintf(stderr, "sqlite: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf(
      "sqlite: %ld rows of %ld bytes in batches of %ld in %.2f s = %.0f rows/s, %.2f MB/s\n",
      written, bytes, batch, seconds, written / seconds,
      static_cast<double>(written * bytes) / seconds / 1e6);
  Report({{"workload", "sqlite_inserts"},
          {"target", "sqlite"},
          {"rows", written},
          {"jobs", jobs},
          {"row_bytes", bytes},
          {"batch", batch},
          {"seconds", seconds},
          {"rows_per_second", written / seconds}});
  return 0;
}

}  // namespace scribe::bench
