#include "babyapi/baby.hpp"

#include "babyapi/errors.hpp"
#include "client_core.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

// camelCase spellings the Python SDK accepts, and the snake_case name sent for each.
constexpr std::pair<const char*, const char*> kAliases[] = {
    {"maxTokens", "max_tokens"},
    {"topP", "top_p"},
    {"topK", "top_k"},
    {"presencePenalty", "presence_penalty"},
    {"frequencyPenalty", "frequency_penalty"},
};

const char* canonical_name(const std::string& key) {
  for (const auto& [alias, name] : kAliases) {
    if (key == alias) return name;
  }
  return nullptr;
}

// Copies source's members into body in snake_case: aliases first, so that when both spellings are
// present the snake_case one wins.
void merge_options(const Json& source, Json& body) {
  for (const auto& [key, value] : source.items()) {
    if (const char* name = canonical_name(key)) body[name] = value;
  }
  for (const auto& [key, value] : source.items()) {
    if (key != "options" && canonical_name(key) == nullptr) body[key] = value;
  }
}

}  // namespace

Json normalize_infer_params(const Json& params, const std::string& default_model) {
  if (!params.is_object()) {
    throw BabyAPIError("baby.infer: params must be a JSON object (or pass the prompt as a string)");
  }
  Json body = Json::object();
  if (params.contains("options")) {
    const Json& options = params["options"];
    if (!options.is_object() && !options.is_null()) {
      throw BabyAPIError("baby.infer: \"options\" must be a JSON object");
    }
    if (options.is_object()) merge_options(options, body);  // top-level values below win
  }
  merge_options(params, body);

  if (!body.contains("prompt") || !body["prompt"].is_string()) {
    throw BabyAPIError("baby.infer: a \"prompt\" string is required");
  }
  const Json& model = body.contains("model") ? body["model"] : Json();
  if (model.is_null() || (model.is_string() && model.get_ref<const std::string&>().empty())) {
    if (default_model.empty()) {
      throw BabyAPIError(
          "baby.infer: no model given and no default model set (ClientOptions::"
          "default_model or BABYAPI_DEFAULT_MODEL)");
    }
    body["model"] = default_model;
  }
  return body;
}

Response Baby::infer(const Json& params, const RequestOptions& request_options) const {
  const Json body = normalize_infer_params(params, core_->options().default_model);
  return core_->request("POST", "/infer", &body, request_options);
}

Response Baby::infer(std::string_view prompt, const RequestOptions& request_options) const {
  return infer(Json{{"prompt", std::string(prompt)}}, request_options);
}

Future<Response> Baby::infer_async(const Json& params,
                                   const RequestOptions& request_options) const {
  const Json body = normalize_infer_params(params, core_->options().default_model);
  return core_->request_async("POST", "/infer", &body, request_options);
}

Future<Response> Baby::infer_async(std::string_view prompt,
                                   const RequestOptions& request_options) const {
  return infer_async(Json{{"prompt", std::string(prompt)}}, request_options);
}

BABYAPI_NAMESPACE_END
