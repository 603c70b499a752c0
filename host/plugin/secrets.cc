#include "host/plugin/secrets.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

namespace scribe::plugin {
namespace {

constexpr size_t kShortest = 6;

struct Remembered {
  std::mutex mu;
  std::set<std::string> values;  // guarded by mu
};

Remembered& Secrets() {
  static Remembered* remembered = new Remembered;  // never destroyed: used until exit
  return *remembered;
}

}  // namespace

bool IsSecretSetting(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const char* word : {"KEY", "TOKEN", "SECRET", "PASSWORD"}) {
    if (upper.find(word) != std::string::npos) return true;
  }
  return false;
}

void RememberSecret(const std::string& value) {
  if (value.size() < kShortest) return;
  std::lock_guard<std::mutex> lock(Secrets().mu);
  Secrets().values.insert(value);
}

std::string Redact(std::string_view text) {
  std::string out(text);
  std::lock_guard<std::mutex> lock(Secrets().mu);
  for (const std::string& secret : Secrets().values) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), "[redacted]");
      at += 10;
    }
  }
  return out;
}

}  // namespace scribe::plugin
