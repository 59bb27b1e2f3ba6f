#include "sse/chunk_fields.hpp"

#include <cstdint>
#include <limits>

namespace babyapi::detail {

std::optional<std::size_t> choice_index(const Json& element) noexcept {
  const auto index = element.find("index");
  if (index == element.end()) return std::nullopt;
  if (index->is_number_unsigned()) {
    const auto value = index->get<std::uint64_t>();
    if (value > std::numeric_limits<std::size_t>::max()) return std::nullopt;
    return static_cast<std::size_t>(value);
  }
  if (index->is_number_integer() && index->get<std::int64_t>() == 0) return 0;  // "-0"
  return std::nullopt;
}

const Json* find_choice(const Json& document, std::size_t choice) noexcept {
  if (!document.is_object()) return nullptr;
  const auto choices = document.find("choices");
  if (choices == document.end() || !choices->is_array()) return nullptr;
  std::size_t position = 0;
  for (const Json& element : *choices) {
    if (element.is_object() && choice_index(element).value_or(position) == choice) return &element;
    ++position;
  }
  return nullptr;
}

const std::string* string_member(const Json& object, const char* key) noexcept {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return nullptr;
  return found->get_ptr<const std::string*>();
}

const std::string* reasoning_member(const Json& object) noexcept {
  const std::string* reasoning = string_member(object, "reasoning");
  return reasoning != nullptr ? reasoning : string_member(object, "reasoning_content");
}

}  // namespace babyapi::detail
