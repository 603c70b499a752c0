// Authentication: who a request comes from, by its API key.
//
// A client sends `Authorization: Bearer <key>` (the viewer, which cannot
// set headers on an EventSource, sends the same key in the `scribe_key`
// cookie). Only the key's SHA-256 is stored and looked up, on every request,
// so a key created or revoked with `scribectl keys` takes effect at once.
// With authentication off every request is the single local user.
//
// Thread safety: Authenticate may be called from any thread.
#ifndef SCRIBE_HOST_HTTP_AUTH_H_
#define SCRIBE_HOST_HTTP_AUTH_H_

#include "host/http/exchange.h"
#include "host/jobs/caller.h"
#include "host/store/store.h"

namespace scribe::http {

class Authenticator {
 public:
  Authenticator(store::StoreReader& keys, bool required) : keys_(keys), required_(required) {}

  // The caller, or Unauthenticated when a key is required and missing,
  // unknown or revoked.
  Result<jobs::Caller> Authenticate(Exchange& ex) const;
  // Who `key` is, whether or not keys are required: for signing in.
  Result<jobs::Caller> Check(const std::string& key) const;
  bool required() const { return required_; }

 private:
  store::StoreReader& keys_;
  const bool required_;
};

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_AUTH_H_
