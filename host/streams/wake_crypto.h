// The keys behind Durable Streams subscriptions: the Ed25519 key that signs
// webhook notifications (published as a JWKS, so receivers can check that a
// notification came from this host) and the HMAC key that signs the wake
// tokens a consumer must show to acknowledge a wake. Both are generated
// once and kept in the store (HostSecret), so signatures and tokens stay
// valid across restarts.
//
// Thread safety: immutable after construction.
#ifndef SCRIBE_HOST_STREAMS_WAKE_CRYPTO_H_
#define SCRIBE_HOST_STREAMS_WAKE_CRYPTO_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "host/common/status.h"

namespace scribe::streams {

// RFC 4648 §5 base64url, without padding.
std::string Base64Url(std::string_view bytes);
// The bytes of base64url text (padding optional); InvalidArgument otherwise.
Result<std::string> FromBase64Url(std::string_view text);
// `n` bytes from the kernel's random source.
std::string RandomBytes(size_t n);

class WebhookSigner {
 public:
  // From a 32-byte Ed25519 seed.
  static Result<std::unique_ptr<WebhookSigner>> FromSeed(const std::string& seed);
  ~WebhookSigner();

  // "ds_" + the RFC 7638 thumbprint of the public key.
  const std::string& kid() const { return kid_; }
  // {"keys": [the public key as an OKP JWK]}.
  nlohmann::json Jwks() const;
  // The Webhook-Signature header for `body` sent at `unix_seconds`:
  // "t=<unix_seconds>,kid=<kid>,ed25519=<base64url signature of 't.body'>".
  std::string Sign(std::string_view body, int64_t unix_seconds) const;

 private:
  WebhookSigner() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  std::string public_x_;  // base64url of the raw public key
  std::string kid_;
};

// Wake tokens: base64url(JSON {sub, gen, exp, jti}) "." base64url(HMAC).
class WakeTokens {
 public:
  explicit WakeTokens(std::string key) : key_(std::move(key)) {}

  std::string Issue(const std::string& subject, int64_t generation, int64_t now_seconds,
                    int64_t ttl_seconds) const;
  // The generation a valid, unexpired token of `subject` was issued for;
  // Unauthenticated "TOKEN_INVALID" or "TOKEN_EXPIRED" otherwise.
  Result<int64_t> Verify(std::string_view token, const std::string& subject,
                         int64_t now_seconds) const;

 private:
  std::string Mac(std::string_view payload) const;
  std::string key_;
};

}  // namespace scribe::streams

#endif  // SCRIBE_HOST_STREAMS_WAKE_CRYPTO_H_
