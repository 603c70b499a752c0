// The HTTP API of DESIGN.md §4, registered on a Router. Each handler decodes
// the request, makes one service call and encodes the answer.
#ifndef SCRIBE_HOST_HTTP_ROUTES_H_
#define SCRIBE_HOST_HTTP_ROUTES_H_

#include "host/http/auth.h"
#include "host/http/router.h"
#include "host/jobs/job_service.h"
#include "host/stream/sse_hub.h"
#include "host/streams/stream_service.h"
#include "host/streams/subscriptions.h"

namespace scribe::http {

// Every route of the API, as scribed serves it.
void AddApiRoutes(Router& router, jobs::JobService& jobs, streams::StreamService& streams,
                  streams::SubscriptionService& subscriptions, stream::SseHub& hub,
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

// The Durable Streams protocol under /v1/stream/, and each job's output as a
// read-only stream at /api/jobs/{id}/stream (routes_streams.cc).
void AddStreamRoutes(Router& router, jobs::JobService& jobs, streams::StreamService& streams,
                     stream::SseHub& hub);
// The protocol's reserved subscription APIs under /v1/stream/__ds/
// (routes_subscriptions.cc); before AddStreamRoutes.
void AddSubscriptionRoutes(Router& router, streams::SubscriptionService& subscriptions);

// The header lines the server, router and handler set on the response so
// far (Date, Server, CORS...), but for those named in `except`: for a
// response the hub will write.
std::string HeadFields(Exchange& ex, const std::vector<std::string>& except);

// Answers with an SSE stream of the log `key` (a job's id or a stream's
// path) from `offset`: a 200 head with `fields` (CRLF-ended header lines) and
// the headers already set on the response, then `first_events`, then what
// the hub writes. The request thread is free at once.
void HandToHub(Exchange& ex, stream::SseHub& hub, const std::string& key, const std::string& fields,
               int64_t offset, stream::JobView view,
               std::optional<stream::DurableFraming> durable = std::nullopt,
               const std::string& first_events = "");

// Answers with the job's SSE stream from `offset`, written by the hub after
// `first_events` (already framed); the request thread is free at once.
void StreamToHub(Exchange& ex, stream::SseHub& hub, const store::Job& job, int64_t offset,
                 const std::string& first_events);

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_ROUTES_H_
