#include "sse/json_escapes.hpp"

#include <cstdint>
#include <cstring>

namespace babyapi::detail {
namespace {

constexpr std::uint32_t kReplacementCharacter = 0xFFFD;

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

void decode_json_string(const char* begin, const char* end, std::string& out) {
  out.clear();
  out.reserve(static_cast<std::size_t>(end - begin));
  const char* p = begin;
  while (p != end) {
    const auto* slash =
        static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(end - p)));
    if (slash == nullptr) {
      out.append(p, end);
      break;
    }
    out.append(p, slash);
    const char kind = slash[1];
    p = slash + 2;
    switch (kind) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        const int cp = hex4(p);
        p += 4;
        if (is_high_surrogate(cp) && low_surrogate_escape_at(p, end)) {
          const int low = hex4(p + 2);
          p += 6;
          append_utf8(out, 0x10000 + ((static_cast<std::uint32_t>(cp) - 0xD800) << 10) +
                               (static_cast<std::uint32_t>(low) - 0xDC00));
        } else if (is_high_surrogate(cp) || is_low_surrogate(cp)) {
          // Half a pair: the escape after a lone high one is decoded on its own next time round.
          append_utf8(out, kReplacementCharacter);
        } else {
          append_utf8(out, static_cast<std::uint32_t>(cp));
        }
        break;
      }
      default:
        out.push_back(kind);
        break;  // '"', '\\' and '/' stand for themselves
    }
  }
}

bool replace_lone_surrogate_escapes(std::string_view json, std::string& out) {
  const char* const begin = json.data();
  const char* const end = begin + json.size();
  bool copied = false;
  const char* p = begin;
  while (p != end) {
    const auto* slash =
        static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(end - p)));
    if (slash == nullptr || end - slash < 2) break;
    p = slash + 2;
    if (slash[1] != 'u' || end - slash < 6) continue;
    const int cp = hex4(slash + 2);
    if (is_high_surrogate(cp) && low_surrogate_escape_at(slash + 6, end)) {
      p = slash + 12;  // a whole pair
      continue;
    }
    if (!is_high_surrogate(cp) && !is_low_surrogate(cp)) {
      p = slash + 6;
      continue;
    }
    if (!copied) {
      out.assign(begin, end);
      copied = true;
    }
    out.replace(static_cast<std::size_t>(slash - begin) + 2, 4, "fffd");
    p = slash + 6;
  }
  return copied;
}

}  // namespace babyapi::detail
