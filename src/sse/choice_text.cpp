// A validating single-pass JSON scanner that remembers where the wanted choice's text is, then
// decodes only that string. It must never accept what nlohmann rejects (once lone surrogate escapes
// are read as U+FFFD, see json_escapes.hpp) nor read a different value: whenever it is unsure it
// gives up (kFallback) and the caller asks nlohmann.
#include "sse/choice_text.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

#include "sse/json_escapes.hpp"

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

// Where a value sits relative to the choices; everything else is kOther and only validated.
enum class Path : unsigned char { kOther, kRoot, kChoices, kChoice, kDelta };

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

// What one element of `choices` holds, as far as text() cares.
struct Choice {
  Slot content;  // delta.content
  Slot text;     // text
  bool has_index = false;
  std::uint64_t index = 0;
};

// The choice number an `index` value written at [begin, end) names, judged as nlohmann types it:
// an integer without fraction or exponent that fits in 64 bits and is not negative ("-0" is 0).
// Anything else (a string, null, 1.0, -1, 2^64) names no choice.
bool index_value(const char* begin, const char* end, std::uint64_t& out) noexcept {
  if (begin != end && *begin == '-') return end - begin == 2 && begin[1] == '0' && (out = 0, true);
  if (begin == end) return false;
  std::uint64_t value = 0;
  for (const char* p = begin; p != end; ++p) {
    if (*p < '0' || *p > '9') return false;
    const auto digit = static_cast<std::uint64_t>(*p - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

// Decodes a string the scanner has already validated, so every escape here is well formed.
void decode_string(const StringSpan& span, std::string& out) {
  if (!span.escaped) {
    out.assign(span.begin, span.end);
    return;
  }
  decode_json_string(span.begin, span.end, out);
}

// Rare: a key spelled with escapes, e.g. "cho\u0069ces". Kept out of line so that key_is, which
// runs for every key of every choice, inlines to a length test and a fixed-size compare.
[[gnu::noinline]] bool escaped_key_is(const StringSpan& key, std::string_view name) {
  std::string decoded;
  decode_string(key, decoded);
  return decoded == name;
}

inline bool key_is(const StringSpan& key, std::string_view name) {
  if (key.escaped) return escaped_key_is(key, name);
  return static_cast<std::size_t>(key.end - key.begin) == name.size() &&
         std::memcmp(key.begin, name.data(), name.size()) == 0;
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
  Scanner(std::string_view json, std::size_t wanted)
      : p_(json.data()), end_(json.data() + json.size()), wanted_(wanted) {}

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

  // The wanted choice's slots; both empty when no choice has that number.
  const Choice& found() const noexcept { return found_; }

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
      bool is_index = false;
      if (path == Path::kRoot) {
        if (key_is(key, "choices")) {
          child = Path::kChoices;
          found_ = Choice{};
          has_found_ = false;
        }
      } else if (path == Path::kChoice) {
        if (key_is(key, "delta")) {
          child = Path::kDelta;
          choice_.content = Slot{};
        } else if (key_is(key, "text")) {
          slot = &choice_.text;
        } else if (key_is(key, "index")) {
          is_index = true;
        }
      } else if (path == Path::kDelta) {
        if (key_is(key, "content")) slot = &choice_.content;
      }
      if (is_index) {
        const char* start = p_;
        if (!value(Path::kOther, depth)) return false;
        choice_.has_index = index_value(start, p_, choice_.index);
      } else if (slot != nullptr && at('"')) {
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
    for (std::uint64_t position = 0;; ++position) {
      // Only objects are choices, and once the wanted one is found the rest are only validated.
      if (path == Path::kChoices && !has_found_ && at('{')) {
        choice_ = Choice{};
        if (!value(Path::kChoice, depth)) return false;
        // A choice without a usable index is numbered by its place in the array.
        if ((choice_.has_index ? choice_.index : position) == wanted_) {
          found_ = choice_;
          has_found_ = true;
        }
      } else if (!value(Path::kOther, depth)) {
        return false;
      }
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
    if (end_ - p_ < 6 || hex4(p_ + 2) < 0) return false;
    // Any four hex digits will do: half a surrogate pair decodes to U+FFFD, and the escape after a
    // lone high half is checked on its own.
    p_ += 6;
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
  const std::size_t wanted_;
  Choice choice_;  // the choice being read
  Choice found_;   // the first choice numbered wanted_
  bool has_found_ = false;
};

}  // namespace

ChoiceTextScan scan_choice_text(std::string_view json, std::size_t choice, std::string& out) {
  Scanner scanner(json, choice);
  if (!scanner.scan()) return ChoiceTextScan::kFallback;
  const Choice& found = scanner.found();
  const Slot& text = found.content.is_string ? found.content : found.text;
  if (!text.is_string) return ChoiceTextScan::kAbsent;
  decode_string(text.span, out);
  return ChoiceTextScan::kFound;
}

ChoiceTextScan scan_choice_text(std::string_view json, std::string& out) {
  return scan_choice_text(json, 0, out);
}

std::string choice_text(const Json& document, std::size_t choice) {
  if (!document.is_object()) return {};
  const auto choices = document.find("choices");
  if (choices == document.end() || !choices->is_array()) return {};
  const Json* wanted = nullptr;
  std::uint64_t position = 0;
  for (const Json& element : *choices) {
    if (element.is_object()) {
      std::uint64_t number = position;
      const auto index = element.find("index");
      if (index != element.end() && index->is_number_unsigned()) {
        number = index->get<std::uint64_t>();
      } else if (index != element.end() && index->is_number_integer() &&
                 index->get<std::int64_t>() == 0) {
        number = 0;  // "-0", which nlohmann keeps as a signed integer
      }
      if (number == choice) {
        wanted = &element;
        break;
      }
    }
    ++position;
  }
  if (wanted == nullptr) return {};
  const auto delta = wanted->find("delta");
  if (delta != wanted->end() && delta->is_object()) {
    const auto content = delta->find("content");
    if (content != delta->end() && content->is_string()) return content->get<std::string>();
  }
  const auto text = wanted->find("text");
  if (text != wanted->end() && text->is_string()) return text->get<std::string>();
  return {};
}

}  // namespace babyapi::detail
