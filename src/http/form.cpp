#include "http/form.hpp"

#include "babyapi/errors.hpp"

namespace babyapi::detail {
namespace {

std::string field_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();  // numbers as JSON writes them; objects and nested lists as JSON text
}

void add_field(Form& form, std::string name, const Json& value) {
  FormPart part;
  part.name = std::move(name);
  part.value = field_text(value);
  form.push_back(std::move(part));
}

}  // namespace

void append_option_fields(Form& form, const Json& options, std::string_view prefix) {
  if (options.is_null()) return;
  if (!options.is_object()) throw BabyAPIError("Form options must be a JSON object");
  for (const auto& [key, value] : options.items()) {
    const std::string name = std::string(prefix) + key;
    if (value.is_null()) continue;
    if (value.is_array()) {
      for (const Json& element : value) {
        if (!element.is_null()) add_field(form, name, element);
      }
    } else {
      add_field(form, name, value);
    }
  }
}

}  // namespace babyapi::detail
