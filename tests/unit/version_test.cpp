// babyapi::version() comes from the compiled library; the macros from the headers in use.
#include <gtest/gtest.h>

#include <string>

#include "babyapi/version.hpp"

namespace {

TEST(Version, LibraryMatchesTheseHeaders) {
  EXPECT_STREQ(babyapi::version(), BABYAPI_VERSION_STRING);
  EXPECT_TRUE(babyapi::check_version());
  const babyapi::Version v = babyapi::library_version();
  EXPECT_EQ(v.major, BABYAPI_VERSION_MAJOR);
  EXPECT_EQ(v.minor, BABYAPI_VERSION_MINOR);
  EXPECT_EQ(v.patch, BABYAPI_VERSION_PATCH);
  EXPECT_EQ(std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch),
            babyapi::version());
}

}  // namespace
