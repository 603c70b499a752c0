#include "host/common/status.h"

namespace scribe {

std::string Status::ToString() const {
  if (ok()) return "ok";
  return reason_ + ": " + message_;
}

}  // namespace scribe
