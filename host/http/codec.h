// JSON encoding of Scribe's values for the HTTP API, and decoding of request
// bodies into service requests. Field names here are the API's contract.
#ifndef SCRIBE_HOST_HTTP_CODEC_H_
#define SCRIBE_HOST_HTTP_CODEC_H_

#include <nlohmann/json.hpp>

#include "host/common/status.h"
#include "host/jobs/job_service.h"
#include "host/store/types.h"

namespace scribe::http {

nlohmann::json DocumentJson(const store::Document& document, bool with_content);
nlohmann::json JobJson(const store::Job& job);
// JobJson plus "history": attempts, state events and child jobs.
nlohmann::json JobDetailJson(const store::Job& job, const store::JobHistory& history);
nlohmann::json ProviderJson(const jobs::ProviderInfo& provider);

// Decodes POST /api/jobs; unknown fields and wrong types are 400s.
Result<jobs::SubmitRequest> DecodeSubmit(const nlohmann::json& body);

// Parses ?since= as RFC 3339 or as Unix milliseconds.
Result<int64_t> ParseTimestamp(const std::string& text);
// Parses ?limit= (1..1000).
Result<int> ParseLimit(const std::optional<std::string>& text, int default_limit);

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_CODEC_H_
