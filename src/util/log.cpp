#include "util/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "util/strings.hpp"

namespace babyapi::detail {

LogLevel log_level() noexcept {
  static const LogLevel level = [] {
    const char* value = std::getenv("BABYAPI_LOG");
    if (value == nullptr) return LogLevel::kOff;
    if (iequals(value, "debug")) return LogLevel::kDebug;
    if (iequals(value, "info")) return LogLevel::kInfo;
    return LogLevel::kOff;
  }();
  return level;
}

void log_line(LogLevel level, const std::string& message) noexcept {
  if (!log_enabled(level)) return;
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::fprintf(stderr, "[babyapi %s] %s\n", level == LogLevel::kDebug ? "debug" : "info",
               message.c_str());
}

}  // namespace babyapi::detail
