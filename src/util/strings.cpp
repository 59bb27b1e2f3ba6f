#include "util/strings.hpp"

#include "babyapi/errors.hpp"

#include <climits>

namespace babyapi::detail {

namespace {
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
}  // namespace

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

int parse_int_prefix(std::string_view text) noexcept {
  long long value = 0;
  for (char c : text) {
    if (!is_digit(c)) break;
    value = value * 10 + (c - '0');
    if (value > INT_MAX) return INT_MAX;
  }
  return static_cast<int>(value);
}

std::optional<double> parse_non_negative_number(std::string_view text) noexcept {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  double value = 0;
  size_t i = 0;
  bool digits = false;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    value = value * 10 + (text[i] - '0');
    digits = true;
  }
  if (i < text.size() && text[i] == '.') {
    double scale = 0.1;
    for (++i; i < text.size() && is_digit(text[i]); ++i, scale /= 10) {
      value += (text[i] - '0') * scale;
      digits = true;
    }
  }
  if (!digits || i != text.size()) return std::nullopt;
  return value;
}

std::string media_type(std::string_view content_type) {
  return to_lower(trim(content_type.substr(0, content_type.find(';'))));
}

std::string userinfo_of(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(authority.substr(0, at));
}

std::string origin_of(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url.substr(0, url.find('/')));
  const size_t path_start = url.find_first_of("/?#", scheme_end + 3);
  std::string_view origin = url.substr(0, path_start);
  // Drop any user:password@ so credentials in a base URL never reach a message. The last '@' ends
  // the userinfo: a password may itself hold one.
  const size_t at = origin.rfind('@');
  if (at == std::string_view::npos || at < scheme_end + 3) return std::string(origin);
  return std::string(origin.substr(0, scheme_end + 3)) + std::string(origin.substr(at + 1));
}

std::string percent_encode_segment(std::string_view segment) {
  // "." and ".." are dot segments: libcurl (and every server) removes them, so `models/..` would
  // address `/v1/` instead of a model. An id must only ever name its own resource.
  if (segment.empty() || segment == "." || segment == "..") {
    throw BabyAPIError(
        "\"" + std::string(segment) +
        "\" cannot be used as an id: it would not name a single resource in the path");
  }
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (unsigned char c : segment) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            is_digit(static_cast<char>(c)) || c == '-' || c == '.' || c == '_' ||
                            c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace babyapi::detail
