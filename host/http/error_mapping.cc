#include "host/http/error_mapping.h"

namespace scribe::http {

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kGone:
      return 410;
    case Code::kMethodNotAllowed:
      return 405;
    case Code::kConflict:
      return 409;
    case Code::kPayloadTooLarge:
      return 413;
    case Code::kUriTooLong:
      return 414;
    case Code::kHeadTooLarge:
      return 431;
    case Code::kDeadlineExceeded:
      return 408;
    case Code::kUnsupportedMedia:
      return 415;
    case Code::kOutOfRange:
      return 416;
    case Code::kResourceExhausted:
      return 429;
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

nlohmann::json ErrorBody(const Status& status) {
  return {{"error", {{"code", status.reason()}, {"message", status.message()}}}};
}

}  // namespace scribe::http
