// The retry policy as a pure function of (retries so far, what the last attempt gave, the clock,
// a random draw): whether to try again and after how long. Clock and randomness are injected so
// tests can pin them.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "babyapi/response.hpp"

namespace babyapi::detail {

struct RetryConfig {
  int max_retries = 2;
  std::chrono::milliseconds base_delay{250};
  std::chrono::milliseconds max_delay{8000};
  // A server asking for a longer wait than this is not retried.
  std::chrono::milliseconds max_retry_after{60000};
};

// What one attempt produced: an HTTP status with headers, or no answer (status 0).
struct AttemptOutcome {
  int status = 0;
  const HeaderList* headers = nullptr;
};

class RetryPolicy {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using Random = std::function<double()>;  // uniform in [0, 1)

  explicit RetryPolicy(RetryConfig config, Clock clock = nullptr, Random random = nullptr);

  // Whether this outcome is worth another attempt at all (ignores the budget).
  bool is_retryable(const AttemptOutcome& outcome) const;
  // The delay before the next attempt, or nullopt to stop. retries_done counts the retries already
  // made before the attempt that produced outcome.
  std::optional<std::chrono::milliseconds> next_delay(int retries_done,
                                                      const AttemptOutcome& outcome) const;
  // The server's requested delay from retry-after-ms / retry-after (seconds or HTTP date), if any,
  // saturated (never overflowing) but not capped.
  std::optional<std::chrono::milliseconds> server_delay(const HeaderList& headers) const;
  std::chrono::milliseconds backoff(int retries_done) const;

  const RetryConfig& config() const noexcept { return config_; }

 private:
  RetryConfig config_;
  Clock clock_;
  Random random_;
};

// Parses an HTTP date (IMF-fixdate, RFC 850 or asctime form), as used by Retry-After.
// Saturates at the clock's range for dates it cannot represent.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);
// The same date as seconds since 1970, which any year fits.
std::optional<long long> parse_http_date_seconds(std::string_view text);

}  // namespace babyapi::detail
