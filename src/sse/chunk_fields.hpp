// Reading the fields of an OpenAI-style chunk or answer that SSEEvent, Response and the stream
// accumulator share, so that all of them number choices and spell fields the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "babyapi/json.hpp"

namespace babyapi::detail {

// The choice number of one element of `choices`: its `index` when that is a non-negative integer
// ("-0" counts as 0), else nullopt (the caller then numbers it by its position in the array).
std::optional<std::size_t> choice_index(const Json& element) noexcept;

// The element of document["choices"] numbered `choice` (the first when several are); nullptr
// when there is none or the document has no choices array. Non-objects are never choices.
const Json* find_choice(const Json& document, std::size_t choice) noexcept;

// The string at object[key]; nullptr when absent or not a string.
const std::string* string_member(const Json& object, const char* key) noexcept;

// The reasoning text of a delta or message: `reasoning` (vLLM since #27752), else the legacy
// `reasoning_content`; nullptr when neither is a string.
const std::string* reasoning_member(const Json& object) noexcept;

}  // namespace babyapi::detail
