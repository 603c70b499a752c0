// The one place where a Status becomes an HTTP status code and the JSON
// error body {"error":{"code","message"}} every client sees.
#ifndef SCRIBE_HOST_HTTP_ERROR_MAPPING_H_
#define SCRIBE_HOST_HTTP_ERROR_MAPPING_H_

#include <nlohmann/json.hpp>

#include "host/common/status.h"

namespace scribe::http {

int HttpStatusFor(const Status& status);
nlohmann::json ErrorBody(const Status& status);

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_ERROR_MAPPING_H_
