// FNV-1a 64-bit, as hex: the checksum babyapi-emulator logs for every uploaded file part.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace babyapi::testing {

class Fnv1a64 {
 public:
  void update(std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash_ ^= c;
      hash_ *= 0x100000001b3ULL;
    }
  }
  std::string hex() const {
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash_));
    return out;
  }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

inline std::string fnv1a64_hex(std::string_view bytes) {
  Fnv1a64 hash;
  hash.update(bytes);
  return hash.hex();
}

}  // namespace babyapi::testing
