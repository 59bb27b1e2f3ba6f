// Edges a real server, proxy or network produces and our emulator never does: checked access at
// every depth, answers outside 2xx, streams that are not streams, errors that carry the answer,
// deadlines, mistakes caught before sending, and objects used after a move or during destruction.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "babyapi/babyapi.hpp"
#include "scripted_server.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;
using testing::ScriptedServer;

ClientOptions options_for(const std::string& base_url, int max_retries = 0) {
  ClientOptions options;
  options.api_key = "sk-trust-test-key";
  options.base_url = base_url;
  options.max_retries = max_retries;
  options.retry_base_delay = milliseconds(1);
  options.max_retry_delay = milliseconds(2);
  return options;
}

std::string answer(int status, const std::string& reason, const std::string& type,
                   const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" +
         body;
}

std::string json_answer(const std::string& body, const std::string& extra_headers = "") {
  return answer(200, "OK", "application/json", body, extra_headers);
}

ScriptedServer::Handler always(std::string bytes) {
  return [bytes = std::move(bytes)](const std::string&) -> std::optional<std::string> {
    return bytes;
  };
}

const Json kChat = {{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};

// --- 1. Checked access at every depth ---------------------------------------------------------

TEST(TrustTest, EmptyChoicesThrowsNamingThePathInsteadOfCrashing) {
  ScriptedServer server(always(json_answer(R"({"choices":[]})", "x-request-id: req_empty\r\n")));
  Client client(options_for(server.base_url()));
  const Response res = client.chat.completions.create(kChat);
  try {
    std::string text = res["choices"][0]["message"]["content"];
    FAIL() << "expected JsonAccessError, got " << text;
  } catch (const JsonAccessError& error) {
    EXPECT_NE(std::string(error.what()).find("/choices"), std::string::npos) << error.what();
    EXPECT_EQ(error.status(), 200);
    EXPECT_EQ(error.request_id(), "req_empty");
  }
  // The same on a temporary Response: it throws, and it never inserts a null.
  try {
    std::string text = client.chat.completions.create(kChat)["choices"][0]["message"]["content"];
    FAIL() << "expected JsonAccessError, got " << text;
  } catch (const JsonAccessError& error) {
    EXPECT_EQ(error.request_id(), "req_empty");
  }
  EXPECT_EQ(res.json().dump(), R"({"choices":[]})");
}

TEST(TrustTest, MissingKeysWrongTypesAndBadIndexesAreTypedErrorsWithTheirPath) {
  ScriptedServer server(always(json_answer(
      R"({"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"}}],"usage":{"total_tokens":7}})")));
  Client client(options_for(server.base_url()));
  const Response res = client.chat.completions.create(kChat);
  const auto path_of = [](auto&& access) -> std::string {
    try {
      access();
    } catch (const JsonAccessError& error) {
      return error.message();
    }
    return "no error";
  };
  EXPECT_NE(
      path_of([&] { (void)res["choices"][0]["message"]["missing"]; }).find("/choices/0/message"),
      std::string::npos);
  EXPECT_NE(path_of([&] { (void)res["choices"][1]; }).find("out of range at /choices"),
            std::string::npos);
  EXPECT_NE(path_of([&] { (void)res["choices"][-1]; }).find("/choices"), std::string::npos);
  EXPECT_NE(
      path_of([&] { (void)res["usage"]["total_tokens"]["deeper"]; }).find("/usage/total_tokens"),
      std::string::npos);
  EXPECT_NE(path_of([&] {
              (void)res["choices"][0]["message"]["content"].get<int>();
            }).find("/choices/0/message/content"),
            std::string::npos);
  EXPECT_NE(path_of([&] {
              int n = res["choices"][0]["message"]["content"];
              (void)n;
            }).find("Wrong JSON type"),
            std::string::npos);
  EXPECT_NE(path_of([&] { (void)res["choices"]["zero"]; }).find("Expected a JSON object"),
            std::string::npos);
}

TEST(TrustTest, NumbersThatDoNotFitTheRequestedTypeAreWrongTypes) {
  ScriptedServer server(always(json_answer(R"({"big":1e50,"wide":4294967296,"neg":-1})")));
  Client client(options_for(server.base_url()));
  const Response res = client.get("/v1/anything");
  // nlohmann would cast these with undefined behaviour; a view refuses them.
  EXPECT_THROW(res["big"].get<int>(), JsonAccessError);
  EXPECT_THROW(res["big"].get<float>(), JsonAccessError);
  EXPECT_THROW(res["wide"].get<int>(), JsonAccessError);
  EXPECT_THROW(res["neg"].get<unsigned>(), JsonAccessError);
  EXPECT_THROW(
      [&] {
        int n = res["wide"];
        return n;
      }(),
      JsonAccessError);
  EXPECT_EQ(res["big"].get<double>(), 1e50);
  EXPECT_EQ(res["wide"].get<long long>(), 4294967296LL);
  EXPECT_EQ(res["neg"].get<int>(), -1);
}

TEST(TrustTest, EverythingUsersDoWithValuesKeepsWorking) {
  ScriptedServer server(always(json_answer(
      R"({"object":"list","data":[{"id":"a","n":1},{"id":"b","n":2}],"usage":{"total_tokens":7}})")));
  Client client(options_for(server.base_url()));
  const Response res = client.get("/v1/models");
  EXPECT_TRUE(res["object"] == "list");
  EXPECT_FALSE(res["object"] != "list");
  EXPECT_EQ(res["object"].get<std::string>(), "list");
  EXPECT_EQ(res["object"].get_ref<const std::string&>(), "list");
  std::string object = res["object"];
  int tokens = res["usage"]["total_tokens"];
  EXPECT_EQ(object, "list");
  EXPECT_EQ(tokens, 7);
  EXPECT_EQ(res["data"].size(), 2u);
  EXPECT_TRUE(res["data"][0].contains("id"));
  EXPECT_FALSE(res["data"][0].contains("nope"));
  EXPECT_EQ(res["data"][0].value("id", ""), "a");
  EXPECT_EQ(res["data"][0].value("nope", 42), 42);
  EXPECT_EQ(res["usage"].dump(), R"({"total_tokens":7})");
  std::string ids;
  for (const Json& item : res["data"]) ids += item["id"].get<std::string>();
  for (auto& item : res["data"]) ids += item["id"].get<std::string>();
  EXPECT_EQ(ids, "abab");
  const Json& plain = res["data"];
  EXPECT_TRUE(plain.is_array());
  Json copy = res["data"][1];
  EXPECT_EQ(copy["n"], 2);
  // A view taken from a temporary Response owns the document.
  auto data = client.get("/v1/models")["data"];
  int sum = 0;
  for (const auto& item : data) sum += item["n"].get<int>();
  EXPECT_EQ(sum, 3);
  try {
    (void)data[0]["missing"];
    FAIL();
  } catch (const JsonAccessError& error) {
    EXPECT_NE(error.message().find("/data/0"), std::string::npos) << error.message();
  }
}

// --- 2. No silent endings --------------------------------------------------------------------

TEST(TrustTest, ARedirectIsAStatusErrorWithItsLocationAndIsNotFollowed) {
  ScriptedServer server(always(answer(302, "Found", "text/html", "<a>moved</a>",
                                      "Location: http://elsewhere.example/v1/models\r\n")));
  Client client(options_for(server.base_url(), 2));
  try {
    client.get("/v1/models");
    FAIL() << "a 302 must not be a success";
  } catch (const APIStatusError& error) {
    EXPECT_EQ(error.status(), 302);
    EXPECT_EQ(error.header("location"), "http://elsewhere.example/v1/models");
  }
  EXPECT_EQ(server.requests(), 1);
}

TEST(TrustTest, AStreamAnsweredWithAJsonErrorThrowsTheServersMessage) {
  ScriptedServer server(always(
      json_answer(R"({"error":{"message":"streaming is disabled here","type":"proxy_error"}})",
                  "x-request-id: req_proxy\r\n")));
  Client client(options_for(server.base_url()));
  try {
    for (const SSEEvent& event : client.chat.completions.stream(kChat)) (void)event;
    FAIL() << "a JSON answer to a stream request must not look like an empty stream";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("streaming is disabled here"), std::string::npos)
        << error.message();
    EXPECT_EQ(error.request_id(), "req_proxy");
    EXPECT_EQ(error.type(), "proxy_error");
  }
}

TEST(TrustTest, AStreamAnsweredWithHtmlNamesTheContentType) {
  ScriptedServer server(always(answer(200, "OK", "text/html; charset=utf-8", "<p>portal</p>")));
  Client client(options_for(server.base_url()));
  try {
    client.chat.completions.stream(kChat);
    FAIL();
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("text/html"), std::string::npos) << error.message();
  }
}

std::string sse(const std::string& events) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events;
}

TEST(TrustTest, SawDoneTellsACompleteStreamFromOneCutShortCleanly) {
  const std::string chunk = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n";
  {
    ScriptedServer server(always(sse(chunk + "data: [DONE]\n\n")));
    Client client(options_for(server.base_url()));
    Stream stream = client.chat.completions.stream(kChat);
    for (const SSEEvent& event : stream) (void)event;
    EXPECT_TRUE(stream.saw_done());
  }
  {
    ScriptedServer server(always(sse(chunk)));
    Client client(options_for(server.base_url()));
    Stream stream = client.chat.completions.stream(kChat);
    int events = 0;
    for (const SSEEvent& event : stream) events += event.done() ? 0 : 1;
    EXPECT_EQ(events, 1);
    EXPECT_FALSE(stream.saw_done());
  }
}

// --- 3. Errors carry the answer --------------------------------------------------------------

TEST(TrustTest, StatusErrorsCarryHeadersAndRetryAfter) {
  ScriptedServer server(always(
      answer(429, "Too Many Requests", "application/json", R"({"error":{"message":"slow down"}})",
             "X-RateLimit-Remaining-Requests: 0\r\nretry-after-ms: 1500\r\nRetry-After: 9\r\n")));
  Client client(options_for(server.base_url(), 0));
  try {
    client.get("/v1/models");
    FAIL();
  } catch (const RateLimitError& error) {
    EXPECT_EQ(error.header("x-ratelimit-remaining-requests"), "0");
    EXPECT_EQ(error.header("X-RATELIMIT-REMAINING-REQUESTS"), "0");
    EXPECT_FALSE(error.headers().empty());
    ASSERT_TRUE(error.retry_after().has_value());
    EXPECT_EQ(*error.retry_after(), milliseconds(1500));
  }
}

TEST(TrustTest, ARetryAfterLongerThanMaxRetryAfterIsThrownAtOnce) {
  ScriptedServer server(
      always(answer(503, "Service Unavailable", "text/plain", "busy", "Retry-After: 3600\r\n")));
  ClientOptions options = options_for(server.base_url(), 2);
  options.max_retry_after = std::chrono::seconds(5);
  Client client(options);
  try {
    client.get("/v1/models");
    FAIL();
  } catch (const InternalServerError& error) {
    ASSERT_TRUE(error.retry_after().has_value());
    EXPECT_EQ(*error.retry_after(), std::chrono::seconds(3600));
  }
  EXPECT_EQ(server.requests(), 1);
}

// --- 4. Bounded memory ------------------------------------------------------------------------

// The bound covers each kind of answer; the JSON body itself is covered in transport_edges_test.
TEST(TrustTest, AnErrorBodyAndAStreamEventPastTheBoundAreResponseTooLarge) {
  const std::string big(4096, 'x');
  {
    std::atomic<int> requests{0};
    ScriptedServer server([&](const std::string&) -> std::optional<std::string> {
      ++requests;
      return answer(500, "Internal Server Error", "application/json",
                    R"({"error":{"message":")" + big + R"("}})");
    });
    ClientOptions options = options_for(server.base_url(), 2);
    options.max_response_bytes = 1024;
    Client client(options);
    try {
      client.get("/v1/models");
      FAIL() << "no error";
    } catch (const ResponseTooLargeError& error) {
      EXPECT_NE(error.message().find("1024"), std::string::npos) << error.what();
    }
    EXPECT_EQ(requests.load(), 1) << "a body past the bound is never retried";
  }
  {
    // One event that never ends: 4 KiB of data with no blank line.
    ScriptedServer server(always(sse("data: " + big + "\n")));
    ClientOptions options = options_for(server.base_url());
    options.max_response_bytes = 1024;
    Client client(options);
    try {
      for (const SSEEvent& event : client.chat.completions.stream(kChat)) (void)event;
      FAIL() << "no error";
    } catch (const ResponseTooLargeError& error) {
      EXPECT_NE(error.message().find("max_response_bytes"), std::string::npos) << error.what();
    }
  }
}

TEST(TrustTest, AJsonAnswerIsHeldOnceUnlessKeepTextAsksForItsBytes) {
  const std::string body = "{ \"data\" : [ 1, 2.5 ],\n  \"object\": \"list\" }";
  ScriptedServer server(always(json_answer(body)));
  Client client(options_for(server.base_url()));
  const Response held_once = client.get("/v1/models");
  EXPECT_EQ(held_once["object"], "list");
  // The exact bytes are gone; text() is the tree serialized, the same value.
  EXPECT_EQ(held_once.text(), R"({"data":[1,2.5],"object":"list"})");
  EXPECT_EQ(&held_once.text(), &held_once.text()) << "made once and kept";
  EXPECT_EQ(Json::parse(held_once.text()), Json::parse(body));

  RequestOptions keep;
  keep.keep_text = true;
  const Response kept = client.get("/v1/models", keep);
  EXPECT_EQ(kept.text(), body);
  EXPECT_EQ(kept["data"][1], 2.5);
}

TEST(TrustTest, AMalformedJsonBodyIsRedactedInTheError) {
  ScriptedServer server(
      always(json_answer("{\"echo\": \"Bearer sk-trust-test-key\", oops", "x-request-id: r1\r\n")));
  Client client(options_for(server.base_url()));
  try {
    client.get("/v1/models");
    FAIL() << "no error";
  } catch (const BabyAPIError& error) {
    EXPECT_EQ(error.status(), 200);
    EXPECT_EQ(error.request_id(), "r1");
    EXPECT_EQ(error.body().find("sk-trust-test-key"), std::string::npos) << error.body();
    EXPECT_NE(error.body().find("[redacted]"), std::string::npos) << error.body();
  }
}

// --- 7b. Whole-call deadline ----------------------------------------------------------------

TEST(TrustTest, TotalTimeoutBoundsTheBackoffAndEndsInAPITimeoutError) {
  ScriptedServer server(always(answer(503, "Service Unavailable", "text/plain", "busy")));
  ClientOptions options = options_for(server.base_url(), 5);
  options.retry_base_delay = std::chrono::seconds(30);  // far past the deadline
  options.max_retry_delay = std::chrono::seconds(30);
  options.total_timeout = milliseconds(200);
  Client client(options);
  try {
    client.get("/v1/models");
    FAIL();
  } catch (const APITimeoutError& error) {
    EXPECT_NE(error.message().find("1 attempt"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("HTTP 503"), std::string::npos) << error.message();
  }
  EXPECT_EQ(server.requests(), 1);
}

// --- 12. Mistakes caught early -------------------------------------------------------------

TEST(TrustTest, MistakesAreCaughtBeforeAnythingIsSent) {
  ScriptedServer server(always(json_answer("{}")));
  Client client(options_for(server.base_url()));
  Json streaming = kChat;
  streaming["stream"] = true;
  try {
    client.chat.completions.create(streaming);
    FAIL();
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("stream("), std::string::npos) << error.message();
  }
  EXPECT_THROW(client.completions.create({{"model", "m"}, {"prompt", "x"}, {"stream", true}}),
               BabyAPIError);
  EXPECT_THROW(client.models.retrieve(".."), BabyAPIError);
  EXPECT_THROW(client.models.retrieve("."), BabyAPIError);
  EXPECT_THROW(client.docling.get_result(".."), BabyAPIError);
  EXPECT_THROW(client.get("/v1/models list"), BabyAPIError);
  EXPECT_THROW(client.get(std::string("/v1/\x01models")), BabyAPIError);
  RequestOptions nul_header;
  nul_header.headers["x-app"] = std::string("a\0b", 3);
  EXPECT_THROW(client.get("/v1/models", nul_header), BabyAPIError);
  EXPECT_EQ(server.requests(), 0);
  // A dotted id that is not a dot segment is an ordinary id.
  EXPECT_NO_THROW(client.models.retrieve("v1..2"));
  EXPECT_EQ(server.requests(), 1);
}

TEST(TrustTest, ABaseUrlWithASpaceIsAConfigurationError) {
  ClientOptions options = options_for("http://127.0.0.1:1/v1 beta");
  try {
    Client client(options);
    FAIL();
  } catch (const APIConnectionError&) {
    FAIL() << "a configuration mistake is not a connection failure";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("Configuration"), std::string::npos) << error.message();
  }
}

// --- 8. Process and object safety ----------------------------------------------------------

TEST(TrustTest, AMovedFromClientThrowsInsteadOfCrashing) {
  ScriptedServer server(always(json_answer(R"({"object":"list","data":[]})")));
  Client first(options_for(server.base_url()));
  Client second(std::move(first));
  EXPECT_THROW(first.get("/v1/models"), BabyAPIError);  // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(first.chat.completions.create(kChat),
               BabyAPIError);                       // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(first.models.list(), BabyAPIError);  // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(first.embeddings.create({{"input", "x"}}), BabyAPIError);  // NOLINT
  EXPECT_THROW(first.docling.health(), BabyAPIError);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(second.models.list()["object"], "list");
  EXPECT_EQ(server.requests(), 1);
}

TEST(TrustTest, DestroyingTheClientDuringACallIsSafe) {
  std::promise<void> arrived;
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  ScriptedServer server([&](const std::string&) -> std::optional<std::string> {
    arrived.set_value();
    std::unique_lock<std::mutex> lock(mutex);
    released_cv.wait(lock, [&] { return released; });
    return json_answer(R"({"ok":true})");
  });
  auto client = std::make_unique<Client>(options_for(server.base_url()));
  std::future<void> entered = arrived.get_future();
  Client* raw = client.get();
  std::future<bool> call = std::async(std::launch::async, [raw] {
    // The answer's view is taken after the Client is gone: the Response owns what it needs.
    return raw->chat.completions.create(kChat)["ok"].get<bool>();
  });
  entered.wait();  // the call is inside the transport now
  client.reset();  // destroyed while the call runs
  {
    std::lock_guard<std::mutex> lock(mutex);
    released = true;
  }
  released_cv.notify_all();
  EXPECT_TRUE(call.get());
}

}  // namespace
}  // namespace babyapi
