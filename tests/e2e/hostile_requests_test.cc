// Hostile requests, table-driven: ids and queries full of SQL metacharacters
// and path traversal, absurd numbers, text built to break out of an SSE
// event, request heads the parser refuses, and senders too slow to finish.
// Each gets a 4xx JSON error (or is served as plain data) and the stored data
// stays exactly as it was.
#include <sqlite3.h>

#include "tests/e2e/host_fixture.h"

namespace scribe::testing {
namespace {

class HostileRequestsTest : public HostTest {
 protected:
  // Every row of every table, as text: what "unchanged" means.
  std::string DatabaseSnapshot() {
    sqlite3* db = nullptr;
    sqlite3_open_v2(dir_.File("scribe.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    std::string all;
    for (const char* table :
         {"documents", "jobs", "chunks", "job_attempts", "job_events", "api_keys"}) {
      sqlite3_stmt* stmt = nullptr;
      std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY rowid";
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
        // WITHOUT ROWID tables: their primary key orders them.
        sql = std::string("SELECT * FROM ") + table;
        sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
      }
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
          const unsigned char* text = sqlite3_column_text(stmt, i);
          all += text ? reinterpret_cast<const char*>(text) : "NULL";
          all += '|';
        }
        all += '\n';
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return all;
  }
};

TEST_F(HostileRequestsTest, MetacharactersTraversalAndAbsurdNumbersChangeNothing) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  const std::string before = DatabaseSnapshot();
  const std::vector<std::string> evil_ids = {"'; DROP TABLE jobs;--",
                                             "job_x' OR '1'='1",
                                             "%27%20OR%201%3D1%20--",
                                             "..%2F..%2Fetc%2Fpasswd",
                                             "%2e%2e%2f%2e%2e%2fscribe.db",
                                             "job_%00null",
                                             "%E2%80%AE",
                                             std::string(5000, 'j')};
  for (const std::string& evil : evil_ids) {
    for (const std::string& path : {"/api/jobs/" + evil, "/api/jobs/" + evil + "/output",
                                    "/api/jobs/" + evil + "/events", "/api/documents/" + evil}) {
      HttpResponse response = Http(port(), "GET", path);
      EXPECT_GE(response.status, 400) << path;
      EXPECT_LT(response.status, 500) << path;
      EXPECT_TRUE(response.Json()["error"]["code"].is_string()) << path << ": " << response.body;
    }
    HttpResponse cancel = Http(port(), "POST", "/api/jobs/" + evil + "/cancel");
    EXPECT_TRUE(cancel.status >= 400 && cancel.status < 500) << evil << ": " << cancel.status;
  }
  for (const std::string& query : std::vector<std::string>{
           "state=running'--", "provider=' OR 1=1 --", "limit=-5", "limit=99999999999999999999",
           "since=-1", "since=99999999999999999999999", "cursor=1:1' OR '1'='1", "cursor=-1:-1",
           "limit=1e3", "limit=%2B5"}) {
    HttpResponse response = Http(port(), "GET", "/api/jobs?" + query);
    EXPECT_TRUE(response.status == 200 || (response.status >= 400 && response.status < 500))
        << query << ": " << response.status;
    if (response.status != 200) {
      EXPECT_TRUE(response.Json()["error"]["code"].is_string()) << query;
    }
  }
  for (const std::string& offset :
       std::vector<std::string>{"-0", "%2B1", "0x10", "1%201", "18446744073709551616",
                                "9223372036854775807", "1%0d%0aX-Injected: yes"}) {
    HttpResponse response = Http(port(), "GET", "/api/jobs/" + id + "/output?offset=" + offset);
    EXPECT_GE(response.status, 400) << "offset=" << offset;
    EXPECT_LT(response.status, 500) << offset;
    EXPECT_EQ(response.Header("x-injected"), "") << offset;
  }
  EXPECT_EQ(DatabaseSnapshot(), before);
}

TEST_F(HostileRequestsTest, TextBuiltToBreakOutOfAnEventStaysInsideItsEvent) {
  // A document, a title and a prompt full of line breaks and SSE field
  // names: viewers get them as JSON strings inside one event each.
  const std::string evil =
      "line one\r\n\r\nevent: complete\ndata: {\"type\":\"complete\"}\n\nid: 999999\r\r: x";
  nlohmann::json body = {{"content", "# Title\r\n\r\nevent: error\n\ndata: x\n\n" + evil},
                         {"title", evil},
                         {"prompt", evil},
                         {"provider", "offline"},
                         {"params", {{"chunks_per_second", 0}}}};
  HttpResponse created = Http(port(), "POST", "/api/jobs", body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.Json()["id"];
  WaitForState(port(), id, {"succeeded"});
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  ASSERT_TRUE(viewer.ReadToEnd());
  EXPECT_EQ(viewer.Text(), Output(id)) << "every byte arrived as token text";
  int terminal = 0;
  for (const SseEvent& e : viewer.events()) {
    EXPECT_TRUE(e.event == "token" || e.event == "complete" || e.event == "status") << e.event;
    terminal += e.event == "complete";
    EXPECT_NE(e.id, "999999");
  }
  EXPECT_EQ(terminal, 1);
  EXPECT_EQ(Http(port(), "GET", "/api/jobs/" + id).Json()["title"], evil);
}

TEST_F(HostileRequestsTest, HeadsTheParserRefusesGetJsonErrors) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  const std::string before = DatabaseSnapshot();
  const std::string job = R"({"content":"# A\n\nB.","provider":"offline"})";
  const std::string post =
      "POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(job.size()) + "\r\n";
  std::string many_fields;
  for (int i = 0; i < 150; ++i) many_fields += "X-Field-" + std::to_string(i) + ": v\r\n";
  struct Row {
    std::string name;
    std::string request;
    int status;
    std::string code;
  };
  const std::vector<Row> rows = {
      {"a header value over 8 KiB", post + "X-Big: " + std::string(9000, 'a') + "\r\n\r\n" + job,
       431, "headers_too_large"},
      {"150 header fields", post + many_fields + "\r\n" + job, 431, "headers_too_large"},
      {"a header name over 256 bytes", post + std::string(300, 'n') + ": v\r\n\r\n" + job, 431,
       "headers_too_large"},
      {"a request line over 16 KiB",
       "GET /api/jobs?state=" + std::string(17000, 'q') + " HTTP/1.1\r\n\r\n", 414, "uri_too_long"},
      {"not HTTP", "GET / NOTHTTP/1.1\r\n\r\n", 400, "malformed_request"},
      {"a method over 32 bytes", std::string(40, 'G') + " / HTTP/1.1\r\n\r\n", 400,
       "malformed_request"},
      // Poco takes the end of input for the end of the head; the body is missing.
      {"a head cut by the end of its input", post + "X-Cut: never ends", 400, "incomplete_body"},
  };
  for (const Row& row : rows) {
    std::vector<std::string> pieces = {row.request};
    HttpResponse response = RawHttp(port(), pieces, {}, std::chrono::seconds(10));
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/json") << row.name;
    EXPECT_EQ(response.Json()["error"]["code"], row.code) << row.name << ": " << response.body;
    EXPECT_STRCASEEQ(response.Header("connection").c_str(), "close") << row.name;
    EXPECT_EQ(response.Header("x-content-type-options"), "nosniff") << row.name;
  }
  EXPECT_EQ(Http(port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(DatabaseSnapshot(), before);
}

// The host gives a head, and a body, a total time to arrive; a client that
// trickles bytes just fast enough to beat every per-read timeout is cut off.
class SlowSendersTest : public HostileRequestsTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--request-timeout-ms", "1500"}; }

  // Sends `pieces` 250 ms apart — about 10 s in all — and expects the host
  // to answer 408 at its 1.5 s deadline, store nothing and serve on.
  void ExpectCutOffAtTheDeadline(const std::vector<std::string>& pieces) {
    const std::string before = DatabaseSnapshot();
    std::chrono::milliseconds elapsed{};
    HttpResponse response =
        RawHttp(port(), pieces, std::chrono::milliseconds(250), std::chrono::seconds(20), &elapsed);
    EXPECT_EQ(response.status, 408) << response.body;
    EXPECT_EQ(response.Json()["error"]["code"], "request_timeout");
    EXPECT_LT(elapsed, std::chrono::seconds(8));
    EXPECT_EQ(Http(port(), "GET", "/healthz").status, 200);
    EXPECT_EQ(DatabaseSnapshot(), before);
  }
};

TEST_F(SlowSendersTest, AHeadSentAFieldAtATimeIsCutOffAtTheDeadline) {
  std::vector<std::string> pieces = {"POST /api/jobs HTTP/1.1\r\n"};
  for (int i = 0; i < 40; ++i) pieces.push_back("X-Slow-" + std::to_string(i) + ": y\r\n");
  ExpectCutOffAtTheDeadline(pieces);
}

TEST_F(SlowSendersTest, ABodySentAFewBytesAtATimeIsCutOffAtTheDeadline) {
  const std::string job = R"({"content":")" + std::string(1500, 'x') + R"(","provider":"offline"})";
  std::vector<std::string> pieces = {
      "POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(job.size()) + "\r\n\r\n"};
  for (size_t at = 0; at < job.size(); at += 40) pieces.push_back(job.substr(at, 40));
  ExpectCutOffAtTheDeadline(pieces);
  EXPECT_EQ(Http(port(), "GET", "/api/jobs").Json()["jobs"].size(), 0u);
}

}  // namespace
}  // namespace scribe::testing
