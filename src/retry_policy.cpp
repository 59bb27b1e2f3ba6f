#include "retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iomanip>
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
    if (auto requested = server_delay(*outcome.headers)) return requested;
  }
  return backoff(retries_done);
}

std::optional<milliseconds> RetryPolicy::server_delay(const HeaderList& headers) const {
  std::optional<milliseconds> delay;
  if (const std::string* ms = find_header(headers, "retry-after-ms")) {
    if (auto value = parse_non_negative_number(*ms)) {
      delay = milliseconds(static_cast<long long>(std::min(*value, 1e12)));
    }
  }
  if (!delay) {
    if (const std::string* after = find_header(headers, "retry-after")) {
      if (auto seconds = parse_non_negative_number(*after)) {
        delay = milliseconds(static_cast<long long>(std::min(*seconds, 1e9) * 1000.0));
      } else if (auto when = parse_http_date(*after)) {
        const auto until = std::chrono::duration_cast<milliseconds>(*when - clock_());
        delay = std::max(until, milliseconds(0));
      }
    }
  }
  if (delay) delay = std::min(*delay, config_.max_retry_after);
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

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
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
    const long long seconds = days * 86400 + tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec;
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
  }
  return std::nullopt;
}

}  // namespace babyapi::detail
