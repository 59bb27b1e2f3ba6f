#include "util/log.hpp"

#include <cstdlib>
#include <mutex>

#include "util/strings.hpp"

namespace babyapi::detail {
namespace {

void append_hex_escape(std::string& out, unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out.push_back(kHex[byte >> 4]);
  out.push_back(kHex[byte & 0x0F]);
}

}  // namespace

LogLevel log_level() noexcept {
  static const LogLevel level = [] {
    const char* value = std::getenv("BABYAPI_LOG");
    if (value == nullptr) return LogLevel::kWarn;
    if (iequals(value, "debug")) return LogLevel::kDebug;
    if (iequals(value, "info")) return LogLevel::kInfo;
    if (iequals(value, "warn") || iequals(value, "warning")) return LogLevel::kWarn;
    return LogLevel::kOff;
  }();
  return level;
}

std::string escape_log_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {  // U+0080..U+009F in UTF-8
        append_hex_escape(out, byte);
        append_hex_escape(out, next);
        ++i;
        continue;
      }
    }
    if (byte >= 0x20 && byte != 0x7F) {
      out.push_back(static_cast<char>(byte));
    } else if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\r') {
      out += "\\r";
    } else if (byte == '\t') {
      out += "\\t";
    } else {
      append_hex_escape(out, byte);
    }
  }
  return out;
}

void write_log_line(std::FILE* out, LogLevel level, std::string_view message) noexcept {
  const char* const name = level == LogLevel::kDebug  ? "debug"
                           : level == LogLevel::kWarn ? "warning"
                                                      : "info";
  try {
    const std::string text = escape_log_text(message);
    // Escaped text holds no NUL, so %s prints all of it.
    std::fprintf(out, "[babyapi %s] %s\n", name, text.c_str());
  } catch (...) {
    // Out of memory while escaping: say so rather than print the raw text.
    std::fprintf(out, "[babyapi %s] (log message dropped: out of memory)\n", name);
  }
}

void log_line(LogLevel level, const std::string& message) noexcept {
  if (!log_enabled(level)) return;
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  write_log_line(stderr, level, message);
}

void log_line(const LogSink& sink, LogLevel level, const std::string& message) noexcept {
  if (!sink) {
    log_line(level, message);
    return;
  }
  if (!log_enabled(level)) return;
  try {
    sink(level, escape_log_text(message));
  } catch (...) {
    // A sink that throws loses its line; the call it describes goes on.
  }
}

}  // namespace babyapi::detail
