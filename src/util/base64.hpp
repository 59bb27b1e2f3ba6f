// Standard base64 (RFC 4648, with padding), for embeddings and data: URLs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace babyapi::detail {

std::string base64_encode(std::string_view bytes);
// nullopt for anything that is not canonical padded base64 (whitespace is not accepted).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace babyapi::detail
