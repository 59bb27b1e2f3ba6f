#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "babyapi/errors.hpp"
#include "babyapi/vision.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace babyapi {
namespace {

std::string write_temp(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + "babyapi_vision_" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(ImageDataUrlTest, TypeComesFromMagicBytes) {
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\rIHDR", 8);
  const std::string path = write_temp("named.jpg", png);  // the name lies; the bytes decide
  const std::string url = image_data_url(path);
  const std::string prefix = "data:image/png;base64,";
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
  EXPECT_EQ(detail::base64_decode(url.substr(prefix.size())), png);

  EXPECT_EQ(
      image_data_url(write_temp("a", "\xFF\xD8\xFF\xE0rest")).rfind("data:image/jpeg;base64,", 0),
      0u);
  EXPECT_EQ(image_data_url(write_temp("b", "GIF89a....")).rfind("data:image/gif;base64,", 0), 0u);
  EXPECT_EQ(image_data_url(write_temp("c", std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)))
                .rfind("data:image/webp;base64,", 0),
            0u);
}

TEST(ImageDataUrlTest, OtherFilesAreRefused) {
  EXPECT_THROW(image_data_url(write_temp("d.png", "just text")), BabyAPIError);
  EXPECT_THROW(image_data_url(write_temp("e.png", "")), BabyAPIError);
  EXPECT_THROW(image_data_url(::testing::TempDir() + "babyapi_no_such_file.png"), BabyAPIError);
}

TEST(PercentEncodeTest, EncodesEverythingButUnreserved) {
  EXPECT_EQ(detail::percent_encode_segment("org/model v1.2~x_y-z"), "org%2Fmodel%20v1.2~x_y-z");
  EXPECT_EQ(detail::percent_encode_segment("é?#"), "%C3%A9%3F%23");
}

}  // namespace
}  // namespace babyapi
