// The JSON a job turns into: the request a plugin receives (provider ABI
// scribe_generation.request_json), usage objects, and checks of the parts of
// a submission that name providers.
#ifndef SCRIBE_HOST_JOBS_REQUEST_JSON_H_
#define SCRIBE_HOST_JOBS_REQUEST_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

#include "host/common/status.h"
#include "host/plugin/registry.h"
#include "host/store/types.h"

namespace scribe::jobs {

// {"job_id","model","prompt","document":{"title","content"},"temperature",
//  "max_output_tokens","params"} for `spec` with the document text `input`.
std::string BuildRequestJson(const store::JobSpec& spec, const std::string& input,
                             const std::string& job_id = "");

// The provider's default model, from its self-description ("" if none).
std::string DefaultModel(const plugin::Provider& provider);

// InvalidArgument("unknown_provider") listing the providers that are loaded.
Status UnknownProvider(const plugin::Registry& registry, const std::string& name);

// Checks a fallback chain: a JSON array of {"provider", "model"?} objects
// naming loaded providers.
Status CheckFallback(const plugin::Registry& registry, const std::string& fallback_json);

nlohmann::json UsageJson(const store::Usage& usage);

}  // namespace scribe::jobs

#endif  // SCRIBE_HOST_JOBS_REQUEST_JSON_H_
