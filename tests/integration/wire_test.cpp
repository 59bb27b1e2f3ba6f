// Wire-level behaviour against a scripted loopback server: answers the emulator cannot produce.
#include <gtest/gtest.h>

#include "babyapi/babyapi.hpp"
#include "scripted_server.hpp"

namespace babyapi {
namespace {

using testing::ScriptedServer;

ClientOptions options_for(const std::string& base_url, int max_retries = 2) {
  ClientOptions options;
  options.api_key = "sk-wire-test";
  options.base_url = base_url;
  options.max_retries = max_retries;
  options.retry_base_delay = std::chrono::milliseconds(1);
  options.max_retry_delay = std::chrono::milliseconds(2);
  return options;
}

std::string json_answer(const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

TEST(WireTest, ClosingWithoutAnAnswerIsRetriedThenAPIConnectionError) {
  ScriptedServer server([](const std::string&) { return std::nullopt; });
  Client client(options_for(server.base_url()));
  EXPECT_THROW(client.get("/v1/models"), APIConnectionError);
  EXPECT_EQ(server.requests(), 3);
}

TEST(WireTest, RecoversWhenTheServerAnswersAfterADrop) {
  int seen = 0;
  ScriptedServer server([&seen](const std::string&) -> std::optional<std::string> {
    if (seen++ == 0) return std::nullopt;
    return json_answer(R"({"object":"list","data":[]})");
  });
  Client client(options_for(server.base_url()));
  EXPECT_EQ(client.get("/v1/models")["object"], "list");
  EXPECT_EQ(server.requests(), 2);
}

TEST(WireTest, RefusedConnectionIsAPIConnectionError) {
  std::string url;
  {
    ScriptedServer server([](const std::string&) { return std::nullopt; });
    url = server.base_url();
  }  // closed: nothing listens on that port now
  Client client(options_for(url, 0));
  EXPECT_THROW(client.get("/health"), APIConnectionError);
}

TEST(WireTest, InterimAnswersAreDiscardedAndHeaderLookupIgnoresCase) {
  ScriptedServer server([](const std::string&) {
    return std::string("HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n") +
           json_answer(R"({"ok":true})", "X-Request-ID: req_wire\r\nX-Multi:  spaced value \r\n");
  });
  Client client(options_for(server.base_url()));
  Response res = client.post("/v1/anything", {{"a", 1}});
  EXPECT_EQ(res.status(), 200);
  EXPECT_EQ(res["ok"], true);
  EXPECT_EQ(res.request_id(), "req_wire");
  EXPECT_EQ(res.header("x-multi"), "spaced value");
  EXPECT_FALSE(res.has_header("x-interim"));
}

TEST(WireTest, AuthorizationAndRetryCountAreSent) {
  std::string seen;
  ScriptedServer server([&seen](const std::string& request) {
    seen = request;
    return json_answer("{}");
  });
  Client client(options_for(server.base_url()));
  client.get("/health");
  EXPECT_NE(seen.find("Authorization: Bearer sk-wire-test\r\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("x-babyapi-retry-count: 0\r\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("GET /health HTTP/1.1\r\n"), std::string::npos) << seen;
}

TEST(WireTest, ModelIdIsPercentEncodedIntoOnePathSegment) {
  std::string seen;
  ScriptedServer server([&seen](const std::string& request) {
    seen = request;
    return json_answer(R"({"id":"org/model v1"})");
  });
  Client client(options_for(server.base_url()));
  EXPECT_EQ(client.models.retrieve("org/model v1")["id"], "org/model v1");
  EXPECT_EQ(seen.rfind("GET /v1/models/org%2Fmodel%20v1 HTTP/1.1\r\n", 0), 0u) << seen;
  EXPECT_THROW(client.models.retrieve(""), BabyAPIError);
  EXPECT_EQ(server.requests(), 1);
}

// An event-stream answer that closes the connection after it: without a length the body ends at
// the close; with one, a close before that many bytes is a lost connection.
std::string sse_answer(const std::string& events, const std::string& length = "") {
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nx-request-id: req_sse\r\n";
  if (!length.empty()) head += "Content-Length: " + length + "\r\n";
  return head + "Connection: close\r\n\r\n" + events;
}

const Json kChat = {{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};

TEST(WireTest, StreamPayloadWithAnErrorMemberThrowsItsMessage) {
  ScriptedServer server([](const std::string&) -> std::optional<std::string> {
    const std::string body =
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
        "data: {\"error\":{\"message\":\"model "
        "overloaded\",\"type\":\"server_error\",\"code\":503}}\n\n";
    return sse_answer(body, std::to_string(body.size()));
  });
  Client client(options_for(server.base_url()));
  Stream stream = client.chat.completions.stream(kChat);
  const SSEEvent* first = stream.next();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->text(), "Hel");
  try {
    stream.next();
    FAIL() << "expected BabyAPIError";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("model overloaded"), std::string::npos) << error.message();
    EXPECT_EQ(error.code(), "503");
    EXPECT_EQ(error.request_id(), "req_sse");
  }
}

TEST(WireTest, ContentMentioningErrorIsNotAnError) {
  ScriptedServer server([](const std::string&) -> std::optional<std::string> {
    const std::string body =
        "data: {\"choices\":[{\"delta\":{\"content\":\"\\\"error\\\" is a word\"}}]}\n\n"
        "data: [DONE]\n\n";
    return sse_answer(body, std::to_string(body.size()));
  });
  Client client(options_for(server.base_url()));
  std::string text;
  for (const SSEEvent& event : client.chat.completions.stream(kChat)) text += event.text();
  EXPECT_EQ(text, "\"error\" is a word");
}

TEST(WireTest, ConnectionLostMidStreamIsAPIConnectionError) {
  ScriptedServer server([](const std::string&) -> std::optional<std::string> {
    // Promises 1000 bytes, sends one event, then the connection closes.
    return sse_answer("data: {\"choices\":[{\"text\":\"partial\"}]}\n\n", "1000");
  });
  Client client(options_for(server.base_url()));
  Stream stream = client.completions.stream({{"model", "m"}, {"prompt", "p"}});
  const SSEEvent* first = stream.next();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->text(), "partial");
  EXPECT_THROW(stream.next(), APIConnectionError);
}

TEST(WireTest, CleanCloseInsideAnUnterminatedEventEndsTheStream) {
  ScriptedServer server([](const std::string&) -> std::optional<std::string> {
    // No Content-Length: the body ends when the server closes, here without the final blank line.
    return sse_answer(
        "data: {\"choices\":[{\"text\":\"whole\"}]}\n\ndata: {\"choices\":[{\"text\":\"cut\"}]}");
  });
  Client client(options_for(server.base_url()));
  std::string text;
  for (const SSEEvent& event : client.completions.stream({{"model", "m"}, {"prompt", "p"}})) {
    text += event.text();
  }
  EXPECT_EQ(text, "whole");  // the unterminated event is dropped, as the SSE rules say
}

TEST(WireTest, StreamSendsStreamTrueAndAcceptsEventStream) {
  std::string seen;
  ScriptedServer server([&seen](const std::string& request) -> std::optional<std::string> {
    seen = request;
    const std::string body = "data: [DONE]\n\n";
    return sse_answer(body, std::to_string(body.size()));
  });
  Client client(options_for(server.base_url()));
  Stream stream = client.chat.completions.stream(kChat);
  ASSERT_NE(stream.next(), nullptr);
  EXPECT_NE(seen.find("Accept: text/event-stream\r\n"), std::string::npos) << seen;
  const Json body = Json::parse(seen.substr(seen.find("\r\n\r\n") + 4));
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["messages"], kChat["messages"]);
}

TEST(WireTest, InvalidJsonWithAJsonContentTypeIsAnError) {
  ScriptedServer server([](const std::string&) {
    return std::string(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
        "x-request-id: req_bad\r\n\r\n{oops");
  });
  Client client(options_for(server.base_url()));
  try {
    client.get("/v1/models");
    FAIL() << "expected BabyAPIError";
  } catch (const BabyAPIError& error) {
    EXPECT_EQ(error.request_id(), "req_bad");
    EXPECT_EQ(error.body(), "{oops");
  }
}

TEST(WireTest, AbsoluteUrlsAndHeaderInjectionAreRefusedBeforeSending) {
  ScriptedServer server([](const std::string&) { return json_answer("{}"); });
  Client client(options_for(server.base_url()));
  EXPECT_THROW(client.get("https://elsewhere.example/steal"), BabyAPIError);
  RequestOptions bad;
  bad.headers = {{"x-bad", "a\r\nInjected: 1"}};
  EXPECT_THROW(client.get("/health", bad), BabyAPIError);
  EXPECT_EQ(server.requests(), 0);
}

}  // namespace
}  // namespace babyapi
