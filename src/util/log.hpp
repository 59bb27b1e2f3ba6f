// Diagnostics on stderr, switched on by the BABYAPI_LOG environment variable ("info": retries and
// errors; "debug": every request and answer too). Never prints credentials.
#pragma once

#include <string>

namespace babyapi::detail {

enum class LogLevel { kOff = 0, kInfo = 1, kDebug = 2 };

LogLevel log_level() noexcept;
inline bool log_enabled(LogLevel level) noexcept { return log_level() >= level; }
void log_line(LogLevel level, const std::string& message) noexcept;

}  // namespace babyapi::detail
