#include "host/streams/wake_crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/random.h>

#include <cstdlib>

#include "host/stream/durable.h"

namespace scribe::streams {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

Status TokenInvalid() { return Status(Code::kUnauthenticated, "TOKEN_INVALID", "Token invalid"); }

}  // namespace

std::string Base64Url(std::string_view bytes) {
  std::string text = stream::Base64(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

Result<std::string> FromBase64Url(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const char* at = std::char_traits<char>::find(kAlphabet, 64, c);
    if (at == nullptr) return InvalidArgument("invalid_base64url", "not base64url text");
    bits = (bits << 6) | static_cast<uint32_t>(at - kAlphabet);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  if (count >= 6) return InvalidArgument("invalid_base64url", "base64url text of a wrong length");
  return out;
}

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  size_t filled = 0;
  while (filled < n) {
    ssize_t got = getrandom(bytes.data() + filled, n - filled, 0);
    if (got <= 0) std::abort();  // the kernel's random source never fails on Linux >= 3.17
    filled += static_cast<size_t>(got);
  }
  return bytes;
}

// ---- WebhookSigner

struct WebhookSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

WebhookSigner::~WebhookSigner() = default;

Result<std::unique_ptr<WebhookSigner>> WebhookSigner::FromSeed(const std::string& seed) {
  if (seed.size() != 32) return Internal("an Ed25519 seed has 32 bytes");
  std::unique_ptr<WebhookSigner> signer(new WebhookSigner());
  signer->key_ = std::make_unique<Key>();
  signer->key_->pkey = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  unsigned char raw[32];
  size_t raw_size = sizeof raw;
  if (signer->key_->pkey == nullptr ||
      EVP_PKEY_get_raw_public_key(signer->key_->pkey, raw, &raw_size) != 1 || raw_size != 32) {
    return Internal("the webhook signing key could not be made");
  }
  signer->public_x_ = Base64Url(std::string_view(reinterpret_cast<const char*>(raw), raw_size));
  // RFC 7638: the hash of the required members, in lexical order, no spaces.
  const std::string thumbprint =
      R"({"crv":"Ed25519","kty":"OKP","x":")" + signer->public_x_ + R"("})";
  signer->kid_ = "ds_" + Base64Url(Sha256(thumbprint));
  return signer;
}

nlohmann::json WebhookSigner::Jwks() const {
  return {{"keys", nlohmann::json::array({{{"kty", "OKP"},
                                           {"crv", "Ed25519"},
                                           {"x", public_x_},
                                           {"kid", kid_},
                                           {"use", "sig"},
                                           {"alg", "EdDSA"}}})}};
}

std::string WebhookSigner::Sign(std::string_view body, int64_t unix_seconds) const {
  const std::string timestamp = std::to_string(unix_seconds);
  std::string message = timestamp + "." + std::string(body);
  unsigned char signature[64];
  size_t signature_size = sizeof signature;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool signed_ok =
      ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_->pkey) == 1 &&
      EVP_DigestSign(ctx, signature, &signature_size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!signed_ok) std::abort();  // Ed25519 signing of a valid key cannot fail but for memory
  return "t=" + timestamp + ",kid=" + kid_ + ",ed25519=" +
         Base64Url(std::string_view(reinterpret_cast<const char*>(signature), signature_size));
}

// ---- WakeTokens

std::string WakeTokens::Mac(std::string_view payload) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &mac_size);
  return Base64Url(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

std::string WakeTokens::Issue(const std::string& subject, int64_t generation, int64_t now_seconds,
                              int64_t ttl_seconds) const {
  nlohmann::json claims = {{"sub", subject},
                           {"gen", generation},
                           {"exp", now_seconds + ttl_seconds},
                           {"jti", Base64Url(RandomBytes(9))}};
  std::string payload = Base64Url(claims.dump());
  return payload + "." + Mac(payload);
}

Result<int64_t> WakeTokens::Verify(std::string_view token, const std::string& subject,
                                   int64_t now_seconds) const {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return TokenInvalid();
  std::string_view payload = token.substr(0, dot);
  std::string_view mac = token.substr(dot + 1);
  std::string expected = Mac(payload);
  if (mac.size() != expected.size() || CRYPTO_memcmp(mac.data(), expected.data(), mac.size()) != 0)
    return TokenInvalid();
  Result<std::string> json = FromBase64Url(payload);
  if (!json.ok()) return TokenInvalid();
  nlohmann::json claims = nlohmann::json::parse(*json, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object() || !claims.contains("sub") || claims["sub"] != subject ||
      !claims.contains("gen") || !claims["gen"].is_number_integer() || !claims.contains("exp") ||
      !claims["exp"].is_number_integer()) {
    return TokenInvalid();
  }
  if (now_seconds > claims["exp"].get<int64_t>()) {
    return Status(Code::kUnauthenticated, "TOKEN_EXPIRED", "Token expired");
  }
  return claims["gen"].get<int64_t>();
}

}  // namespace scribe::streams
