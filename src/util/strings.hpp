// Small string helpers shared by the transport, the error mapper and the retry policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace babyapi::detail {

std::string_view trim(std::string_view text) noexcept;
bool iequals(std::string_view a, std::string_view b) noexcept;
std::string to_lower(std::string_view text);
// Leading decimal digits as an int (0 when none; saturates instead of overflowing).
int parse_int_prefix(std::string_view text) noexcept;
// The whole text as a non-negative decimal number (digits with an optional fraction).
std::optional<double> parse_non_negative_number(std::string_view text) noexcept;
// The media type of a Content-Type value, lowercased, without parameters: "text/event-stream".
std::string media_type(std::string_view content_type);
// "user:password" of a URL's authority (what origin_of drops), or "".
std::string userinfo_of(std::string_view url);
// "scheme://host:port" of a URL, for messages that must not echo paths or query strings.
std::string origin_of(std::string_view url);
// RFC 3986 percent-encoding of one path segment (unreserved characters stay as they are). Throws
// BabyAPIError for "", "." and "..", which would not name one resource.
std::string percent_encode_segment(std::string_view segment);

}  // namespace babyapi::detail
