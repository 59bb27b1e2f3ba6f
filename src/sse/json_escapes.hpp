// JSON string escapes as the SDK reads them, shared by the chunk scanner and SSEEvent::data().
// One rule holds everywhere: a `\uXXXX` escape naming half of a surrogate pair without its other
// half stands for U+FFFD. nlohmann rejects the whole document for it, and a stream would lose the
// event's text; a replacement character keeps the text and shows where the damage was.
#pragma once

#include <string>
#include <string_view>

namespace babyapi::detail {

// The value of four hex digits at p (the caller checked they are there); -1 when one is not hex.
inline int hex4(const char* p) noexcept {
  int value = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

inline bool is_high_surrogate(int cp) noexcept { return cp >= 0xD800 && cp <= 0xDBFF; }
inline bool is_low_surrogate(int cp) noexcept { return cp >= 0xDC00 && cp <= 0xDFFF; }

// True when [p, end) opens with `\u` and four hex digits naming a low surrogate.
inline bool low_surrogate_escape_at(const char* p, const char* end) noexcept {
  return end - p >= 6 && p[0] == '\\' && p[1] == 'u' && is_low_surrogate(hex4(p + 2));
}

// Decodes the inside of a JSON string that has already been validated (every escape well formed),
// replacing out. A lone surrogate escape becomes U+FFFD.
void decode_json_string(const char* begin, const char* end, std::string& out);

// When `json` holds a lone surrogate escape, copies it into `out` with each one rewritten as
// `\ufffd` (same length, so nothing else moves) and returns true; otherwise returns false and
// leaves `out` alone. Escapes are recognised the way a JSON lexer sees them (`\\u` is a backslash
// and a 'u'); a backslash outside a string makes the document invalid whatever this does.
bool replace_lone_surrogate_escapes(std::string_view json, std::string& out);

}  // namespace babyapi::detail
