// The HTTP API of DESIGN.md §4, registered on a Router. Each handler decodes
// the request, makes one service call and encodes the answer.
#ifndef SCRIBE_HOST_HTTP_ROUTES_H_
#define SCRIBE_HOST_HTTP_ROUTES_H_

#include "host/http/auth.h"
#include "host/http/router.h"
#include "host/jobs/job_service.h"
#include "host/stream/sse_hub.h"

namespace scribe::http {

// Every route of the API, as scribed serves it.
void AddApiRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub,
                  const Authenticator& authenticator);

// The OpenAPI 3.1 document of the API (host/http/api/openapi.json).
extern const char kOpenApiJson[];

void AddDocumentRoutes(Router& router, jobs::JobService& jobs);
void AddJobRoutes(Router& router, jobs::JobService& jobs);
void AddOutputRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub);
void AddSystemRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub);
// The viewer page (web/) at / and /jobs/{id}, with its script and styles.
void AddWebRoutes(Router& router);
// /api/session: the viewer signs in with a key (kept in an HttpOnly cookie).
void AddSessionRoutes(Router& router, const Authenticator& authenticator);
// The original app's script endpoints, on top of jobs (routes_audio.cc).
void AddAudioRoutes(Router& router, jobs::JobService& jobs, stream::SseHub& hub);

// Answers with the job's SSE stream from `offset`, written by the hub after
// `first_events` (already framed); the request thread is free at once.
void StreamToHub(Exchange& ex, stream::SseHub& hub, const store::Job& job, int64_t offset,
                 const std::string& first_events);

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_ROUTES_H_
