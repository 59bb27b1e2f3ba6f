#include "resources/embedding_scan.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

#include "util/base64.hpp"

namespace babyapi::detail {
namespace {

// Deeper documents are refused rather than recursed into.
constexpr int kMaxDepth = 64;

// Past the run of string bytes at p that need no attention: everything but '"', '\\' and control
// bytes. Eight bytes at a time (a base64 row is thousands of plain bytes), then byte by byte.
const char* plain_run(const char* p, const char* end) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    const std::uint64_t quote = word ^ (kOnes * '"');
    const std::uint64_t slash = word ^ (kOnes * '\\');
    // A byte is flagged when it is zero in quote or slash, or below 0x20 in word.
    const std::uint64_t flagged =
        ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash) | ((word - kOnes * 0x20) & ~word);
    if ((flagged & kHigh) != 0) break;
    p += 8;
  }
  while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
  return p;
}

class Scanner {
 public:
  Scanner(std::string_view text, EmbeddingScan& out)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), out_(out) {}

  bool run() {
    skip_space();
    if (!expect('{')) return false;
    if (!root_members()) return false;
    skip_space();
    if (p_ != end_) return fail("text after the JSON document");
    if (!out_.saw_data) return fail("the answer has no data array");
    return order_rows();
  }

 private:
  bool fail(const std::string& why) {
    if (out_.error.empty()) {
      out_.error = why + " (at byte " + std::to_string(p_ - begin_) + ")";
    }
    return false;
  }
  bool syntax() { return fail("the embeddings answer is not valid JSON"); }

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool expect(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return syntax();
    ++p_;
    return true;
  }
  bool peek(char c) {
    skip_space();
    return p_ != end_ && *p_ == c;
  }

  // A string at p_ (its opening quote); `raw` gets the bytes between the quotes as sent, and
  // `escaped` tells whether any escape is among them.
  bool string(std::string_view& raw, bool& escaped) {
    skip_space();
    if (p_ == end_ || *p_ != '"') return syntax();
    const char* start = ++p_;
    escaped = false;
    for (;;) {
      p_ = plain_run(p_, end_);
      if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x20) return syntax();
      if (*p_ == '"') break;
      escaped = true;
      if (++p_ == end_) return syntax();
      if (*p_ == 'u') {
        for (int i = 0; i < 4; ++i) {
          if (++p_ == end_ || !std::isxdigit(static_cast<unsigned char>(*p_))) return syntax();
        }
      } else if (std::strchr("\"\\/bfnrt", *p_) == nullptr) {
        return syntax();
      }
      ++p_;
    }
    raw = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  // A key: compared as sent (the keys we look for have no escapes).
  bool key(std::string_view& name) {
    bool escaped = false;
    if (!string(name, escaped)) return false;
    if (escaped) name = std::string_view();  // not one of ours
    return expect(':');
  }

  // A number at p_; its value as double when wanted.
  bool number(double* value) {
    skip_space();
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_) return syntax();
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      return syntax();
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return syntax();
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return syntax();
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (value != nullptr) {
      const auto result = std::from_chars(start, p_, *value);
      if (result.ec == std::errc::result_out_of_range) {
        // Rare: decided as nlohmann decides, which reads with strtod and refuses a number too
        // large for a double (1e999) but takes one too small as 0 or a subnormal (1e-400).
        const std::string text(start, p_);
        *value = std::strtod(text.c_str(), nullptr);
        if (!std::isfinite(*value)) return fail("a number is too large for a double");
      } else if (result.ec != std::errc() || result.ptr != p_) {
        return syntax();
      }
    }
    return true;
  }

  bool literal(const char* word) {
    const std::size_t n = std::strlen(word);
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return syntax();
    p_ += n;
    return true;
  }

  // Any value, checked and passed over.
  bool skip_value(int depth) {
    if (depth > kMaxDepth) return fail("the embeddings answer nests too deeply");
    skip_space();
    if (p_ == end_) return syntax();
    switch (*p_) {
      case '{': {
        ++p_;
        if (peek('}')) return ++p_, true;
        for (;;) {
          std::string_view name;
          if (!key(name) || !skip_value(depth + 1)) return false;
          if (peek(',')) {
            ++p_;
            continue;
          }
          return expect('}');
        }
      }
      case '[': {
        ++p_;
        if (peek(']')) return ++p_, true;
        for (;;) {
          if (!skip_value(depth + 1)) return false;
          if (peek(',')) {
            ++p_;
            continue;
          }
          return expect(']');
        }
      }
      case '"': {
        std::string_view raw;
        bool escaped = false;
        return string(raw, escaped);
      }
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number(nullptr);
    }
  }

  // A value kept as a Json (usage, model): its extent is checked here, nlohmann reads it.
  bool small_value(Json& into) {
    skip_space();
    const char* start = p_;
    if (!skip_value(1)) return false;
    into = Json::parse(start, p_, nullptr, /*allow_exceptions=*/false);
    if (into.is_discarded()) {
      into = nullptr;
      return syntax();
    }
    return true;
  }

  bool root_members() {
    if (peek('}')) return ++p_, true;
    for (;;) {
      std::string_view name;
      if (!key(name)) return false;
      if (name == "data") {
        if (out_.saw_data) return fail("the answer has two data arrays");
        if (!data_array()) return false;
      } else if (name == "usage") {
        if (!small_value(out_.usage)) return false;
        if (!out_.usage.is_object()) out_.usage = nullptr;
      } else if (name == "model") {
        Json model;
        if (!small_value(model)) return false;
        if (model.is_string()) out_.model = model.get<std::string>();
      } else if (!skip_value(1)) {
        return false;
      }
      if (peek(',')) {
        ++p_;
        continue;
      }
      return expect('}');
    }
  }

  bool data_array() {
    skip_space();
    if (p_ == end_ || *p_ != '[') return fail("data is not an array");
    ++p_;
    out_.saw_data = true;
    if (peek(']')) return ++p_, true;
    for (;;) {
      if (!item()) return false;
      if (peek(',')) {
        ++p_;
        continue;
      }
      return expect(']');
    }
  }

  bool item() {
    skip_space();
    if (p_ == end_ || *p_ != '{') return fail("an item of data is not an object");
    ++p_;
    const std::size_t start = out_.data.size();
    std::optional<std::size_t> index;
    bool has_embedding = false;
    if (!peek('}')) {
      for (;;) {
        std::string_view name;
        if (!key(name)) return false;
        if (name == "embedding") {
          if (has_embedding) return fail("an item of data has two embeddings");
          has_embedding = true;
          if (!embedding()) return false;
        } else if (name == "index") {
          if (!item_index(index)) return false;
        } else if (!skip_value(2)) {
          return false;
        }
        if (peek(',')) {
          ++p_;
          continue;
        }
        break;
      }
    }
    if (!expect('}')) return false;
    if (!has_embedding) return fail("an item of data has no embedding");
    const std::size_t length = out_.data.size() - start;
    if (out_.rows == 0) {
      out_.dim = length;
    } else if (length != out_.dim) {
      return fail("the embeddings differ in length (" + std::to_string(out_.dim) + " and " +
                  std::to_string(length) + ")");
    }
    order_.push_back(index.value_or(out_.rows));
    ++out_.rows;
    return true;
  }

  bool item_index(std::optional<std::size_t>& index) {
    skip_space();
    const char* start = p_;
    double value = 0;
    if (p_ == end_ || (*p_ != '-' && (*p_ < '0' || *p_ > '9'))) {
      return fail("an embedding's index is not a non-negative integer");
    }
    if (!number(&value)) return false;
    const std::string_view text(start, static_cast<std::size_t>(p_ - start));
    if (text.find_first_not_of("0123456789") != std::string_view::npos || value > 1e15) {
      return fail("an embedding's index is not a non-negative integer");
    }
    index = static_cast<std::size_t>(value);
    return true;
  }

  bool embedding() {
    skip_space();
    if (p_ == end_) return syntax();
    if (*p_ == '"') {
      std::string_view raw;
      bool escaped = false;
      if (!string(raw, escaped)) return false;
      scratch_.resize(raw.size() / 4 * 3);
      const std::optional<std::size_t> size =
          escaped ? std::nullopt : base64_decode_to(raw, scratch_.data());
      if (!size) return fail("an embedding string is not valid base64");
      if (*size % 4 != 0) {
        return fail("a base64 embedding of " + std::to_string(*size) +
                    " bytes is not a whole number of float32 values");
      }
      const std::size_t count = *size / 4;
      const std::size_t at = out_.data.size();
      out_.data.resize(at + count);
      const auto* b = reinterpret_cast<const unsigned char*>(scratch_.data());
      for (std::size_t i = 0; i < count; ++i, b += 4) {  // little-endian float32, on any host
        const std::uint32_t bits = std::uint32_t(b[0]) | (std::uint32_t(b[1]) << 8) |
                                   (std::uint32_t(b[2]) << 16) | (std::uint32_t(b[3]) << 24);
        std::memcpy(&out_.data[at + i], &bits, sizeof(float));
      }
      return true;
    }
    if (*p_ != '[') return fail("an embedding is neither an array of numbers nor base64");
    ++p_;
    if (peek(']')) return ++p_, true;
    for (;;) {
      skip_space();
      if (p_ == end_ || (*p_ != '-' && (*p_ < '0' || *p_ > '9'))) {
        return fail("an embedding array holds a non-number");
      }
      double value = 0;
      if (!number(&value)) return false;
      out_.data.push_back(static_cast<float>(value));
      if (peek(',')) {
        ++p_;
        continue;
      }
      return expect(']');
    }
  }

  // Row i of the matrix is the item whose index is i.
  bool order_rows() {
    const std::size_t rows = out_.rows;
    std::vector<bool> seen(rows, false);
    bool sorted = true;
    for (std::size_t i = 0; i < rows; ++i) {
      if (order_[i] >= rows) {
        return fail("index " + std::to_string(order_[i]) + " among " + std::to_string(rows) +
                    " items");
      }
      if (seen[order_[i]]) return fail("index " + std::to_string(order_[i]) + " is repeated");
      seen[order_[i]] = true;
      sorted = sorted && order_[i] == i;
    }
    if (sorted || out_.dim == 0) return true;
    std::vector<float> arranged(out_.data.size());
    const std::size_t dim = out_.dim;
    for (std::size_t i = 0; i < rows; ++i) {
      std::memcpy(&arranged[order_[i] * dim], &out_.data[i * dim], dim * sizeof(float));
    }
    out_.data.swap(arranged);
    return true;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  EmbeddingScan& out_;
  std::vector<std::size_t> order_;
  std::string scratch_;  // one base64 row's bytes, reused
};

}  // namespace

bool scan_embeddings(std::string_view json, EmbeddingScan& out) {
  out = EmbeddingScan{};
  // Room for a base64 answer (3 bytes per 4 characters, 4 bytes per float) with no regrowth; a
  // float answer (about 11 characters per number) needs half of it.
  out.data.reserve(json.size() / 5);
  Scanner scanner(json, out);
  const bool ok = scanner.run();
  if (!ok && out.error.empty()) out.error = "the embeddings answer is not valid JSON";
  return ok;
}

}  // namespace babyapi::detail
