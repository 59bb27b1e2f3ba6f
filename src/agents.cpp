// Tool-call arguments, structured outputs, and the warning for vLLM's removed guided_* keys.
#include "babyapi/agents.hpp"

#include <string>

#include "agents_detail.hpp"
#include "babyapi/chat.hpp"
#include "client_core.hpp"
#include "error_mapper.hpp"
#include "sse/chunk_fields.hpp"
#include "util/log.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

// What an error shows of a model's text: enough to see what went wrong, never megabytes.
constexpr std::size_t kShownBytes = 500;

std::string shown(std::string_view text) {
  return detail::redact_bounded(text, detail::ErrorContext{}, kShownBytes);
}

std::string tool_label(const Json& tool_call) {
  std::string name = "(unnamed)";
  std::string id;
  if (tool_call.is_object()) {
    const auto function = tool_call.find("function");
    if (function != tool_call.end()) {
      if (const std::string* value = detail::string_member(*function, "name")) name = *value;
    }
    if (const std::string* value = detail::string_member(tool_call, "id")) id = *value;
  }
  std::string label = "`" + detail::json_value_text(name, detail::kMaxErrorFieldBytes) + "`";
  if (!id.empty())
    label += " (id " + detail::json_value_text(id, detail::kMaxErrorFieldBytes) + ")";
  return label;
}

ErrorDetails details_of(const Response& response, std::string body) {
  ErrorDetails details;
  details.status = response.status();
  details.request_id = response.request_id();
  details.headers = response.headers();
  details.body = std::move(body);
  return details;
}

bool is_schema_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

BABYAPI_NAMESPACE_END

namespace babyapi::detail {

Json tool_arguments(const Json& tool_call) {
  const Json* function = nullptr;
  if (tool_call.is_object()) {
    const auto found = tool_call.find("function");
    if (found != tool_call.end() && found->is_object()) function = &*found;
  }
  if (function == nullptr) {
    throw BabyAPIError("Not a tool call (no function object): " +
                       json_value_text(tool_call, kShownBytes));
  }
  const auto arguments = function->find("arguments");
  if (arguments == function->end() || arguments->is_null()) {
    throw BabyAPIError("Tool call " + tool_label(tool_call) + " has no arguments");
  }
  if (!arguments->is_string()) return *arguments;  // a server that sent the object itself
  const std::string& text = arguments->get_ref<const std::string&>();
  // An empty text is how some servers say "no arguments" for a tool without parameters.
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    throw BabyAPIError("The arguments of tool call " + tool_label(tool_call) +
                       " are not valid JSON: " + shown(text));
  }
  return parsed;
}

void throw_unfit_arguments(const Json& tool_call, const Json& arguments, const char* why) {
  throw BabyAPIError("The arguments of tool call " + tool_label(tool_call) +
                     " do not fit the type asked for (" + why +
                     "): " + json_value_text(arguments, kShownBytes));
}

Json structured_content(const Response& response) {
  const std::string content = response.content();
  Json value = Json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    throw BabyAPIError("The structured answer is not JSON: " + shown(content),
                       details_of(response, shown(content)));
  }
  return value;
}

void throw_invalid_structured(const Response& response, const char* why) {
  const std::string content = response.content();
  throw BabyAPIError(std::string("The structured answer does not fit the type asked for (") + why +
                         "): " + shown(content),
                     details_of(response, shown(content)));
}

void warn_removed_guided_keys(const CorePtr& core, const Json& params) {
  if (!params.is_object() || !core->logs(LogLevel::kWarn)) return;
  for (const char* key : {"guided_json", "guided_regex", "guided_choice", "guided_grammar"}) {
    if (params.contains(key)) {
      core->log(LogLevel::kWarn,
                std::string("the request carries \"") + key +
                    "\", which current vLLM ignores (it answers 200 without applying it); use "
                    "\"structured_outputs\" or \"response_format\" (chat.completions.parse)");
    }
  }
}

}  // namespace babyapi::detail

BABYAPI_NAMESPACE_BEGIN

Json StructuredParsing::tool_arguments(const Json& tool_call) {
  return detail::tool_arguments(tool_call);
}
void StructuredParsing::throw_unfit_arguments(const Json& tool_call, const Json& arguments,
                                              const char* why) {
  detail::throw_unfit_arguments(tool_call, arguments, why);
}
Json StructuredParsing::structured_content(const Response& response) {
  return detail::structured_content(response);
}
void StructuredParsing::throw_invalid_structured(const Response& response, const char* why) {
  detail::throw_invalid_structured(response, why);
}

Response ChatCompletions::create_structured(const Json& params, const Json& schema,
                                            const RequestOptions& request_options) const {
  if (!params.is_object()) throw BabyAPIError("chat.completions.parse: params must be an object");
  if (!schema.is_object()) {
    throw BabyAPIError("chat.completions.parse: the schema must be a JSON Schema object");
  }
  if (params.contains("response_format")) {
    throw BabyAPIError(
        "chat.completions.parse sets response_format from the schema; remove it from params");
  }
  const std::string* title = detail::string_member(schema, "title");
  Json body = params;
  body["response_format"] = {
      {"type", "json_schema"},
      {"json_schema",
       {{"name", title != nullptr && is_schema_name(*title) ? *title : std::string("response")},
        {"schema", schema},
        {"strict", true}}},
  };
  Response response = create(body, request_options);
  const std::optional<std::string> reason = response.finish_reason();
  if (reason == "length") {
    throw LengthFinishReasonError(
        "The structured answer was cut short (finish_reason \"length\": max_tokens ran out before "
        "the JSON was complete); raise max_tokens",
        details_of(response, shown(response.content())));
  }
  if (reason == "content_filter") {
    throw ContentFilterFinishReasonError(
        "The structured answer was withheld by a content filter (finish_reason "
        "\"content_filter\")",
        details_of(response, shown(response.content())));
  }
  return response;
}

BABYAPI_NAMESPACE_END
