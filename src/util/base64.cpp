#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace babyapi::detail {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_reverse() {
  std::array<int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kReverse = make_reverse();

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) |
                       (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    if (rest == 2) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::size_t> base64_decode_to(std::string_view text, char* out) {
  // Canonical means one spelling per byte string: what base64_encode writes. So the length is a
  // multiple of 4 (padding is required), '=' appears only as the last one or two characters, and
  // the bits a padded group leaves over are zero ("QQ==" is "A"; "QR==" is refused, not read as
  // "A" too).
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return 0;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t groups = text.size() / 4;
  char* const start = out;
  // Every group but the last has no padding: four table lookups, one check of their sign bits.
  for (std::size_t g = 0; g + 1 < groups; ++g, in += 4, out += 3) {
    const int a = kReverse[in[0]], b = kReverse[in[1]], c = kReverse[in[2]], d = kReverse[in[3]];
    if ((a | b | c | d) < 0) return std::nullopt;  // outside the alphabet, or '=' out of place
    const uint32_t n = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    out[0] = static_cast<char>((n >> 16) & 0xFF);
    out[1] = static_cast<char>((n >> 8) & 0xFF);
    out[2] = static_cast<char>(n & 0xFF);
  }
  int values[4];
  int padding = 0;
  for (int k = 0; k < 4; ++k) {
    const unsigned char c = in[k];
    if (c == '=' && k >= 2) {
      values[k] = 0;
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    values[k] = kReverse[c];
    if (values[k] < 0) return std::nullopt;
  }
  // One padding character leaves 2 spare bits in the third value; two leave 4 in the second.
  if (padding == 1 && (values[2] & 0x03) != 0) return std::nullopt;
  if (padding == 2 && (values[1] & 0x0F) != 0) return std::nullopt;
  const uint32_t n = (uint32_t(values[0]) << 18) | (uint32_t(values[1]) << 12) |
                     (uint32_t(values[2]) << 6) | uint32_t(values[3]);
  *out++ = static_cast<char>((n >> 16) & 0xFF);
  if (padding < 2) *out++ = static_cast<char>((n >> 8) & 0xFF);
  if (padding < 1) *out++ = static_cast<char>(n & 0xFF);
  return static_cast<std::size_t>(out - start);
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3, '\0');
  const std::optional<std::size_t> size = base64_decode_to(text, out.data());
  if (!size) return std::nullopt;
  out.resize(*size);
  return out;
}
}  // namespace babyapi::detail
