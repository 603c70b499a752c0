#include "host/http/codec.h"

#include <charconv>
#include <set>

#include "host/common/clock.h"
#include "host/jobs/request_json.h"

namespace scribe::http {
namespace {

nlohmann::json Time(const std::optional<int64_t>& millis) {
  return millis ? nlohmann::json(FormatRfc3339(*millis)) : nlohmann::json(nullptr);
}

nlohmann::json ErrorJson(const std::optional<store::JobError>& error) {
  if (!error) return nullptr;
  return {{"code", error->code},
          {"message", error->message},
          {"detail", error->detail},
          {"retryable", error->retryable}};
}

nlohmann::json ParseOr(const std::string& text, nlohmann::json fallback) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() ? fallback : value;
}

nlohmann::json NullIfEmpty(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

nlohmann::json DocumentJson(const store::Document& document, bool with_content) {
  nlohmann::json json = {{"id", document.id},
                         {"title", document.title},
                         {"bytes", document.bytes},
                         {"created_at", FormatRfc3339(document.created_ms)}};
  if (with_content) json["content"] = document.content;
  return json;
}

nlohmann::json JobJson(const store::Job& job) {
  const std::string base = "/api/jobs/" + job.id;
  return {
      {"id", job.id},
      {"state", store::ToString(job.state)},
      {"provider", job.spec.provider},
      {"model", job.spec.model},
      {"model_used", NullIfEmpty(job.model_used)},
      {"document_id", NullIfEmpty(job.spec.document_id)},
      {"title", job.spec.title},
      {"prompt", job.spec.prompt},
      {"temperature", job.spec.temperature ? nlohmann::json(*job.spec.temperature) : nullptr},
      {"max_output_tokens",
       job.spec.max_output_tokens ? nlohmann::json(*job.spec.max_output_tokens) : nullptr},
      {"params", ParseOr(job.spec.params_json, nlohmann::json::object())},
      {"fallback", ParseOr(job.spec.fallback_json, nlohmann::json::array())},
      {"input_bytes", job.input_bytes},
      {"output_bytes", job.output_bytes},
      {"attempts", job.attempts},
      {"error", ErrorJson(job.error)},
      {"usage", jobs::UsageJson(job.usage)},
      {"parent_id", NullIfEmpty(job.spec.parent_id)},
      {"created_at", FormatRfc3339(job.created_ms)},
      {"updated_at", FormatRfc3339(job.updated_ms)},
      {"started_at", Time(job.started_ms)},
      {"finished_at", Time(job.finished_ms)},
      {"links", {{"self", base}, {"events", base + "/events"}, {"output", base + "/output"}}},
  };
}

nlohmann::json JobDetailJson(const store::Job& job, const store::JobHistory& history) {
  nlohmann::json json = JobJson(job);
  nlohmann::json attempts = nlohmann::json::array();
  for (const store::Attempt& a : history.attempts) {
    attempts.push_back({{"number", a.number},
                        {"provider", a.provider},
                        {"model", a.model},
                        {"model_used", NullIfEmpty(a.model_used)},
                        {"state", store::ToString(a.state)},
                        {"start_offset", a.start_offset},
                        {"end_offset", a.end_offset},
                        {"started_at", FormatRfc3339(a.started_ms)},
                        {"finished_at", Time(a.finished_ms)},
                        {"error", ErrorJson(a.error)},
                        {"usage", jobs::UsageJson(a.usage)}});
  }
  nlohmann::json events = nlohmann::json::array();
  for (const store::JobEvent& e : history.events) {
    events.push_back({{"at", FormatRfc3339(e.at_ms)},
                      {"state", store::ToString(e.state)},
                      {"attempt", e.attempt},
                      {"offset", e.offset},
                      {"note", e.note}});
  }
  json["history"] = {{"attempts", attempts}, {"events", events}, {"children", history.children}};
  return json;
}

nlohmann::json ProviderJson(const jobs::ProviderInfo& provider) {
  nlohmann::json description = ParseOr(provider.description_json, nlohmann::json::object());
  if (!description.is_object()) description = nlohmann::json::object();
  nlohmann::json json = {{"name", provider.name}, {"version", provider.version}};
  for (const char* key : {"description", "default_model", "default_prompt", "models",
                          "accepts_any_model", "configured", "configuration_hint"}) {
    json[key] = description.contains(key) ? description[key] : nlohmann::json(nullptr);
  }
  return json;
}

Result<jobs::SubmitRequest> DecodeSubmit(const nlohmann::json& body) {
  static const std::set<std::string> kFields = {
      "document_id", "content",           "title",  "provider", "model", "prompt",
      "temperature", "max_output_tokens", "params", "fallback"};
  for (const auto& [key, value] : body.items()) {
    if (kFields.count(key) == 0) {
      return InvalidArgument("unknown_field", "unknown field '" + key + "' in the job request");
    }
  }
  auto wrong = [](const std::string& field, const char* what) {
    return InvalidArgument("invalid_field", field + " must be " + what);
  };
  jobs::SubmitRequest request;
  auto string_field = [&](const char* name, std::string& out) -> Status {
    if (!body.contains(name) || body[name].is_null()) return Status::Ok();
    if (!body[name].is_string()) return wrong(name, "a string");
    out = body[name].get<std::string>();
    return Status::Ok();
  };
  auto optional_string = [&](const char* name, std::optional<std::string>& out) -> Status {
    if (!body.contains(name) || body[name].is_null()) return Status::Ok();
    if (!body[name].is_string()) return wrong(name, "a string");
    out = body[name].get<std::string>();
    return Status::Ok();
  };
  SCRIBE_RETURN_IF_ERROR(optional_string("document_id", request.document_id));
  SCRIBE_RETURN_IF_ERROR(optional_string("content", request.content));
  SCRIBE_RETURN_IF_ERROR(string_field("title", request.title));
  SCRIBE_RETURN_IF_ERROR(string_field("provider", request.provider));
  SCRIBE_RETURN_IF_ERROR(string_field("model", request.model));
  SCRIBE_RETURN_IF_ERROR(string_field("prompt", request.prompt));
  if (body.contains("temperature") && !body["temperature"].is_null()) {
    if (!body["temperature"].is_number()) return wrong("temperature", "a number");
    request.temperature = body["temperature"].get<double>();
  }
  if (body.contains("max_output_tokens") && !body["max_output_tokens"].is_null()) {
    const nlohmann::json& v = body["max_output_tokens"];
    if (!v.is_number_integer()) return wrong("max_output_tokens", "an integer");
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return wrong("max_output_tokens", "an integer from 1 to 10000000");
    }
    request.max_output_tokens = v.get<int64_t>();
  }
  if (body.contains("params") && !body["params"].is_null()) {
    if (!body["params"].is_object()) return wrong("params", "an object");
    request.params_json = body["params"].dump();
  }
  if (body.contains("fallback") && !body["fallback"].is_null()) {
    if (!body["fallback"].is_array()) return wrong("fallback", "an array of {provider, model}");
    request.fallback_json = body["fallback"].dump();
  }
  return request;
}

Result<int64_t> ParseTimestamp(const std::string& text) {
  int64_t millis = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), millis);
  if (ec == std::errc() && end == text.data() + text.size() && millis >= 0) return millis;
  if (ParseRfc3339(text, millis)) return millis;
  return InvalidArgument(
      "invalid_timestamp",
      "'" + text.substr(0, 40) + "' is neither an RFC 3339 time nor Unix milliseconds");
}

Result<int> ParseLimit(const std::optional<std::string>& text, int default_limit) {
  if (!text) return default_limit;
  int limit = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || end != text->data() + text->size() || limit < 1 || limit > 1000) {
    return InvalidArgument("invalid_limit", "limit must be an integer from 1 to 1000");
  }
  return limit;
}

}  // namespace scribe::http
