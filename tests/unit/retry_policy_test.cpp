#include "retry_policy.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace babyapi::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

// 2026-01-01T00:00:00Z, the fixed "now" of these tests.
const system_clock::time_point kNow = system_clock::time_point(seconds(1767225600));

RetryPolicy policy(int max_retries = 3, double random = 0.0) {
  RetryConfig config;
  config.max_retries = max_retries;
  config.base_delay = milliseconds(250);
  config.max_delay = milliseconds(8000);
  return RetryPolicy(
      config, [] { return kNow; }, [random] { return random; });
}

std::optional<milliseconds> delay_for(int status, HeaderList headers = {}, int retries_done = 0) {
  return policy().next_delay(retries_done, AttemptOutcome{status, &headers});
}

struct StatusCase {
  int status;
  bool retried;
};

class RetryStatusTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(RetryStatusTest, RetriesExactlyTheTransientStatuses) {
  EXPECT_EQ(delay_for(GetParam().status).has_value(), GetParam().retried)
      << "status " << GetParam().status;
}

INSTANTIATE_TEST_SUITE_P(Statuses, RetryStatusTest,
                         ::testing::Values(StatusCase{0, true}, StatusCase{400, false},
                                           StatusCase{401, false}, StatusCase{403, false},
                                           StatusCase{404, false}, StatusCase{408, true},
                                           StatusCase{409, true}, StatusCase{422, false},
                                           StatusCase{429, true}, StatusCase{500, true},
                                           StatusCase{502, true}, StatusCase{503, true},
                                           StatusCase{504, true}, StatusCase{599, true}),
                         [](const ::testing::TestParamInfo<StatusCase>& info) {
                           return "status_" + std::to_string(info.param.status);
                         });

TEST(RetryPolicyTest, ConnectionFailureWithoutHeadersIsRetried) {
  EXPECT_EQ(policy().next_delay(0, AttemptOutcome{0, nullptr}), milliseconds(250));
}

TEST(RetryPolicyTest, ShouldRetryHeaderOverridesTheStatus) {
  EXPECT_FALSE(delay_for(503, {{"X-Should-Retry", "false"}}).has_value());
  EXPECT_TRUE(delay_for(400, {{"x-should-retry", "true"}}).has_value());
  // Anything but true/false leaves the decision to the status.
  EXPECT_TRUE(delay_for(503, {{"x-should-retry", "maybe"}}).has_value());
  EXPECT_FALSE(delay_for(400, {{"x-should-retry", "maybe"}}).has_value());
}

TEST(RetryPolicyTest, BudgetIsMaxRetries) {
  HeaderList none;
  const RetryPolicy p = policy(2);
  EXPECT_TRUE(p.next_delay(0, AttemptOutcome{503, &none}).has_value());
  EXPECT_TRUE(p.next_delay(1, AttemptOutcome{503, &none}).has_value());
  EXPECT_FALSE(p.next_delay(2, AttemptOutcome{503, &none}).has_value());
  EXPECT_FALSE(policy(0).next_delay(0, AttemptOutcome{503, &none}).has_value());
}

TEST(RetryPolicyTest, BackoffDoublesAndIsCapped) {
  const RetryPolicy p = policy(100);
  EXPECT_EQ(p.backoff(0), milliseconds(250));
  EXPECT_EQ(p.backoff(1), milliseconds(500));
  EXPECT_EQ(p.backoff(2), milliseconds(1000));
  EXPECT_EQ(p.backoff(5), milliseconds(8000));
  EXPECT_EQ(p.backoff(60), milliseconds(8000));
}

TEST(RetryPolicyTest, JitterTakesOffUpToAQuarter) {
  EXPECT_EQ(policy(3, 0.0).backoff(2), milliseconds(1000));
  EXPECT_EQ(policy(3, 0.5).backoff(2), milliseconds(875));
  EXPECT_EQ(policy(3, 0.999).backoff(2), milliseconds(750));
}

TEST(RetryPolicyTest, RetryAfterMsWins) {
  EXPECT_EQ(delay_for(429, {{"retry-after-ms", "1500"}, {"retry-after", "9"}}), milliseconds(1500));
  EXPECT_EQ(delay_for(429, {{"Retry-After-Ms", "12.7"}}), milliseconds(12));
}

TEST(RetryPolicyTest, RetryAfterSeconds) {
  EXPECT_EQ(delay_for(503, {{"Retry-After", "3"}}), milliseconds(3000));
  EXPECT_EQ(delay_for(503, {{"retry-after", "0.5"}}), milliseconds(500));
  EXPECT_EQ(delay_for(503, {{"retry-after", "0"}}), milliseconds(0));
}

TEST(RetryPolicyTest, RetryAfterHttpDate) {
  // kNow + 7 s in each of HTTP's three date forms.
  EXPECT_EQ(delay_for(503, {{"retry-after", "Thu, 01 Jan 2026 00:00:07 GMT"}}), milliseconds(7000));
  EXPECT_EQ(delay_for(503, {{"retry-after", "Thursday, 01-Jan-26 00:00:07 GMT"}}),
            milliseconds(7000));
  EXPECT_EQ(delay_for(503, {{"retry-after", "Thu Jan  1 00:00:07 2026"}}), milliseconds(7000));
  // A date in the past means "now".
  EXPECT_EQ(delay_for(503, {{"retry-after", "Wed, 31 Dec 2025 23:59:00 GMT"}}), milliseconds(0));
}

TEST(RetryPolicyTest, RetryAfterPastMaxRetryAfterIsNotWaitedFor) {
  EXPECT_EQ(delay_for(429, {{"retry-after", "60"}}), milliseconds(60000));
  EXPECT_FALSE(delay_for(429, {{"retry-after", "3600"}}).has_value());
  EXPECT_FALSE(delay_for(429, {{"retry-after-ms", "90000"}}).has_value());
  EXPECT_FALSE(delay_for(429, {{"retry-after", "Fri, 02 Jan 2026 00:00:00 GMT"}}).has_value());
}

TEST(RetryPolicyTest, FarFutureDatesSaturateInsteadOfOverflowing) {
  // Past 2262 a date no longer fits system_clock's nanoseconds; the delay saturates, and it is
  // never the tiny value a wrapped-around subtraction would give.
  const HeaderList far = {{"retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"}};
  const auto delay = policy().server_delay(far);
  ASSERT_TRUE(delay.has_value());
  EXPECT_GE(*delay, milliseconds(std::chrono::hours(24 * 365 * 30)));
  EXPECT_FALSE(delay_for(429, far).has_value());
  const HeaderList huge = {{"retry-after", "99999999999999999999"}};
  EXPECT_GE(*policy().server_delay(huge), milliseconds(std::chrono::hours(24 * 365 * 30)));
  EXPECT_TRUE(parse_http_date("Sun, 01 Jan 2300 00:00:00 GMT").has_value());
}

TEST(RetryPolicyTest, UnparseableRetryAfterFallsBackToBackoff) {
  EXPECT_EQ(delay_for(503, {{"retry-after", "soon"}}, 1), milliseconds(500));
  EXPECT_EQ(delay_for(503, {{"retry-after", "-3"}}, 0), milliseconds(250));
  EXPECT_EQ(delay_for(503, {{"retry-after-ms", "abc"}}, 0), milliseconds(250));
}

TEST(RetryPolicyTest, RetryAfterDoesNotMakeANonRetryableStatusRetry) {
  EXPECT_FALSE(delay_for(400, {{"retry-after", "1"}}).has_value());
}

TEST(HttpDateTest, ParsesTheThreeFormsAndRejectsJunk) {
  const auto expected = system_clock::time_point(seconds(784111777));  // 1994-11-06T08:49:37Z
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_FALSE(parse_http_date("yesterday").has_value());
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing").has_value());
  EXPECT_FALSE(parse_http_date("").has_value());
}

}  // namespace
}  // namespace babyapi::detail
