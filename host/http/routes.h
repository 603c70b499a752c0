// The HTTP API of DESIGN.md §4, registered on a Router. Each handler decodes
// the request, makes one service call and encodes the answer.
#ifndef SCRIBE_HOST_HTTP_ROUTES_H_
#define SCRIBE_HOST_HTTP_ROUTES_H_

#include "host/http/router.h"
#include "host/jobs/job_service.h"
#include "host/stream/sse_hub.h"

namespace scribe::http {

void AddDocumentRoutes(Router& router, jobs::JobService& jobs);
void AddJobRoutes(Router& router, jobs::JobService& jobs);
void AddOutputRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub);
void AddSystemRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub);

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_ROUTES_H_
