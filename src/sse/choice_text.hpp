// Pulls the streamed text out of an OpenAI-style chunk without building a JSON tree.
// SSEEvent::text() runs on every event of a stream, and a full nlohmann parse would cap a stream
// near 40 MB/s.
#pragma once

#include <cstddef>
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

// Which choice a chunk's element is: its `index` when that is a non-negative integer (as nlohmann
// types it: no fraction or exponent, below 2^64), else its position in `choices`. Only objects are
// choices, and the first one with the wanted number is the one read.
//
// Validates `json` in one pass exactly as nlohmann::json::parse would judge it (RFC 8259 strings
// with UTF-8 checks, a leading BOM, the last of duplicate keys wins), except that a lone surrogate
// escape is read as U+FFFD where nlohmann rejects the document (SSEEvent::data() rewrites those
// escapes before parsing, so the two still agree). Finds the string at the wanted choice's
// delta.content, else at its text, decoded to UTF-8 into `out`.
ChoiceTextScan scan_choice_text(std::string_view json, std::size_t choice, std::string& out);
// Choice 0.
ChoiceTextScan scan_choice_text(std::string_view json, std::string& out);

// The same answer read from a parsed document.
std::string choice_text(const Json& document, std::size_t choice = 0);

}  // namespace babyapi::detail
