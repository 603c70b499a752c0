// SqlStore's Durable Streams subscriptions and the host's secrets
// (schema/005_subscriptions.sql): small rows, each written whole in one
// statement on the writer thread.
#include "host/store/sql/sql_store.h"

namespace scribe::store::sql {

Result<std::vector<StoredSubscription>> SqlStore::ListSubscriptions() {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  Stmt stmt((*reader)->db(), "SELECT id, state FROM subscriptions ORDER BY id");
  std::vector<StoredSubscription> subscriptions;
  while (stmt.Step()) subscriptions.push_back(StoredSubscription{stmt.Text(0), stmt.Text(1)});
  if (!stmt.status().ok()) return stmt.status();
  return subscriptions;
}

Status SqlStore::PutSubscription(const StoredSubscription& subscription) {
  return writer_->Run([&](Writer::Tx& tx) -> Status {
    return tx
        .Prepare(
            "INSERT INTO subscriptions (id, state, updated_ms) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_ms = "
            "excluded.updated_ms")
        .Bind(1, subscription.id)
        .Bind(2, subscription.state)
        .Bind(3, tx.now_ms())
        .Run();
  });
}

Status SqlStore::DeleteSubscription(const std::string& id) {
  return writer_->Run([&](Writer::Tx& tx) -> Status {
    return tx.Prepare("DELETE FROM subscriptions WHERE id = ?1").Bind(1, id).Run();
  });
}

Result<std::string> SqlStore::HostSecret(const std::string& name, const std::string& candidate) {
  std::string secret;
  Status status = writer_->Run([&](Writer::Tx& tx) -> Status {
    SCRIBE_RETURN_IF_ERROR(
        tx.Prepare("INSERT INTO host_secrets (name, value, created_ms) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT (name) DO NOTHING")
            .Bind(1, name)
            .BindBlob(2, candidate)
            .Bind(3, tx.now_ms())
            .Run());
    Stmt& stored = tx.Prepare("SELECT value FROM host_secrets WHERE name = ?1");
    stored.Bind(1, name);
    if (!stored.Step()) {
      if (!stored.status().ok()) return stored.status();
      return Internal("the secret " + name + " was not stored");
    }
    secret = std::string(stored.Blob(0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return secret;
}

}  // namespace scribe::store::sql
