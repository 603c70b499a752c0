// Schema migrations against real database files: a fresh database, one left
// at an older schema version with data in it, one from a newer Scribe, and a
// migration that fails.
#include "host/store/sql/migrations.h"

#include <gtest/gtest.h>

#include "host/store/sqlite/sqlite_db.h"
#include "host/store/sqlite/sqlite_store.h"
#include "host/store/store.h"
#include "tests/support/host_process.h"

namespace scribe::store::sqlite {
namespace {

using testing::TempDir;

using sql::Migrate;
using sql::Migration;

std::unique_ptr<SqliteDb> OpenDb(const std::string& path) {
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path, /*create=*/true);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

int LatestVersion() { return SqliteMigrations().back().version; }

// A database at `path` as schema `version` left it, with `rows` (SQL) in it.
void OldDatabase(const std::string& path, int version, const std::string& rows) {
  auto db = OpenDb(path);
  std::vector<Migration> old(SqliteMigrations().begin(), SqliteMigrations().begin() + version);
  ASSERT_TRUE(Migrate(*db, old).ok());
  ASSERT_EQ(*db->SchemaVersion(), version);
  ASSERT_TRUE(db->Exec(rows).ok());
}

TEST(MigrationsTest, AFreshDatabaseGetsEveryMigration) {
  TempDir dir;
  auto db = OpenDb(dir.File("fresh.db"));
  ASSERT_TRUE(Migrate(*db, SqliteMigrations()).ok());
  EXPECT_EQ(*db->SchemaVersion(), LatestVersion());
  ASSERT_TRUE(Migrate(*db, SqliteMigrations()).ok());  // idempotent
  EXPECT_EQ(*db->SchemaVersion(), LatestVersion());
}

TEST(MigrationsTest, MigrationsAreNumberedInOrderFromOne) {
  int expected = 1;
  for (const Migration& m : SqliteMigrations()) EXPECT_EQ(m.version, expected++) << m.name;
}

TEST(MigrationsTest, AnOldDatabaseIsUpgradedAndKeepsItsJobs) {
  TempDir dir;
  std::string path = dir.File("old.db");
  // The first release of the schema, with one job half way through its output.
  OldDatabase(path, 1,
              "INSERT INTO jobs (id, title, input, input_bytes, provider, model, state, attempts, "
              "output_bytes, created_ms, updated_ms) VALUES ('job_old', 't', 'input', 5, "
              "'offline', 'narrator', 'failed', 1, 6, 1, 1);"
              "INSERT INTO chunks VALUES ('job_old', 0, 0, CAST('hello ' AS BLOB));");
  if (HasFatalFailure()) return;
  Result<std::unique_ptr<Store>> store = OpenStore(path, StoreOptions{});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<Job> job = (*store)->GetJob("job_old");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, JobState::kFailed);
  EXPECT_EQ(*(*store)->ReadOutput("job_old", 0, 100), "hello ");
  // The newer tables work for the old job: continue it and finish it.
  Result<JobHistory> history = (*store)->GetJobHistory("job_old");
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->attempts.empty());
  ASSERT_TRUE((*store)->RequeueJob("job_old", "after upgrade").ok());
  Result<std::optional<Job>> claimed = (*store)->ClaimNextJob();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  (*store)->Append("job_old", 2, "world");
  ASSERT_TRUE((*store)->FinishAttempt("job_old", 2, AttemptOutcome{}).ok());
  EXPECT_EQ(*(*store)->ReadOutput("job_old", 0, 100), "hello world");
  store->reset();
  auto db = OpenDb(path);
  EXPECT_EQ(*db->SchemaVersion(), LatestVersion());
}

TEST(MigrationsTest, AStreamWrittenBeforeVersion6KeepsItsChunksInOrder) {
  TempDir dir;
  std::string path = dir.File("v5.db");
  // Version 5 keyed chunks by seq: three appends.
  OldDatabase(path, 5,
              "INSERT INTO streams (id, path, content_type, tail, next_seq, created_ms, "
              "accessed_ms) VALUES (1, '/v1/stream/old', 'text/plain', 11, 3, 1, 1);"
              "INSERT INTO stream_chunks VALUES (1, 0, 0, CAST('one ' AS BLOB)),"
              " (1, 1, 4, CAST('two ' AS BLOB)), (1, 2, 8, CAST('3!\n' AS BLOB));");
  if (HasFatalFailure()) return;
  Result<std::unique_ptr<Store>> store = OpenStore(path, StoreOptions{});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<StreamRead> read = (*store)->ReadStream("/v1/stream/old", 4, 100, false);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->data, "two 3!\n");
  StreamAppend append;
  append.path = "/v1/stream/old";
  append.content_type = "text/plain";
  append.data = "four";
  StreamAppendResult appended;
  ASSERT_TRUE((*store)->AppendStream(append, appended).ok());
  EXPECT_EQ(appended.stream.tail, 15);
  EXPECT_EQ((*store)->ReadStream("/v1/stream/old", 0, 100, false)->data, "one two 3!\nfour");
}

TEST(MigrationsTest, ADatabaseFromANewerScribeIsRefused) {
  TempDir dir;
  std::string path = dir.File("newer.db");
  {
    auto db = OpenDb(path);
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 999").ok());
  }
  Result<std::unique_ptr<Store>> store = OpenStore(path, StoreOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().reason(), "schema_too_new");
}

TEST(MigrationsTest, AFailingMigrationLeavesTheDatabaseAtItsPreviousVersion) {
  TempDir dir;
  auto db = OpenDb(dir.File("broken.db"));
  std::vector<Migration> migrations = {
      {1, "001_ok.sql", "CREATE TABLE a (x INTEGER);"},
      {2, "002_broken.sql", "CREATE TABLE b (y INTEGER); INSERT INTO missing VALUES (1);"},
  };
  Status status = Migrate(*db, migrations);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("002_broken.sql"), std::string::npos);
  EXPECT_EQ(*db->SchemaVersion(), 1);
  Stmt b(*db, "SELECT count(*) FROM sqlite_master WHERE name = 'b'");
  ASSERT_TRUE(b.Step());
  EXPECT_EQ(b.Int(0), 0);  // rolled back with its migration
}

TEST(MigrationsTest, AnUnknownDatabaseUrlIsRefused) {
  EXPECT_EQ(OpenStore("mysql://x", StoreOptions{}).status().reason(), "unsupported_database");
}

}  // namespace
}  // namespace scribe::store::sqlite
