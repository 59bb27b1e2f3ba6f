// Pulls the streamed text out of an OpenAI-style chunk without building a JSON tree.
// SSEEvent::text() runs on every event of a stream, and a full nlohmann parse would cap a stream
// near 40 MB/s.
#pragma once

#include <string>
#include <string_view>

#include "babyapi/json.hpp"

namespace babyapi::detail {

enum class ChoiceTextScan {
  kFound,     // `out` holds the text
  kAbsent,    // JSON that nlohmann would accept, with a string at neither place
  kFallback,  // not JSON, or outside what the scanner vouches for (huge numbers, deep nesting,
              // a NUL ending the text): only nlohmann can tell
};

// Validates `json` in one pass exactly as nlohmann::json::parse would judge it (RFC 8259 strings
// with UTF-8 and surrogate checks, a leading BOM, the last of duplicate keys wins) and finds the
// string at choices[0].delta.content, else at choices[0].text, decoded to UTF-8 into `out`.
ChoiceTextScan scan_choice_text(std::string_view json, std::string& out);

// The same answer read from a parsed document.
std::string choice_text(const Json& document);

}  // namespace babyapi::detail
