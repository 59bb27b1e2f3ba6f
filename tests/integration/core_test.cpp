// The core SDK over real loopback sockets against babyapi-emulator: chat and completions, retries,
// errors, timeouts, headers and connection reuse.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "client_core.hpp"
#include "emulator_test.hpp"
#include "options_resolve.hpp"
#include "util/strings.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;
using testing::EmulatorProcess;

// A core with the real curl transport whose retry sleeps are recorded instead of slept.
struct RecordingClient {
  explicit RecordingClient(const EmulatorProcess& emulator)
      : core(std::make_shared<detail::ClientCore>(
            detail::resolve_options(emulator.client_options()), detail::make_curl_transport({}),
            [this](milliseconds delay) { sleeps.push_back(delay); }, nullptr, [] { return 0.0; })),
        chat(core) {}
  std::vector<milliseconds> sleeps;
  CorePtr core;
  ChatCompletions chat;
};

class CoreTest : public testing::EmulatorTest {
 protected:
  static RequestOptions with_fault(const std::string& fault) {
    return with_header("x-emulator-fault", fault);
  }
  static std::string unique(const std::string& stem) {
    return stem + ";id=" + EmulatorTest::unique();
  }
};

TEST_F(CoreTest, ChatEchoesTheLastUserMessage) {
  Client client(emulator().client_options());
  Response res = client.chat.completions.create(
      {{"model", "mixtral"},
       {"messages",
        {{{"role", "system"}, {"content", "You are concise."}},
         {{"role", "user"}, {"content", "Give me 3 tagline ideas"}}}},
       {"temperature", 0.7}});
  EXPECT_EQ(res.status(), 200);
  EXPECT_EQ(res["choices"][0]["message"]["content"], "Give me 3 tagline ideas");
  EXPECT_EQ(res["model"], "mixtral");
  const Json& as_json = res;
  EXPECT_TRUE(as_json.contains("usage"));
  EXPECT_FALSE(res.request_id().empty());
  EXPECT_EQ(res.header("X-REQUEST-ID"), res.request_id());
}

TEST_F(CoreTest, CompletionsEchoThePrompt) {
  Client client(emulator().client_options());
  Response res = client.completions.create(
      {{"model", "mistral"}, {"prompt", "Write a friendly opener"}, {"max_tokens", 120}});
  EXPECT_EQ(res["choices"][0]["text"], "Write a friendly opener");
  EXPECT_EQ(res.get("missing"), Json());
  EXPECT_THROW(res["missing"], babyapi::JsonAccessError);
}

TEST_F(CoreTest, ParamsArePassedThroughAsGiven) {
  Client client(emulator().client_options());
  const Json params = {{"model", "mistral"},
                       {"prompt", "pass-through check"},
                       {"max_tokens", 7},
                       {"x_custom", {{"nested", true}}}};
  RequestOptions options;
  options.headers = {{"x-test-tag", unique("pass")}};
  client.completions.create(params, options);
  const std::vector<Json> sent = logged(options.headers["x-test-tag"]);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(Json::parse(sent[0]["body"].get<std::string>()), params);
  EXPECT_EQ(sent[0]["path"], "/v1/completions");
}

TEST_F(CoreTest, EachRetryableStatusRecoversWithinTheBudget) {
  for (int status : {408, 409, 429, 500, 502, 503, 504}) {
    Client client(emulator().client_options());  // max_retries 2
    const std::string fault = unique("status=" + std::to_string(status) + ";times=2");
    Response res = client.chat.completions.create(chat_params("recover"), with_fault(fault));
    EXPECT_EQ(res["choices"][0]["message"]["content"], "recover") << status;
    const auto attempts = logged(fault, "x-emulator-fault");
    ASSERT_EQ(attempts.size(), 3u) << status;
    // The retry count travels with each attempt.
    for (size_t i = 0; i < attempts.size(); ++i) {
      EXPECT_EQ(attempts[i]["headers"].value("x-babyapi-retry-count", ""), std::to_string(i));
    }
  }
}

TEST_F(CoreTest, ExhaustedRetriesThrowTheLastStatusClass) {
  Client client(emulator().client_options());
  const std::string fault = unique("status=503;times=5");
  EXPECT_THROW(client.chat.completions.create(chat_params("x"), with_fault(fault)),
               InternalServerError);
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 3u);
}

TEST_F(CoreTest, NonRetryableStatusThrowsItsClassAtOnce) {
  Client client(emulator().client_options());
  const std::string fault = unique("status=404;times=5");
  try {
    client.chat.completions.create(chat_params("x"), with_fault(fault));
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& error) {
    EXPECT_EQ(error.status(), 404);
    EXPECT_FALSE(error.message().empty());
    EXPECT_FALSE(error.request_id().empty());
  }
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 1u);
}

TEST_F(CoreTest, ShouldRetryFalseStopsRetries) {
  Client client(emulator().client_options());
  const std::string fault = unique("status=503;times=5;should-retry=false");
  EXPECT_THROW(client.chat.completions.create(chat_params("x"), with_fault(fault)),
               InternalServerError);
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 1u);
}

TEST_F(CoreTest, MaxRetriesZeroInRequestOptionsDisablesRetries) {
  Client client(emulator().client_options());
  const std::string fault = unique("status=503;times=1");
  RequestOptions options = with_fault(fault);
  options.max_retries = 0;
  EXPECT_THROW(client.chat.completions.create(chat_params("x"), options), InternalServerError);
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 1u);
}

TEST_F(CoreTest, MaxRetriesInClientOptionsSetsTheBudget) {
  ClientOptions options = emulator().client_options();
  options.max_retries = 4;
  Client client(options);
  const std::string fault = unique("status=429;times=4");
  EXPECT_NO_THROW(client.chat.completions.create(chat_params("x"), with_fault(fault)));
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 5u);
}

TEST_F(CoreTest, RetryAfterHeadersSetTheDelay) {
  RecordingClient recording(emulator());
  recording.chat.create(chat_params("x"), with_fault(unique("status=429;times=1;retry-after=3")));
  recording.chat.create(chat_params("x"),
                        with_fault(unique("status=503;times=1;retry-after-ms=1500")));
  recording.chat.create(chat_params("x"),
                        with_fault(unique("status=503;times=1;retry-after-date=30")));
  recording.chat.create(chat_params("x"), with_fault(unique("status=503;times=1")));
  ASSERT_EQ(recording.sleeps.size(), 4u);
  EXPECT_EQ(recording.sleeps[0], milliseconds(3000));
  EXPECT_EQ(recording.sleeps[1], milliseconds(1500));
  // An HTTP date has one-second resolution and is measured against our clock.
  EXPECT_GE(recording.sleeps[2], milliseconds(28000));
  EXPECT_LE(recording.sleeps[2], milliseconds(31000));
  EXPECT_EQ(recording.sleeps[3], milliseconds(1));  // retry_base_delay of the test options
}

TEST_F(CoreTest, RealSleepsHonourRetryAfterMs) {
  Client client(emulator().client_options());
  const std::string fault = unique("status=503;times=1;retry-after-ms=300");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_NO_THROW(client.chat.completions.create(chat_params("x"), with_fault(fault)));
  // The test options' own back-off is 1 ms: only the server's 300 ms explains a longer call, and
  // the real sleeper cannot wake before it (a lower bound, never a race).
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(300));
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 2u);
}

TEST_F(CoreTest, DroppedConnectionsAreRetried) {
  Client client(emulator().client_options());
  const std::string fault = unique("drop=1;times=2");
  Response res = client.chat.completions.create(chat_params("after drops"), with_fault(fault));
  EXPECT_EQ(res["choices"][0]["message"]["content"], "after drops");
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 3u);
}

TEST_F(CoreTest, DroppedConnectionsBeyondTheBudgetThrowAPIConnectionError) {
  Client client(emulator().client_options());
  const std::string fault = unique("drop=1;times=10");
  try {
    client.chat.completions.create(chat_params("x"), with_fault(fault));
    FAIL() << "expected APIConnectionError";
  } catch (const APITimeoutError&) {
    FAIL() << "a drop is not a timeout";
  } catch (const APIConnectionError& error) {
    EXPECT_EQ(error.status(), 0);
    EXPECT_NE(std::string(error.what()).find("127.0.0.1"), std::string::npos);
  }
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 3u);
}

TEST_F(CoreTest, DeadlineGivesAPITimeoutError) {
  Client client(emulator().client_options());
  RequestOptions options = with_fault(unique("delay-ms=30000"));
  options.timeout = milliseconds(200);
  options.max_retries = 0;
  EXPECT_THROW(client.chat.completions.create(chat_params("x"), options), APITimeoutError);
}

TEST_F(CoreTest, RequestIdIsOnErrors) {
  Client client(emulator().client_options());
  RequestOptions options = with_fault(unique("status=400"));
  try {
    client.chat.completions.create(chat_params("x"), options);
    FAIL() << "expected BadRequestError";
  } catch (const BadRequestError& error) {
    EXPECT_EQ(error.request_id().rfind("req_", 0), 0u) << error.request_id();
    EXPECT_NE(std::string(error.what()).find(error.request_id()), std::string::npos);
  }
}

TEST_F(CoreTest, ServerValidationErrorsCarryTheirMessage) {
  Client client(emulator().client_options());
  try {
    client.chat.completions.create({{"model", "mistral"}, {"messages", Json::array()}});
    FAIL() << "expected BadRequestError";
  } catch (const BadRequestError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_NE(error.message().find("messages"), std::string::npos) << error.message();
    EXPECT_EQ(error.param(), "messages");
  }
}

TEST_F(CoreTest, WrongKeyIsAuthenticationErrorAndTheKeyNeverShows) {
  ClientOptions options = emulator().client_options();
  options.api_key = "sk-wrong-secret-value";
  Client client(options);
  try {
    client.chat.completions.create(chat_params("x"));
    FAIL() << "expected AuthenticationError";
  } catch (const AuthenticationError& error) {
    EXPECT_EQ(error.status(), 401);
    EXPECT_EQ(std::string(error.what()).find("sk-wrong-secret-value"), std::string::npos);
    EXPECT_EQ(error.body().find("sk-wrong-secret-value"), std::string::npos);
  }
}

TEST_F(CoreTest, DefaultAndPerCallHeadersBothArrive) {
  ClientOptions options = emulator().client_options();
  options.default_headers = {{"x-app", "my-sideproject"}, {"x-override", "default"}};
  Client client(options);
  RequestOptions per_call;
  const std::string tag = unique("headers");
  per_call.headers = {{"x-trace", "abc123"}, {"X-Override", "per-call"}, {"x-test-tag", tag}};
  client.chat.completions.create(chat_params("x"), per_call);
  const std::vector<Json> sent = logged(tag);
  ASSERT_EQ(sent.size(), 1u);
  {
    const Json& headers = sent[0]["headers"];
    EXPECT_EQ(headers.value("x-app", ""), "my-sideproject");
    EXPECT_EQ(headers.value("x-trace", ""), "abc123");
    // The per-call value replaced the default one; only one of them was sent.
    std::string override_values;
    for (const auto& [name, value] : headers.items()) {
      if (detail::iequals(name, "x-override")) override_values += value.get<std::string>() + ";";
    }
    EXPECT_EQ(override_values, "per-call;");
    EXPECT_EQ(headers.value("user-agent", headers.value("User-Agent", "")),
              std::string("babyapi-cpp/") + BABYAPI_VERSION_STRING);
    EXPECT_EQ(headers.value("content-type", headers.value("Content-Type", "")), "application/json");
  }
}

TEST_F(CoreTest, SequentialCallsReuseOneConnection) {
  Client client(emulator().client_options());
  std::set<std::string> ports;
  for (int i = 0; i < 10; ++i) {
    Response res = client.completions.create({{"model", "mistral"}, {"prompt", "ping"}});
    ports.insert(res.header("x-emulator-remote-port"));
  }
  EXPECT_EQ(ports.size(), 1u);
  EXPECT_FALSE(ports.begin()->empty());
}

TEST_F(CoreTest, OneClientSharedByThreads) {
  Client client(emulator().client_options());
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&client, &answered, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string prompt = "thread " + std::to_string(t) + " call " + std::to_string(i);
        if (i % 5 == 4) {
          std::string text;
          for (const SSEEvent& event :
               client.completions.stream({{"model", "mistral"}, {"prompt", prompt}})) {
            text += event.text();
          }
          if (text == prompt) ++answered;
        } else if (client.completions.create(
                       {{"model", "mistral"}, {"prompt", prompt}})["choices"][0]["text"] ==
                   prompt) {
          ++answered;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), 80);
}

TEST_F(CoreTest, ClosedClientRefusesCalls) {
  Client client(emulator().client_options());
  client.close();
  EXPECT_THROW(client.completions.create({{"model", "mistral"}, {"prompt", "x"}}), BabyAPIError);
}

TEST_F(CoreTest, MovedClientKeepsWorking) {
  std::optional<Client> first(std::in_place, emulator().client_options());
  Client second(std::move(*first));
  first.reset();  // the source is gone; what moved keeps working
  EXPECT_EQ(
      second.completions.create({{"model", "mistral"}, {"prompt", "moved"}})["choices"][0]["text"],
      "moved");
  Client third(emulator().client_options());
  third = std::move(second);
  EXPECT_EQ(
      third.chat.completions.create(chat_params("assigned"))["choices"][0]["message"]["content"],
      "assigned");
  EXPECT_EQ(third.models.list()["object"], "list");
  EXPECT_THROW(second.models.list(), BabyAPIError);  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace babyapi
