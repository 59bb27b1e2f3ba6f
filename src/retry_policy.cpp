#include "retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <limits>
#include <locale>
#include <random>
#include <sstream>

#include "util/strings.hpp"

namespace babyapi::detail {
namespace {

using std::chrono::milliseconds;

double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

const std::string* find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

// Days since 1970-01-01 for a proleptic Gregorian date; avoids timegm, which is not standard C++.
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

}  // namespace

RetryPolicy::RetryPolicy(RetryConfig config, Clock clock, Random random)
    : config_(config),
      clock_(clock ? std::move(clock) : Clock(&std::chrono::system_clock::now)),
      random_(random ? std::move(random) : Random(&default_random)) {}

bool RetryPolicy::is_retryable(const AttemptOutcome& outcome) const {
  if (outcome.headers != nullptr) {
    if (const std::string* should = find_header(*outcome.headers, "x-should-retry")) {
      if (iequals(trim(*should), "true")) return true;
      if (iequals(trim(*should), "false")) return false;
    }
  }
  const int s = outcome.status;
  return s == 0 || s == 408 || s == 409 || s == 429 || s >= 500;
}

std::optional<milliseconds> RetryPolicy::next_delay(int retries_done,
                                                    const AttemptOutcome& outcome) const {
  if (retries_done >= config_.max_retries || !is_retryable(outcome)) return std::nullopt;
  if (outcome.headers != nullptr) {
    if (auto requested = server_delay(*outcome.headers)) {
      // A wait longer than the caller accepts is not slept through: the error goes back at once,
      // with its retry_after() for the caller to decide.
      if (*requested > config_.max_retry_after) return std::nullopt;
      return requested;
    }
  }
  return backoff(retries_done);
}

std::optional<milliseconds> RetryPolicy::server_delay(const HeaderList& headers) const {
  // Saturated here, so that no date or number a server sends can overflow std::chrono below.
  constexpr double kMaxMs = 1e12;  // about 31 years
  std::optional<milliseconds> delay;
  if (const std::string* ms = find_header(headers, "retry-after-ms")) {
    if (auto value = parse_non_negative_number(*ms)) {
      delay = milliseconds(static_cast<long long>(std::min(*value, kMaxMs)));
    }
  }
  if (!delay) {
    if (const std::string* after = find_header(headers, "retry-after")) {
      if (auto seconds = parse_non_negative_number(*after)) {
        delay = milliseconds(static_cast<long long>(std::min(*seconds * 1000.0, kMaxMs)));
      } else if (auto when = parse_http_date_seconds(*after)) {
        const long long now_s =
            std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
        const double until_ms = (static_cast<double>(*when) - static_cast<double>(now_s)) * 1000.0;
        delay = milliseconds(static_cast<long long>(std::clamp(until_ms, 0.0, kMaxMs)));
      }
    }
  }
  return delay;
}

milliseconds RetryPolicy::backoff(int retries_done) const {
  const double base = static_cast<double>(config_.base_delay.count());
  const double cap = static_cast<double>(config_.max_delay.count());
  const double exponential = std::min(base * std::pow(2.0, std::min(retries_done, 62)), cap);
  // Jitter takes off up to a quarter so that many clients do not retry in lockstep.
  const double jittered = exponential * (1.0 - 0.25 * random_());
  return milliseconds(static_cast<long long>(std::llround(jittered)));
}

std::optional<long long> parse_http_date_seconds(std::string_view text) {
  static const char* const kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %d %H:%M:%S %Y",       // asctime:     Sun Nov  6 08:49:37 1994
  };
  const std::string input(trim(text));
  for (const char* format : kFormats) {
    std::tm tm{};
    std::istringstream in(input);
    in.imbue(std::locale::classic());
    in >> std::get_time(&tm, format);
    if (in.fail()) continue;
    in >> std::ws;
    if (!in.eof()) continue;
    const long long days =
        days_from_civil(tm.tm_year + 1900LL, static_cast<unsigned>(tm.tm_mon + 1),
                        static_cast<unsigned>(tm.tm_mday));
    return days * 86400 + tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec;
  }
  return std::nullopt;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  const std::optional<long long> seconds = parse_http_date_seconds(text);
  if (!seconds) return std::nullopt;
  // system_clock counts nanoseconds here: past about the year 2262 a date no longer fits.
  using Limits = std::numeric_limits<std::chrono::system_clock::rep>;
  const long long max_seconds =
      static_cast<long long>(Limits::max() / std::chrono::system_clock::period::den *
                             std::chrono::system_clock::period::num);
  const long long clamped = std::clamp(*seconds, -max_seconds, max_seconds);
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(clamped)));
}

}  // namespace babyapi::detail
