// Standard base64 (RFC 4648, with padding), for embeddings and data: URLs.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace babyapi::detail {

std::string base64_encode(std::string_view bytes);
// The bytes, or nullopt for anything that is not canonical padded base64, i.e. anything
// base64_encode would not have written: unpadded or wrongly padded text, characters outside the
// alphabet (whitespace, line breaks, the URL-safe '-' and '_'), and non-zero bits left over
// before the padding. "" decodes to "".
std::optional<std::string> base64_decode(std::string_view text);
// The same, written to out (room for text.size() / 4 * 3 bytes); the byte count, or nullopt.
std::optional<std::size_t> base64_decode_to(std::string_view text, char* out);

}  // namespace babyapi::detail
