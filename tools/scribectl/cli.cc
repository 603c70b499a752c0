#include "tools/scribectl/cli.h"

#include <charconv>
#include <iostream>

#include "host/common/clock.h"

namespace scribe::ctl {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return kExitOk;
    case Code::kInvalidArgument:
    case Code::kOutOfRange:
    case Code::kPayloadTooLarge:
    case Code::kUriTooLong:
    case Code::kHeadTooLarge:
    case Code::kUnsupportedMedia:
    case Code::kMethodNotAllowed:
      return kExitUsage;
    case Code::kUnauthenticated:
    case Code::kPermissionDenied:
      return kExitDenied;
    case Code::kNotFound:
    case Code::kGone:
      return kExitNotFound;
    case Code::kConflict:
      return kExitConflict;
    case Code::kResourceExhausted:
    case Code::kDeadlineExceeded:
    case Code::kUnavailable:
      return kExitUnavailable;
    case Code::kInternal:
      return kExitError;
  }
  return kExitError;
}

int Fail(const Status& status) {
  std::cerr << "scribectl: " << status.message() << '\n';
  return ExitCodeFor(status);
}

Status UsageError(const std::string& message) {
  return InvalidArgument("usage", message + " (see scribectl --help)");
}

Result<Args> Args::Parse(const std::vector<std::string>& words,
                         const std::vector<OptionSpec>& specs) {
  auto find = [&specs](const std::string& word) -> const OptionSpec* {
    for (const OptionSpec& spec : specs) {
      if (word == "--" + spec.name) return &spec;
      if (spec.short_name && word == std::string{'-', spec.short_name}) return &spec;
    }
    return nullptr;
  };
  Args args;
  bool only_positional = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (only_positional || word == "-" || word.empty() || word[0] != '-') {
      args.positional_.push_back(word);
      continue;
    }
    if (word == "--") {
      only_positional = true;
      continue;
    }
    std::string name = word;
    std::optional<std::string> inline_value;
    if (size_t eq = word.find('='); word.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = word.substr(0, eq);
      inline_value = word.substr(eq + 1);
    }
    const OptionSpec* spec = find(name);
    if (spec == nullptr) return UsageError("unknown option " + name);
    if (!spec->takes_value) {
      if (inline_value) return UsageError(name + " takes no value");
      args.values_[spec->name].push_back("");
      continue;
    }
    if (inline_value) {
      args.values_[spec->name].push_back(*inline_value);
    } else if (i + 1 < words.size()) {
      args.values_[spec->name].push_back(words[++i]);
    } else {
      return UsageError(name + " needs a value");
    }
  }
  return args;
}

std::optional<std::string> Args::Value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::Values(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Result<int64_t> ParseDuration(const std::string& text) {
  int64_t count = 0;
  const char* end = text.data() + text.size();
  auto [unit, error] = std::from_chars(text.data(), end, count);
  std::string suffix(unit, end);
  static const std::map<std::string, int64_t> kUnits = {{"ms", 1},         {"s", 1000},
                                                        {"m", 60'000},     {"h", 3'600'000},
                                                        {"d", 86'400'000}, {"w", 7 * 86'400'000LL}};
  auto it = kUnits.find(suffix);
  if (error != std::errc() || count < 0 || it == kUnits.end() || count > INT64_MAX / it->second) {
    return UsageError("'" + text + "' is not a duration like 45s, 30m, 12h, 30d or 2w");
  }
  return count * it->second;
}

Result<int64_t> ParseSince(const std::string& text, int64_t now_ms) {
  int64_t millis = 0;
  if (ParseRfc3339(text, millis)) return millis;
  Result<int64_t> ago = ParseDuration(text);
  if (!ago.ok()) {
    return UsageError("'" + text +
                      "' is neither an RFC 3339 time (2026-01-31T12:00:00Z) nor a duration (2h)");
  }
  return now_ms - *ago;
}

}  // namespace scribe::ctl
