#include <gtest/gtest.h>

#include <cstring>

#include "babyapi/embeddings.hpp"
#include "babyapi/errors.hpp"
#include "util/base64.hpp"

namespace babyapi {
namespace {

std::string float_bytes(const std::vector<float>& values) {
  std::string bytes;
  for (float value : values) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  }
  return bytes;
}

TEST(Base64Test, RoundTripsEveryLengthAndAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= bytes.size(); n += 37) {
    const std::string part = bytes.substr(0, n);
    EXPECT_EQ(detail::base64_decode(detail::base64_encode(part)), part) << n;
  }
  EXPECT_EQ(detail::base64_encode("BabyAPI"), "QmFieUFQSQ==");
  EXPECT_EQ(detail::base64_decode("QmFieUFQSQ=="), "BabyAPI");
}

TEST(Base64Test, RejectsMalformedInput) {
  EXPECT_FALSE(detail::base64_decode("abc").has_value());
  EXPECT_FALSE(detail::base64_decode("ab=c").has_value());
  EXPECT_FALSE(detail::base64_decode("a*cd").has_value());
  EXPECT_FALSE(detail::base64_decode("ab==abcd").has_value());
}

TEST(DecodeEmbeddingTest, FloatAndBase64GiveTheSameVector) {
  const std::vector<float> values = {0.25f, -1.5f, 3.0e-8f, 1234.5f};
  const Json as_floats = {{"object", "embedding"}, {"index", 0}, {"embedding", values}};
  const Json as_base64 = {{"object", "embedding"},
                          {"index", 0},
                          {"embedding", detail::base64_encode(float_bytes(values))}};
  EXPECT_EQ(decode_embedding(as_floats), values);
  EXPECT_EQ(decode_embedding(as_base64), values);
  EXPECT_EQ(decode_embedding(as_floats["embedding"]), values);  // the bare value works too
}

TEST(DecodeEmbeddingTest, MalformedItemsAreErrors) {
  EXPECT_THROW(decode_embedding(Json{{"embedding", "not base64!"}}), BabyAPIError);
  EXPECT_THROW(decode_embedding(Json{{"embedding", detail::base64_encode("abcde")}}), BabyAPIError);
  EXPECT_THROW(decode_embedding(Json{{"embedding", {1, "two"}}}), BabyAPIError);
  EXPECT_THROW(decode_embedding(Json{{"index", 0}}), BabyAPIError);
  EXPECT_THROW(decode_embedding(Json(42)), BabyAPIError);
}

}  // namespace
}  // namespace babyapi
