#include "host/store/sql/db.h"

namespace scribe::store::sql {

Db::~Db() = default;

Stmt& Db::Cached(const char* sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    it = cached_.emplace(sql, std::make_unique<Stmt>(Prepare(sql, /*persistent=*/true))).first;
  }
  it->second->Reset();
  return *it->second;
}

void Db::ResetCached() {
  for (auto& [sql, stmt] : cached_) stmt->Reset();
}

Status Db::Run(const char* sql) { return Cached(sql).Run(); }

}  // namespace scribe::store::sql
