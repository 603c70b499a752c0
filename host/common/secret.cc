#include "host/common/secret.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <sys/random.h>

#include <cstdlib>

namespace scribe {

std::string NewApiKeySecret() {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string secret = "sk_scribe_";
  while (secret.size() < 42) {
    unsigned char bytes[64];
    ssize_t n = getrandom(bytes, sizeof bytes, 0);
    if (n <= 0) std::abort();  // the kernel's random source never fails on Linux >= 3.17
    for (ssize_t i = 0; i < n && secret.size() < 42; ++i) {
      if (bytes[i] < 248) secret.push_back(kAlphabet[bytes[i] % 62]);  // 248 = 4 * 62: unbiased
    }
  }
  return secret;
}

std::string Sha256Hex(std::string_view text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text.data(), static_cast<unsigned>(text.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace scribe
