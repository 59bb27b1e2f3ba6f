// Diagnostics on stderr, chosen by the BABYAPI_LOG environment variable: warnings (a request that
// uses parameters current servers ignore) by default, "off" for none, "info" for retries and
// errors too, "debug" for every request and answer too. Never prints credentials.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "babyapi/options.hpp"

namespace babyapi::detail {

using babyapi::LogLevel;  // public: include/babyapi/options.hpp

LogLevel log_level() noexcept;
inline bool log_enabled(LogLevel level) noexcept { return log_level() >= level; }
// One line on stderr when `level` is enabled, its text escaped as escape_log_text() does.
void log_line(LogLevel level, const std::string& message) noexcept;
// The same, through sink (ClientOptions::logger) when it is set: it gets the escaped message.
// What the sink throws is dropped.
void log_line(const LogSink& sink, LogLevel level, const std::string& message) noexcept;

// Messages carry what servers sent (error text, echoed values), so a log line must not let them
// start a line of their own or drive the terminal: every control byte (below 0x20, and 0x7f)
// becomes \n, \r, \t or \xHH, and so do the two bytes of a C1 control (U+0080..U+009F, e.g. the
// 8-bit CSI some terminals obey). Backslashes stay as they are, so JSON in a message stays
// readable; a "\n" a server wrote as text is two visible characters, never a line break.
std::string escape_log_text(std::string_view text);

// What log_line writes, to any stream: "[babyapi <level>] <escaped message>\n". For tests.
void write_log_line(std::FILE* out, LogLevel level, std::string_view message) noexcept;

}  // namespace babyapi::detail
