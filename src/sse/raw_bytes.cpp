#include "sse/raw_bytes.hpp"

#include <cstdint>

#include "sse/json_escapes.hpp"

namespace babyapi::detail {
namespace {

// Placeholder for byte b: U+10FF00 + b, whose UTF-8 form is F4 8F (BC + b/64) (80 + b%64).
void append_placeholder(std::string& out, unsigned char byte) {
  out += '\xF4';
  out += '\x8F';
  out += static_cast<char>(0xBC + (byte >> 6));
  out += static_cast<char>(0x80 + (byte & 0x3F));
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// One pass over the document. With out == nullptr it only answers whether a rewrite is needed.
bool scan(std::string_view json, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(json.data());
  const auto* const end = p + json.size();
  bool in_string = false;
  bool rewrote = false;
  while (p < end) {
    const unsigned char c = *p;
    if (!in_string) {
      if (c == '"') in_string = true;
      if (out) *out += static_cast<char>(c);
      ++p;
      continue;
    }
    if (c == '"') {
      in_string = false;
    } else if (c == '\\' && end - p >= 2) {
      const auto* escape = reinterpret_cast<const char*>(p);
      const auto* escape_end = reinterpret_cast<const char*>(end);
      if (p[1] == 'u' && end - p >= 6) {
        const int cp = hex4(escape + 2);
        const bool lone =
            (is_high_surrogate(cp) && !low_surrogate_escape_at(escape + 6, escape_end)) ||
            is_low_surrogate(cp);
        if (lone) {
          if (!out) return true;
          rewrote = true;
          append_placeholder(*out, static_cast<unsigned char>(0xE0 | (cp >> 12)));
          append_placeholder(*out, static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)));
          append_placeholder(*out, static_cast<unsigned char>(0x80 | (cp & 0x3F)));
          p += 6;
          continue;
        }
        // A valid pair is copied whole, so its low half is not judged alone.
        const std::size_t length = is_high_surrogate(cp) ? 12 : 6;
        if (out) out->append(escape, length);
        p += length;
        continue;
      }
      if (out) out->append(escape, 2);
      p += 2;
      continue;
    } else if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(p, end);
      if (length == 0) {
        if (!out) return true;
        rewrote = true;
        append_placeholder(*out, c);
        ++p;
        continue;
      }
      if (out) out->append(reinterpret_cast<const char*>(p), length);
      p += length;
      continue;
    }
    if (out) *out += static_cast<char>(c);
    ++p;
  }
  return rewrote;
}

}  // namespace

std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = *p;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;   // overlong
    if (c == 0xED) high = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;   // overlong
    if (c == 0xF4) high = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - p) < length) return 0;
  if (p[1] < low || p[1] > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  }
  return length;
}

bool protect_raw_bytes(std::string_view json, std::string& out) {
  if (!scan(json, nullptr)) return false;
  std::string copy;
  copy.reserve(json.size() + 16);
  scan(json, &copy);
  out = std::move(copy);
  return true;
}

void restore_raw_bytes(std::string& text) {
  if (text.find("\xF4\x8F") == std::string::npos) return;
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto b2 = i + 3 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0;
    const auto b3 = i + 3 < text.size() ? static_cast<unsigned char>(text[i + 3]) : 0;
    if (text[i] == '\xF4' && text[i + 1] == '\x8F' && b2 >= 0xBC && b2 <= 0xBF && b3 >= 0x80 &&
        b3 <= 0xBF) {
      result += static_cast<char>(((b2 - 0xBC) << 6) | (b3 & 0x3F));
      i += 4;
    } else {
      result += text[i++];
    }
  }
  text = std::move(result);
}

void make_valid_utf8(std::string& text) {
  const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = begin + text.size();
  // Fast path: most text is already valid.
  bool valid = true;
  for (const auto* p = begin; p < end;) {
    const std::size_t length = utf8_sequence_length(p, end);
    if (length == 0) {
      valid = false;
      break;
    }
    p += length;
  }
  if (valid) return;
  // A surrogate in generalized UTF-8: ED A0..BF xx.
  auto surrogate_at = [end](const unsigned char* p) -> int {
    if (end - p < 3 || p[0] != 0xED || p[1] < 0xA0 || p[1] > 0xBF || p[2] < 0x80 || p[2] > 0xBF) {
      return -1;
    }
    return 0xD000 | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  };
  std::string result;
  result.reserve(text.size());
  for (const auto* p = begin; p < end;) {
    const std::size_t length = utf8_sequence_length(p, end);
    if (length > 0) {
      result.append(reinterpret_cast<const char*>(p), length);
      p += length;
      continue;
    }
    const int high = surrogate_at(p);
    const int low = high >= 0 ? surrogate_at(p + 3) : -1;
    if (is_high_surrogate(high) && is_low_surrogate(low)) {
      append_utf8(result, 0x10000 + ((static_cast<std::uint32_t>(high) - 0xD800) << 10) +
                              (static_cast<std::uint32_t>(low) - 0xDC00));
      p += 6;
      continue;
    }
    result += "\xEF\xBF\xBD";  // U+FFFD for this byte; the next byte is judged afresh
    p += high >= 0 ? 3 : 1;
  }
  text = std::move(result);
}

}  // namespace babyapi::detail
