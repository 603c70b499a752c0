// What only the SQLite backend promises: one host per database file (the
// host lock), and readers that open an existing file without changing it.
#include "host/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "host/store/maintenance.h"
#include "host/store/sqlite/sqlite_db.h"
#include "host/store/store.h"
#include "tests/support/host_process.h"

namespace scribe::store::sqlite {
namespace {

using testing::TempDir;

TEST(SqliteStoreTest, ASecondWriterIsRefusedUntilTheFirstCloses) {
  TempDir dir;
  const std::string path = dir.File("scribe.db");
  Result<std::unique_ptr<Store>> first = OpenStore(path, StoreOptions{});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::unique_ptr<Store>> second = OpenStore("sqlite:" + path, StoreOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kConflict);
  EXPECT_EQ(second.status().reason(), "database_in_use");
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())), std::string::npos)
      << second.status().message();
  first->reset();
  EXPECT_TRUE(OpenStore(path, StoreOptions{}).ok()) << "the lock goes with its holder";
}

TEST(SqliteStoreTest, AReaderSeesWhatTheWriterCommittedBesideIt) {
  TempDir dir;
  const std::string path = dir.File("scribe.db");
  Result<std::unique_ptr<Store>> store = OpenStore(path, StoreOptions{});
  ASSERT_TRUE(store.ok());
  JobSpec spec;
  spec.input = "text";
  spec.provider = "offline";
  spec.model = "narrator";
  Result<CreatedJob> created = (*store)->CreateJob(spec);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE((*store)->ClaimNextJob().ok());
  (*store)->Append(created->job.id, 1, "hello");
  ASSERT_TRUE((*store)->Flush().ok());

  Result<std::unique_ptr<StoreReader>> reader = OpenStoreReader(path, StoreOptions{});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->GetJob(created->job.id)->state, JobState::kRunning);
  EXPECT_EQ(*(*reader)->ReadOutput(created->job.id, 0, 100), "hello");
  (*store)->Append(created->job.id, 1, " world");
  ASSERT_TRUE((*store)->Flush().ok());
  EXPECT_EQ(*(*reader)->ReadOutput(created->job.id, 0, 100), "hello world");
}

// scribectl writes keys beside a running host: the host's next write must
// wait for it, not fail (no statement of the writer may keep a read
// transaction open between its batches).
TEST(SqliteStoreTest, TheWriterStillWritesAfterAnotherProcessWrote) {
  TempDir dir;
  const std::string path = dir.File("scribe.db");
  Result<std::unique_ptr<Store>> store = OpenStore(path, StoreOptions{});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->HostSecret("key", "value").ok());  // a read left on its row
  ASSERT_TRUE(CreateApiKey(path, "tool", /*admin=*/false, "hash", "sk_").ok());
  EXPECT_TRUE((*store)->PutSubscription({"s", "{}"}).ok());
  EXPECT_EQ((*store)->ListApiKeys()->size(), 1u);
}

TEST(SqliteStoreTest, AReaderNeverCreatesOrMigratesAFile) {
  TempDir dir;
  Result<std::unique_ptr<StoreReader>> missing =
      OpenStoreReader(dir.File("none.db"), StoreOptions{});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().reason(), "database_not_found");
  EXPECT_NE(access(dir.File("none.db").c_str(), F_OK), 0);

  // A database left at schema version 1 is reported, not upgraded.
  const std::string old_path = dir.File("old.db");
  {
    Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(old_path, /*create=*/true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x); PRAGMA user_version = 1").ok());
  }
  Result<std::unique_ptr<StoreReader>> old = OpenStoreReader(old_path, StoreOptions{});
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().reason(), "schema_mismatch");
  EXPECT_NE(old.status().message().find("start scribed on it once"), std::string::npos);
}

}  // namespace
}  // namespace scribe::store::sqlite
