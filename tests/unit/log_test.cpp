// Log lines carry text servers sent; they must not be able to forge a line or drive a terminal.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "util/log.hpp"

namespace {

using babyapi::detail::escape_log_text;
using babyapi::detail::LogLevel;
using babyapi::detail::write_log_line;
using namespace std::string_literals;

TEST(LogEscape, ControlBytesBecomeVisibleEscapes) {
  EXPECT_EQ(escape_log_text("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(escape_log_text("\0\x01\x1b[31m\x1f\x7f"s), "\\x00\\x01\\x1b[31m\\x1f\\x7f");
  // C1 controls in UTF-8 (here NEL and the 8-bit CSI) are escaped byte by byte.
  EXPECT_EQ(escape_log_text("x\xC2\x85y\xC2\x9B"), "x\\xc2\\x85y\\xc2\\x9b");
}

TEST(LogEscape, PrintableTextAndUtf8StayAsTheyAre) {
  const std::string text =
      "{\"error\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xC2\xA0 \\\"quoted\\\" \\n\"} ~";
  EXPECT_EQ(escape_log_text(text), text);
  EXPECT_EQ(escape_log_text(""), "");
  EXPECT_EQ(escape_log_text("\xC2"), "\xC2");  // a cut sequence is not a C1 control
}

std::string written(LogLevel level, const std::string& message) {
  std::FILE* file = std::tmpfile();
  EXPECT_NE(file, nullptr);
  if (file == nullptr) return {};
  write_log_line(file, level, message);
  std::rewind(file);
  std::string out;
  char buffer[256];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) out.append(buffer, n);
  std::fclose(file);
  return out;
}

// What a server echoes into an error message cannot start a line of its own.
TEST(LogLine, AnEchoedValueCannotForgeALine) {
  const std::string echoed = "Unknown model 'x'\n[babyapi info] retry 1 succeeded\r\n";
  const std::string line = written(LogLevel::kInfo, "POST /v1/chat -> 404: " + echoed);
  EXPECT_EQ(line,
            "[babyapi info] POST /v1/chat -> 404: Unknown model 'x'\\n[babyapi info] retry 1 "
            "succeeded\\r\\n\n");
  EXPECT_EQ(written(LogLevel::kDebug, "nul\0after"s), "[babyapi debug] nul\\x00after\n");
}

}  // namespace
