// base64_decode accepts exactly what base64_encode writes: one spelling per byte string.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "util/base64.hpp"

namespace {

using babyapi::detail::base64_decode;
using babyapi::detail::base64_encode;
using namespace std::string_literals;

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    const std::string encoded = base64_encode(bytes);
    EXPECT_EQ(encoded.size() % 4, 0u);
    EXPECT_EQ(base64_decode(encoded), std::optional<std::string>(bytes)) << encoded;
    bytes.push_back(static_cast<char>(i * 37 + 11));
  }
}

TEST(Base64, KnownValues) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("\xFF\xFE\x00"s), "//4A");
  EXPECT_EQ(base64_decode(""), std::optional<std::string>(""));
  EXPECT_EQ(base64_decode("Zm9vYg=="), std::optional<std::string>("foob"));
  EXPECT_EQ(base64_decode("+/+/"), std::optional<std::string>("\xFB\xFF\xBF"));
}

TEST(Base64, RefusesWhatIsNotCanonical) {
  const std::vector<std::string> refused = {
      // Padding missing, short, misplaced or in excess
      "Zg", "Zg=", "Zm8", "Z", "Zg===", "Zg==Zg==", "Z===", "====", "=Zg=", "Zm=v", "Zm9v=",
      // Bits left over before the padding must be zero: these would all read as "f" or "fo"
      "Zh==", "Zv==", "Zm9=", "Zm+=",
      // Outside the alphabet: whitespace, the URL-safe alphabet, bytes above 0x7f, NUL
      "Zm9v\n", " Zm9v", "Zm 9v", "Zm9-", "Zm9_", "Zm9\xC3", "Zm9\0"s, "Zm9."};
  for (const std::string& text : refused) {
    EXPECT_EQ(base64_decode(text), std::nullopt) << "'" << text << "'";
  }
}

}  // namespace
