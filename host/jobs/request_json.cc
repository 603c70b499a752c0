#include "host/jobs/request_json.h"

namespace scribe::jobs {

std::string BuildRequestJson(const store::JobSpec& spec, const std::string& input,
                             const std::string& job_id) {
  nlohmann::json request = {
      {"job_id", job_id},
      {"model", spec.model},
      {"prompt", spec.prompt},
      {"document", {{"title", spec.title}, {"content", input}}},
      {"temperature", nullptr},
      {"max_output_tokens", nullptr},
      {"params", nlohmann::json::parse(spec.params_json, nullptr, false)},
  };
  if (spec.temperature) request["temperature"] = *spec.temperature;
  if (spec.max_output_tokens) request["max_output_tokens"] = *spec.max_output_tokens;
  if (request["params"].is_discarded()) request["params"] = nlohmann::json::object();
  return request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DefaultModel(const plugin::Provider& provider) {
  nlohmann::json description = nlohmann::json::parse(provider.Describe(), nullptr, false);
  if (!description.is_object()) return "";
  const auto it = description.find("default_model");
  return it != description.end() && it->is_string() ? it->get<std::string>() : "";
}

Status UnknownProvider(const plugin::Registry& registry, const std::string& name) {
  std::string loaded;
  for (const auto& provider : registry.All()) {
    loaded += (loaded.empty() ? "" : ", ") + provider->name();
  }
  return InvalidArgument("unknown_provider", "unknown provider '" + name + "' (loaded: " +
                                                 (loaded.empty() ? "none" : loaded) + ")");
}

Status CheckFallback(const plugin::Registry& registry, const std::string& fallback_json) {
  nlohmann::json chain = nlohmann::json::parse(fallback_json, nullptr, false);
  if (!chain.is_array()) {
    return InvalidArgument("invalid_fallback", "fallback must be an array of {provider, model}");
  }
  for (const nlohmann::json& entry : chain) {
    if (!entry.is_object() || !entry.contains("provider") || !entry["provider"].is_string() ||
        (entry.contains("model") && !entry["model"].is_string())) {
      return InvalidArgument("invalid_fallback",
                             "each fallback entry is {\"provider\": name, \"model\": id}");
    }
    std::string name = entry["provider"].get<std::string>();
    if (!registry.Find(name)) return UnknownProvider(registry, name);
  }
  return Status::Ok();
}

nlohmann::json UsageJson(const store::Usage& usage) {
  return {{"input_tokens", usage.input_tokens},
          {"output_tokens", usage.output_tokens},
          {"thinking_tokens", usage.thinking_tokens}};
}

}  // namespace scribe::jobs
