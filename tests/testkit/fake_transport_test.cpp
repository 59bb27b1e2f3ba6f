// The test kit (<babyapi/testing.hpp>) as users meet it: a Client on a FakeTransport, through the
// public API alone. Retries, errors, streams, the async engine, docling waits and the hooks must
// behave as they do over the network, on virtual time.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "babyapi/babyapi.hpp"
#include "babyapi/testing.hpp"

namespace {

using babyapi::Json;
using babyapi::testing::FakeAnswer;
using babyapi::testing::FakeTransport;
using std::chrono::milliseconds;

const Json kChat = {{"model", "mistral"}, {"messages", {{{"role", "user"}, {"content", "Hi"}}}}};

struct Kit {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  babyapi::ClientOptions options = babyapi::testing::fake_options(fake);
};

TEST(FakeTransportTest, AnswersACallAndRecordsWhatWasSent) {
  Kit kit;
  kit.fake->push(FakeAnswer::chat("Hello!").with_header("x-request-id", "req-1"));
  babyapi::Client client(kit.options);
  const babyapi::Response res = client.chat.completions.create(kChat);
  EXPECT_EQ(res["choices"][0]["message"]["content"], "Hello!");
  EXPECT_EQ(res.request_id(), "req-1");

  const babyapi::testing::RecordedRequest sent = kit.fake->last_request();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.path, "/v1/chat/completions");
  EXPECT_EQ(sent.url, "https://fake.babyapi.test/v1/chat/completions");
  EXPECT_EQ(sent.json()["messages"][0]["content"], "Hi");
  ASSERT_NE(sent.header("authorization"), nullptr);
  EXPECT_EQ(*sent.header("Authorization"), "Bearer test-key");
  EXPECT_EQ(kit.fake->pending(), 0u);
}

TEST(FakeTransportTest, RetriesOnVirtualTimeHonouringRetryAfter) {
  Kit kit;
  kit.fake->push(FakeAnswer::error(503, "busy").with_header("retry-after", "3"));
  kit.fake->push(FakeAnswer::chat("done"));
  babyapi::Client client(kit.options);
  EXPECT_EQ(client.chat.completions.create(kChat).content(), "done");
  ASSERT_EQ(kit.fake->request_count(), 2u);
  EXPECT_EQ(*kit.fake->requests()[1].header("x-babyapi-retry-count"), "1");
  EXPECT_EQ(kit.fake->sleeps(), std::vector<milliseconds>{milliseconds(3000)});
}

TEST(FakeTransportTest, ErrorStatusesBecomeTypedErrors) {
  Kit kit;
  kit.fake->push(FakeAnswer::error(404, "The model `nope` does not exist.", "NotFoundError"));
  babyapi::Client client(kit.options);
  try {
    client.chat.completions.create(kChat);
    FAIL() << "expected NotFoundError";
  } catch (const babyapi::NotFoundError& error) {
    EXPECT_EQ(error.status(), 404);
    EXPECT_EQ(error.message(), "The model `nope` does not exist.");
  }
}

TEST(FakeTransportTest, ConnectionFailuresAndTimeoutsAreRetriedThenThrown) {
  Kit kit;
  kit.options.max_retries = 2;
  kit.fake->push(FakeAnswer::refused()).push(FakeAnswer::reset()).push(FakeAnswer::chat("ok"));
  babyapi::Client client(kit.options);
  EXPECT_EQ(client.chat.completions.create(kChat).content(), "ok");
  EXPECT_EQ(kit.fake->request_count(), 3u);
  EXPECT_EQ(kit.fake->sleeps().size(), 2u);

  for (int i = 0; i < 3; ++i) kit.fake->push(FakeAnswer::timeout());
  EXPECT_THROW(client.chat.completions.create(kChat), babyapi::APITimeoutError);
  EXPECT_EQ(kit.fake->request_count(), 6u);
}

TEST(FakeTransportTest, ARequestWithNoAnswerScriptedFailsNamingIt) {
  Kit kit;
  kit.fake->on("GET", "/v1/models", FakeAnswer::json({{"data", Json::array()}}));
  babyapi::Client client(kit.options);
  EXPECT_NO_THROW(client.models.list());
  try {
    client.embeddings.create({{"model", "e"}, {"input", "x"}});
    FAIL() << "expected BabyAPIError";
  } catch (const babyapi::APIConnectionError&) {
    FAIL() << "must not look like a network failure (it would be retried)";
  } catch (const babyapi::BabyAPIError& error) {
    EXPECT_NE(std::string(error.what()).find("POST /v1/embeddings"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(kit.fake->request_count(), 2u);  // not retried
}

TEST(FakeTransportTest, StreamsComeInTheScriptedPiecesAndAccumulate) {
  Kit kit;
  kit.fake->push(FakeAnswer::chat_stream({"Hel", "lo", " world"}));
  babyapi::Client client(kit.options);
  babyapi::Stream stream = client.chat.completions.stream(kChat);
  std::string text;
  for (const babyapi::SSEEvent& event : stream) {
    if (event.done()) break;
    text += event.text();
  }
  EXPECT_EQ(text, "Hello world");
  EXPECT_TRUE(stream.saw_done());
  EXPECT_TRUE(kit.fake->last_request().stream);
  EXPECT_EQ(kit.fake->last_request().json()["stream"], true);

  // A stream split mid-event, then cut: the events before the cut arrive, then the error.
  kit.fake->push(FakeAnswer::sse(
                     {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a", "b\"}}]}\n\n"})
                     .then_reset());
  std::string partial;
  try {
    for (const babyapi::SSEEvent& event : client.chat.completions.stream(kChat)) {
      partial += event.text();
    }
    FAIL() << "expected APIConnectionError";
  } catch (const babyapi::APIConnectionError&) {
  }
  EXPECT_EQ(partial, "ab");
}

TEST(FakeTransportTest, ACancelledStreamThrowsAtItsNextRead) {
  Kit kit;
  kit.fake->push(FakeAnswer::chat_stream({"one", "two", "three"}));
  babyapi::Client client(kit.options);
  babyapi::CancelToken token;
  babyapi::RequestOptions options;
  options.cancel = token;
  std::vector<std::string> seen;
  try {
    for (const babyapi::SSEEvent& event : client.chat.completions.stream(kChat, options)) {
      if (event.text() == "one") token.cancel();
      seen.push_back(event.text());
    }
    FAIL() << "expected APIUserAbortError";
  } catch (const babyapi::APIUserAbortError&) {
  }
  EXPECT_EQ(seen.back(), "one");
}

TEST(FakeTransportTest, FuturesAndBatchesRunOnTheEngineThroughTheFake) {
  Kit kit;
  kit.fake->on("POST", "/v1/embeddings", FakeAnswer::json({{"data", {{{"index", 0}}}}}));
  kit.fake->on("POST", "/v1/embeddings", FakeAnswer::error(400, "bad input"));
  kit.fake->on("POST", "/v1/embeddings",
               FakeAnswer::error(429, "slow down").with_header("retry-after", "2"));
  kit.fake->on("POST", "/v1/embeddings", FakeAnswer::json({{"data", {{{"index", 1}}}}}));
  kit.fake->push(FakeAnswer::chat("async"));
  babyapi::Client client(kit.options);
  EXPECT_EQ(client.chat.completions.create_async(kChat).get().content(), "async");

  babyapi::BatchOptions batch;
  batch.max_in_flight = 1;  // one at a time: the script's order is the items' order
  std::vector<babyapi::Result<babyapi::Response>> results =
      client.embeddings.create_many({{{"input", "a"}}, {{"input", "b"}}, {{"input", "c"}}}, batch);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_FALSE(results[1].ok());
  EXPECT_THROW(results[1].value(), babyapi::BadRequestError);
  ASSERT_TRUE(results[2].ok());  // the 429 was retried after its Retry-After
  EXPECT_EQ(results[2].value()["data"][0]["index"], 1);
  EXPECT_EQ(kit.fake->sleeps(), std::vector<milliseconds>{milliseconds(2000)});
}

TEST(FakeTransportTest, StreamAsyncDeliversEventsInOrder) {
  Kit kit;
  kit.fake->push(FakeAnswer::chat_stream({"x", "y", "z"}));
  babyapi::Client client(kit.options);
  std::string text;
  client.chat.completions
      .stream_async(kChat, [&text](const babyapi::SSEEvent& event) { text += event.text(); })
      .get();
  EXPECT_EQ(text, "xyz");
}

TEST(FakeTransportTest, DoclingWaitsPollOnVirtualTime) {
  Kit kit;
  kit.fake->push(FakeAnswer::json({{"task_id", "t1"}, {"task_status", "pending"}})
                     .with_header("x-babyapi-docling-id", "node-2"));
  kit.fake->on("GET", "/docling/v1/status/poll/t1",
               FakeAnswer::json({{"task_id", "t1"}, {"task_status", "pending"}}));
  kit.fake->on("GET", "/docling/v1/status/poll/t1",
               FakeAnswer::json({{"task_id", "t1"}, {"task_status", "started"}}));
  kit.fake->on("GET", "/docling/v1/status/poll/t1",
               FakeAnswer::json({{"task_id", "t1"}, {"task_status", "success"}}));
  kit.fake->on("GET", "/docling/v1/result/t1",
               FakeAnswer::json({{"document", {{"md_content", "# Title"}}}}));
  babyapi::Client client(kit.options);
  const babyapi::Response task = client.docling.convert_source_async(
      {{"sources", {{{"kind", "http"}, {"url", "https://example.com/a.pdf"}}}}});
  babyapi::WaitOptions wait;
  wait.docling_id = task.docling_id();
  wait.interval = milliseconds(500);
  const babyapi::Response result = client.docling.wait_for_result("t1", wait);
  EXPECT_EQ(result["document"]["md_content"], "# Title");
  const auto sent = kit.fake->requests();
  ASSERT_EQ(sent.size(), 5u);
  for (std::size_t i = 1; i < sent.size(); ++i) {
    ASSERT_NE(sent[i].header("x-babyapi-docling-id"), nullptr);
    EXPECT_EQ(*sent[i].header("x-babyapi-docling-id"), "node-2");
  }
  // The fake answers polls at once, so the SDK pauses out each interval: on virtual time.
  EXPECT_EQ(kit.fake->sleeps(), (std::vector<milliseconds>{milliseconds(500), milliseconds(500)}));

  // A task that never ends times out after the wait's timeout of virtual time, at once.
  kit.fake->repeat_last().on("GET", "/docling/v1/status/poll/t2",
                             FakeAnswer::json({{"task_id", "t2"}, {"task_status", "pending"}}));
  wait.timeout = std::chrono::seconds(30);
  EXPECT_THROW(client.docling.wait_for_result("t2", wait), babyapi::APITimeoutError);
}

TEST(FakeTransportTest, HooksSeeEveryAttemptAndKeysRotate) {
  Kit kit;
  std::mutex mutex;
  std::vector<int> attempts;
  std::vector<int> statuses;
  std::vector<std::string> lines;
  std::atomic<int> keys{0};
  kit.options.api_key.clear();
  kit.options.api_key_provider = [&keys] { return "key-" + std::to_string(++keys); };
  kit.options.on_request = [&](const babyapi::HttpRequest&, int attempt) {
    std::lock_guard<std::mutex> lock(mutex);
    attempts.push_back(attempt);
    throw std::runtime_error("an observer that throws must not break the call");
  };
  kit.options.on_response = [&](const babyapi::HttpRequest&, const babyapi::AttemptEnd& end) {
    std::lock_guard<std::mutex> lock(mutex);
    statuses.push_back(end.error != nullptr ? -1 : end.status);
  };
  kit.options.logger = [&](babyapi::LogLevel level, std::string_view line) {
    std::lock_guard<std::mutex> lock(mutex);
    if (level == babyapi::LogLevel::kWarn) lines.emplace_back(line);
  };
  kit.fake->push(FakeAnswer::reset())
      .push(FakeAnswer::error(500, "oops"))
      .push(FakeAnswer::chat("ok"));
  babyapi::Client client(kit.options);
  EXPECT_EQ(client.chat.completions.create(kChat).content(), "ok");
  EXPECT_EQ(attempts, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(statuses, (std::vector<int>{-1, 500, 200}));
  const auto sent = kit.fake->requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(*sent[0].header("authorization"), "Bearer key-1");
  EXPECT_EQ(*sent[2].header("authorization"), "Bearer key-3");

  // The same hooks run for a stream's single attempt and on the engine.
  kit.fake->push(FakeAnswer::chat_stream({"s"})).push(FakeAnswer::chat("f"));
  for (const babyapi::SSEEvent& event : client.chat.completions.stream(kChat)) (void)event;
  client.chat.completions.create_async(kChat).get();
  EXPECT_EQ(statuses.size(), 5u);
  EXPECT_EQ(*kit.fake->last_request().header("authorization"), "Bearer key-5");

  // Warnings go to the logger (here: the throwing observer, and a removed vLLM parameter).
  Json guided = kChat;
  guided["guided_json"] = Json::object();
  kit.fake->push(FakeAnswer::chat("g"));
  client.chat.completions.create(guided);
  std::lock_guard<std::mutex> lock(mutex);
  bool warned_guided = false;
  bool warned_observer = false;
  for (const std::string& line : lines) {
    warned_guided = warned_guided || line.find("guided_json") != std::string::npos;
    warned_observer = warned_observer || line.find("on_request threw") != std::string::npos;
  }
  EXPECT_TRUE(warned_guided);
  EXPECT_TRUE(warned_observer);
}

TEST(FakeTransportTest, AKeyProviderThatThrowsFailsTheCall) {
  Kit kit;
  kit.options.api_key_provider = []() -> std::string { throw std::runtime_error("vault down"); };
  kit.fake->push(FakeAnswer::chat("never"));
  babyapi::Client client(kit.options);
  EXPECT_THROW(client.chat.completions.create(kChat), std::runtime_error);
  EXPECT_THROW(client.chat.completions.create_async(kChat).get(), std::runtime_error);
  EXPECT_EQ(kit.fake->request_count(), 0u);
}

}  // namespace
