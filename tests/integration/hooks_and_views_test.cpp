// ClientOptions hooks (on_request, on_response, logger, api_key_provider), the chainable with_*
// setters and Client::with_options, over real sockets against the emulator.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "babyapi/babyapi.hpp"
#include "emulator_test.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;

class HooksAndViewsTest : public testing::EmulatorTest {};

TEST_F(HooksAndViewsTest, ObserversSeeEachAttemptOfARetriedCall) {
  std::mutex mutex;
  std::vector<std::string> seen;
  ClientOptions options = emulator().client_options();
  options.with_retry_base_delay(milliseconds(1))
      .with_on_request([&](const HttpRequest& request, int attempt) {
        std::lock_guard<std::mutex> lock(mutex);
        seen.push_back("> " + request.method + " " + std::to_string(attempt));
      })
      .with_on_response([&](const HttpRequest&, const AttemptEnd& end) {
        std::lock_guard<std::mutex> lock(mutex);
        seen.push_back(
            "< " + std::to_string(end.status) + " " + std::to_string(end.attempt) +
            (end.headers != nullptr && find_header(*end.headers, "x-request-id") ? " id" : ""));
      });
  Client client(options);
  const std::string fault = "status=503;times=2;id=" + unique();
  client.chat.completions.create(chat_params("x"),
                                 RequestOptions{}.with_header("x-emulator-fault", fault));
  EXPECT_EQ(seen, (std::vector<std::string>{"> POST 0", "< 503 0 id", "> POST 1", "< 503 1 id",
                                            "> POST 2", "< 200 2 id"}));

  seen.clear();
  for (const SSEEvent& event : client.chat.completions.stream(chat_params("s"))) (void)event;
  client.chat.completions.create_async(chat_params("a")).get();
  EXPECT_EQ(seen, (std::vector<std::string>{"> POST 0", "< 200 0 id", "> POST 0", "< 200 0 id"}));
}

TEST_F(HooksAndViewsTest, AFailureWithoutAnAnswerReachesOnResponseAsAnError) {
  std::vector<std::string> errors;
  ClientOptions options = emulator().client_options().with_max_retries(0).with_on_response(
      [&](const HttpRequest&, const AttemptEnd& end) {
        errors.push_back(end.error != nullptr ? end.error->what() : "none");
      });
  Client client(options);
  EXPECT_THROW(
      client.chat.completions.create(
          chat_params("x"), with_header("x-emulator-fault", "drop=close;times=1;id=" + unique())),
      APIConnectionError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0], "none");
}

TEST_F(HooksAndViewsTest, ARotatingKeyIsAskedForEveryAttempt) {
  std::atomic<int> asked{0};
  ClientOptions options = emulator().client_options();
  const std::string key = options.api_key;
  options.api_key.clear();
  options.with_retry_base_delay(milliseconds(1)).with_api_key_provider([&asked, key] {
    ++asked;
    return key;
  });
  Client client(options);
  const std::string fault = "status=429;times=1;id=" + unique();
  client.chat.completions.create(chat_params("x"), with_header("x-emulator-fault", fault));
  EXPECT_EQ(asked.load(), 2);

  // A wrong key from the provider is what the server judges: 401.
  ClientOptions wrong = emulator().client_options();
  wrong.api_key_provider = [] { return std::string("not-the-key"); };
  Client rejected(wrong);
  EXPECT_THROW(rejected.models.list(), AuthenticationError);
}

TEST_F(HooksAndViewsTest, TheLoggerGetsWhatBabyapiLogWouldPrint) {
  std::vector<std::string> lines;
  ClientOptions options =
      emulator().client_options().with_logger([&lines](LogLevel level, std::string_view line) {
        if (level == LogLevel::kWarn) lines.emplace_back(line);
      });
  Client client(options);
  Json params = chat_params("x");
  params["guided_choice"] = Json::array({"a\nb"});
  client.chat.completions.create(params);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("guided_choice"), std::string::npos);
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
}

TEST_F(HooksAndViewsTest, WithOptionsSharesThePoolAndOverridesDefaults) {
  Client client(emulator().client_options());
  std::string tag;
  RequestOptions tagged_options = tagged(tag);
  Client view = client.with_options(
      RequestOptions{}.with_max_retries(0).with_headers(tagged_options.headers));
  EXPECT_EQ(view.options().max_retries, 0);
  EXPECT_EQ(client.options().max_retries, 2);
  view.chat.completions.create(chat_params("v"));
  EXPECT_EQ(logged(tag).size(), 1u);  // the view's header went out
  // No retry in the view: one attempt of a 503.
  const std::string fault = "status=503;times=0;id=" + unique();
  EXPECT_THROW(
      view.chat.completions.create(chat_params("v"), with_header("x-emulator-fault", fault)),
      InternalServerError);
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 1u);
  // The view's async calls run on the parent's engine, and survive the view itself.
  Future<Response> pending = [&] {
    Client short_lived =
        client.with_options(RequestOptions{}.with_timeout(std::chrono::seconds(20)));
    return short_lived.chat.completions.create_async(chat_params("later"));
  }();
  EXPECT_EQ(pending.get().content(), "later");
  // Closing the view leaves the parent working; per-call-only fields are refused.
  view.close();
  EXPECT_THROW(view.models.list(), BabyAPIError);
  EXPECT_NO_THROW(client.models.list());
  EXPECT_THROW(client.with_options(RequestOptions{}.with_keep_text(true)), BabyAPIError);
}

TEST_F(HooksAndViewsTest, ChainableSettersFillTheSameFieldsAsAggregates) {
  const RequestOptions chained = RequestOptions{}
                                     .with_timeout(std::chrono::seconds(30))
                                     .with_max_retries(0)
                                     .with_header("x-trace", "abc");
  EXPECT_EQ(chained.timeout, milliseconds(30000));
  EXPECT_EQ(chained.max_retries, 0);
  EXPECT_EQ(chained.headers.at("x-trace"), "abc");
  const WaitOptions wait = WaitOptions{}.with_docling_id("node").with_interval(milliseconds(5));
  EXPECT_EQ(wait.docling_id, "node");
  EXPECT_EQ(wait.interval, milliseconds(5));
  const ClientOptions client = ClientOptions{}.with_proxy("").with_header("x-app", "me");
  EXPECT_EQ(client.proxy, std::string());
  EXPECT_EQ(client.default_headers.at("x-app"), "me");
}

}  // namespace
}  // namespace babyapi
