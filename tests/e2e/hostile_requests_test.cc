// Hostile requests, table-driven: ids and queries full of SQL metacharacters
// and path traversal, absurd numbers, and text built to break out of an SSE
// event. Each gets a 4xx JSON error (or is served as plain data) and the
// stored data stays exactly as it was.
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

}  // namespace
}  // namespace scribe::testing
