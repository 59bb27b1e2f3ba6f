// A validating single-pass JSON scanner that remembers where the chunk's text is, then decodes only
// that string. It must never accept what nlohmann rejects nor read a different value: whenever it
// is unsure it gives up (kFallback) and the caller asks nlohmann.
#include "sse/choice_text.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace babyapi::detail {
namespace {

// Deeper documents are legal JSON, but no chunk nests like that; nlohmann takes them.
constexpr int kMaxDepth = 128;
// A number below 10^300 cannot overflow a double; nlohmann rejects the ones that do (error 406),
// so anything near that edge goes to nlohmann rather than being judged here.
constexpr long kMaxDecimalMagnitude = 300;
constexpr long kMaxExponentDigits = 6;

// Where a value sits relative to choices[0]; everything else is kOther and only validated.
enum class Path : unsigned char { kOther, kRoot, kChoices, kFirstChoice, kDelta };

struct StringSpan {
  const char* begin = nullptr;  // first byte after the opening quote
  const char* end = nullptr;    // the closing quote
  bool escaped = false;         // holds a backslash escape, so it must be decoded
};

// The last value seen for one target key: a string, or something else (which hides the string).
struct Slot {
  bool is_string = false;
  StringSpan span;
};

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at p (the caller checked they are there); -1 when one is not hex.
int hex4(const char* p) noexcept {
  int value = 0;
  for (int i = 0; i < 4; ++i) {
    const int digit = hex_value(p[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

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

// Decodes a string the scanner has already validated, so every escape here is well formed.
void decode_string(const StringSpan& span, std::string& out) {
  if (!span.escaped) {
    out.assign(span.begin, span.end);
    return;
  }
  out.clear();
  out.reserve(static_cast<std::size_t>(span.end - span.begin));
  const char* p = span.begin;
  while (p != span.end) {
    const auto* slash =
        static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(span.end - p)));
    if (slash == nullptr) {
      out.append(p, span.end);
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
        auto cp = static_cast<std::uint32_t>(hex4(p));
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const auto low = static_cast<std::uint32_t>(hex4(p + 2));
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        break;
      }
      default:
        out.push_back(kind);
        break;  // '"', '\\' and '/' stand for themselves
    }
  }
}

bool key_is(const StringSpan& key, std::string_view name) {
  if (!key.escaped) {
    return static_cast<std::size_t>(key.end - key.begin) == name.size() &&
           std::memcmp(key.begin, name.data(), name.size()) == 0;
  }
  std::string decoded;  // rare: a key spelled with escapes, e.g. "cho\u0069ces"
  decode_string(key, decoded);
  return decoded == name;
}

// The first byte in [p, end) that ends a run of plain string bytes: '"', '\\', a control byte or
// a non-ASCII byte. Most of a chunk is string bytes, so this is the scanner's hot loop.
const char* skip_plain_string_bytes(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them with the controls.
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                     _mm_cmplt_epi8(chunk, space));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return p;
  }
  return end;
}

class Scanner {
 public:
  explicit Scanner(std::string_view json) : p_(json.data()), end_(json.data() + json.size()) {}

  // True when the whole input is one JSON text that nlohmann accepts and this scanner vouches for.
  bool scan() {
    if (p_ != end_ && static_cast<unsigned char>(*p_) == 0xEF) {
      // nlohmann skips a UTF-8 BOM opening its input, and rejects a broken one.
      if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB ||
          static_cast<unsigned char>(p_[2]) != 0xBF) {
        return false;
      }
      p_ += 3;
    }
    skip_whitespace();
    if (!value(Path::kRoot, 0)) return false;
    skip_whitespace();
    // Anything after the value is an error for nlohmann, except that a NUL byte ends its input;
    // leave both to it.
    return p_ == end_;
  }

  const Slot& content() const noexcept { return content_; }
  const Slot& text() const noexcept { return text_; }

 private:
  bool at(char c) const noexcept { return p_ != end_ && *p_ == c; }

  void skip_whitespace() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool value(Path path, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return depth < kMaxDepth && object(path, depth + 1);
      case '[':
        return depth < kMaxDepth && array(path, depth + 1);
      case '"': {
        StringSpan ignored;
        return string(ignored);
      }
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  bool object(Path path, int depth) {
    ++p_;  // '{'
    skip_whitespace();
    if (at('}')) {
      ++p_;
      return true;
    }
    for (;;) {
      StringSpan key;
      if (!at('"') || !string(key)) return false;
      skip_whitespace();
      if (!at(':')) return false;
      ++p_;
      skip_whitespace();
      // nlohmann keeps the last of duplicate keys, so a repeated key replaces what the earlier
      // one contributed.
      Path child = Path::kOther;
      Slot* slot = nullptr;
      if (path == Path::kRoot) {
        if (key_is(key, "choices")) {
          child = Path::kChoices;
          content_ = Slot{};
          text_ = Slot{};
        }
      } else if (path == Path::kFirstChoice) {
        if (key_is(key, "delta")) {
          child = Path::kDelta;
          content_ = Slot{};
        } else if (key_is(key, "text")) {
          slot = &text_;
        }
      } else if (path == Path::kDelta) {
        if (key_is(key, "content")) slot = &content_;
      }
      if (slot != nullptr && at('"')) {
        StringSpan span;
        if (!string(span)) return false;
        *slot = Slot{true, span};
      } else {
        if (slot != nullptr) *slot = Slot{};
        if (!value(child, depth)) return false;
      }
      skip_whitespace();
      if (at(',')) {
        ++p_;
        skip_whitespace();
        continue;
      }
      if (at('}')) {
        ++p_;
        return true;
      }
      return false;
    }
  }

  bool array(Path path, int depth) {
    ++p_;  // '['
    skip_whitespace();
    if (at(']')) {
      ++p_;
      return true;
    }
    Path element = path == Path::kChoices ? Path::kFirstChoice : Path::kOther;
    for (;;) {
      if (!value(element, depth)) return false;
      element = Path::kOther;
      skip_whitespace();
      if (at(',')) {
        ++p_;
        skip_whitespace();
        continue;
      }
      if (at(']')) {
        ++p_;
        return true;
      }
      return false;
    }
  }

  bool string(StringSpan& span) {
    ++p_;  // '"'
    span.begin = p_;
    span.escaped = false;
    for (;;) {
      p_ = skip_plain_string_bytes(p_, end_);
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        span.end = p_;
        ++p_;
        return true;
      }
      if (c == '\\') {
        span.escaped = true;
        if (!escape()) return false;
      } else if (c < 0x20 || !utf8_sequence()) {
        return false;  // control characters must be escaped; other bytes must be valid UTF-8
      }
    }
  }

  bool escape() {
    if (end_ - p_ < 2) return false;
    switch (p_[1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        p_ += 2;
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    if (end_ - p_ < 6) return false;
    const int cp = hex4(p_ + 2);
    p_ += 6;
    if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
      return false;  // a low surrogate must follow a high one
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return false;
      const int low = hex4(p_ + 2);
      p_ += 6;
      if (low < 0xDC00 || low > 0xDFFF) return false;
    }
    return true;
  }

  // One well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF),
  // the same table nlohmann's lexer checks.
  bool utf8_sequence() {
    const auto* s = reinterpret_cast<const unsigned char*>(p_);
    const auto left = end_ - p_;
    const unsigned char lead = s[0];
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    int continuation = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      continuation = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      continuation = 2;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      continuation = 3;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (left <= continuation) return false;
    if (s[1] < low || s[1] > high) return false;
    for (int i = 2; i <= continuation; ++i) {
      if (s[i] < 0x80 || s[i] > 0xBF) return false;
    }
    p_ += continuation + 1;
    return true;
  }

  bool digits_run() noexcept {
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  bool number() {
    if (at('-')) ++p_;
    long integer_digits = 0;
    if (at('0')) {
      ++p_;
      integer_digits = 1;
    } else {
      const char* start = p_;
      if (p_ == end_ || *p_ < '1' || *p_ > '9') return false;
      digits_run();
      integer_digits = static_cast<long>(p_ - start);
    }
    if (at('.')) {
      ++p_;
      if (!digits_run()) return false;
    }
    long exponent = 0;
    if (at('e') || at('E')) {
      ++p_;
      bool negative = false;
      if (at('+') || at('-')) {
        negative = *p_ == '-';
        ++p_;
      }
      const char* start = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        if (p_ - start >= kMaxExponentDigits) return false;
        exponent = exponent * 10 + (*p_ - '0');
        ++p_;
      }
      if (p_ == start) return false;
      if (negative) exponent = -exponent;
    }
    // The value is below 10^(integer digits + exponent); only a large one can overflow.
    return integer_digits + exponent <= kMaxDecimalMagnitude;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  const char* p_;
  const char* const end_;
  Slot content_;
  Slot text_;
};

}  // namespace

ChoiceTextScan scan_choice_text(std::string_view json, std::string& out) {
  Scanner scanner(json);
  if (!scanner.scan()) return ChoiceTextScan::kFallback;
  const Slot& found = scanner.content().is_string ? scanner.content() : scanner.text();
  if (!found.is_string) return ChoiceTextScan::kAbsent;
  decode_string(found.span, out);
  return ChoiceTextScan::kFound;
}

std::string choice_text(const Json& document) {
  if (!document.is_object()) return {};
  const auto choices = document.find("choices");
  if (choices == document.end() || !choices->is_array() || choices->empty()) return {};
  const Json& first = choices->front();
  if (!first.is_object()) return {};
  const auto delta = first.find("delta");
  if (delta != first.end() && delta->is_object()) {
    const auto content = delta->find("content");
    if (content != delta->end() && content->is_string()) return content->get<std::string>();
  }
  const auto text = first.find("text");
  if (text != first.end() && text->is_string()) return text->get<std::string>();
  return {};
}

}  // namespace babyapi::detail
