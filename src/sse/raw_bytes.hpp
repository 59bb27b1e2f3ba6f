// Byte-exact strings for the stream accumulator. A server may cut a multi-byte character between
// two chunks: each chunk's JSON then holds bytes that are not UTF-8 (or, escaped, half a surrogate
// pair), nlohmann rejects the document (or SSEEvent::data() reads U+FFFD), and the character is
// lost. The accumulator instead keeps the bytes, joins the fragments and validates only the whole.
#pragma once

#include <string>
#include <string_view>

namespace babyapi::detail {

// When `json` has, inside a string, bytes that are not well-formed UTF-8 or a `\uXXXX` escape
// naming half a surrogate pair alone, writes into `out` a copy in which each such byte (for an
// escape: each byte of its 3-byte generalized UTF-8 form) is replaced by a placeholder character
// from the private-use range U+10FF00..U+10FFFF, and returns true. Otherwise returns false and
// leaves `out` alone. The copy is then JSON that nlohmann accepts if the rest of it is.
bool protect_raw_bytes(std::string_view json, std::string& out);

// Turns each placeholder character back into the byte it stands for.
void restore_raw_bytes(std::string& text);

// Makes joined fragments valid UTF-8: a surrogate pair written as two generalized 3-byte forms
// becomes its 4-byte character; any other ill-formed sequence becomes U+FFFD.
void make_valid_utf8(std::string& text);

// The length of the well-formed UTF-8 sequence at [p, end), or 0 when it is not one.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept;

}  // namespace babyapi::detail
