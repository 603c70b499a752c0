// Status and Result<T>: how every Scribe layer reports failure.
//
// A Status carries a small closed set of Codes (what kind of failure, which
// the HTTP layer maps to a status code in exactly one place,
// host/http/error_mapping.cc), a stable machine-readable reason such as
// "invalid_offset" (what the client sees as error.code), and a human message.
// Exceptions from Poco, nlohmann and Boost are caught by the layer that calls
// them and turned into a Status; none crosses a layer boundary.
//
// Thread safety: values; safe to copy between threads.
#ifndef SCRIBE_HOST_COMMON_STATUS_H_
#define SCRIBE_HOST_COMMON_STATUS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace scribe {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // the request is malformed or names something invalid
  kUnauthenticated,    // no valid API key where one is required
  kPermissionDenied,   // a valid key that may not do this (an admin route)
  kNotFound,           // the named job, document or route does not exist
  kGone,               // it existed and was deleted or expired, and its name stays taken
  kConflict,           // the request is valid but not in the resource's state
  kOutOfRange,         // an offset past the end of a finished log
  kPayloadTooLarge,    // a body over the configured limit
  kUriTooLong,         // a request line over the parser's limit
  kHeadTooLarge,       // header fields over the parser's limits
  kDeadlineExceeded,   // a request that did not arrive in the time allowed
  kMethodNotAllowed,   // the route exists but not with this method
  kUnsupportedMedia,   // a body of a content type the route does not take
  kResourceExhausted,  // over a limit (submissions per minute, viewers); try later
  kUnavailable,        // the host cannot do it now (storage, shutdown)
  kInternal,           // a bug or an unexpected failure
};

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string reason, std::string message)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // Stable snake_case identifier, e.g. "job_not_found"; empty when ok().
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;
  // When to try again (kResourceExhausted); 0: not said.
  int64_t retry_after_ms() const { return retry_after_ms_; }
  Status& set_retry_after_ms(int64_t ms) {
    retry_after_ms_ = ms;
    return *this;
  }

 private:
  Code code_ = Code::kOk;
  int64_t retry_after_ms_ = 0;
  std::string reason_;
  std::string message_;
};

inline Status InvalidArgument(std::string reason, std::string message) {
  return Status(Code::kInvalidArgument, std::move(reason), std::move(message));
}
inline Status Unauthenticated(std::string message) {
  return Status(Code::kUnauthenticated, "unauthorized", std::move(message));
}
inline Status PermissionDenied(std::string message) {
  return Status(Code::kPermissionDenied, "forbidden", std::move(message));
}
inline Status NotFound(std::string reason, std::string message) {
  return Status(Code::kNotFound, std::move(reason), std::move(message));
}
inline Status Gone(std::string reason, std::string message) {
  return Status(Code::kGone, std::move(reason), std::move(message));
}
inline Status Conflict(std::string reason, std::string message) {
  return Status(Code::kConflict, std::move(reason), std::move(message));
}
inline Status Unavailable(std::string reason, std::string message) {
  return Status(Code::kUnavailable, std::move(reason), std::move(message));
}
inline Status ResourceExhausted(std::string reason, std::string message, int64_t retry_after_ms) {
  return Status(Code::kResourceExhausted, std::move(reason), std::move(message))
      .set_retry_after_ms(retry_after_ms);
}
inline Status Internal(std::string message) {
  return Status(Code::kInternal, "internal", std::move(message));
}

// Either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace scribe

// Returns early from the enclosing function when `expr` is not OK.
#define SCRIBE_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::scribe::Status scribe_status_ = (expr);        \
    if (!scribe_status_.ok()) return scribe_status_; \
  } while (0)

#endif  // SCRIBE_HOST_COMMON_STATUS_H_
