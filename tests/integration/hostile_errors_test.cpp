// Hostile error answers over loopback: bodies nested a million levels deep, messages of megabytes
// and servers that echo the caller's secrets. Each must end in a typed, bounded error that names
// no secret, and the process must survive it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "babyapi/babyapi.hpp"
#include "scripted_server.hpp"

namespace babyapi {
namespace {

using testing::ScriptedServer;

constexpr const char* kKey = "sk-hostile-0123456789abcdefghij";

ClientOptions options_for(const std::string& base_url) {
  ClientOptions options;
  options.api_key = kKey;
  options.base_url = base_url;
  options.max_retries = 0;
  return options;
}

std::string answer(int status, const std::string& type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " Whatever\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nx-request-id: req_hostile\r\n\r\n" + body;
}

// A server answering every request with the same error.
ScriptedServer error_server(int status, const std::string& type, const std::string& body) {
  return ScriptedServer([status, type, body](const std::string&) -> std::optional<std::string> {
    return answer(status, type, body);
  });
}

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string with_value(const std::string& shape, const std::string& value) {
  std::string body;
  for (char c : shape) body += c == 'X' ? value : std::string(1, c);
  return body;
}

const Json kChat = {{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};

// The error a chat request ends in, caught as the class the status promises.
template <class Expected>
Expected error_of(Client& client) {
  try {
    client.chat.completions.create(kChat);
  } catch (const Expected& error) {
    return error;
  } catch (const std::exception& other) {
    ADD_FAILURE() << "unexpected " << typeid(other).name() << ": " << other.what();
    throw;
  }
  ADD_FAILURE() << "the call succeeded";
  throw std::logic_error("no error");
}

void expect_bounded(const BabyAPIError& error) {
  EXPECT_LE(error.message().size(), 2100u);
  EXPECT_LE(std::string(error.what()).size(), 2600u);
  EXPECT_LE(error.code().size() + error.type().size() + error.param().size(), 1000u);
  EXPECT_LE(error.body().size(), (64u << 10) + 100);
}

// 60,000 levels (120 KB) in any of these places ended the process with a stack overflow.
TEST(HostileErrorsTest, DeepNestingInEachErrorFieldIsABadRequestError) {
  const std::vector<std::string> shapes = {
      R"({"error":{"message":X}})",
      R"({"error":{"message":"m","code":X}})",
      R"({"error":{"message":"m","type":X}})",
      R"({"error":{"message":"m","param":X}})",
      R"({"detail":[{"loc":["body"],"msg":X}]})",
      R"({"detail":[{"loc":[X],"msg":"m"}]})",
      R"({"detail":[{"loc":X,"msg":"m"}]})",
      R"({"detail":X})",
  };
  for (const std::string& shape : shapes) {
    SCOPED_TRACE(shape);
    ScriptedServer server =
        error_server(400, "application/json", with_value(shape, nested_arrays(60000)));
    Client client(options_for(server.base_url()));
    const auto error = error_of<BadRequestError>(client);
    expect_bounded(error);
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.request_id(), "req_hostile");
  }
  ScriptedServer server =
      error_server(400, "application/json", with_value(shapes[0], nested_arrays(1000000)));
  Client client(options_for(server.base_url()));
  EXPECT_EQ(error_of<BadRequestError>(client).message(), "[[[[[[[[[...]]]]]]]]]");
}

// The same rendering serves error events inside a stream.
TEST(HostileErrorsTest, DeepNestingInAStreamErrorEventIsABabyAPIError) {
  const std::string events =
      "data: {\"error\":{\"message\":" + nested_arrays(60000) + ",\"code\":503}}\n\n";
  ScriptedServer server([&events](const std::string&) -> std::optional<std::string> {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
           std::to_string(events.size()) + "\r\nConnection: close\r\n\r\n" + events;
  });
  Client client(options_for(server.base_url()));
  Stream stream = client.chat.completions.stream(kChat);
  try {
    stream.next();
    FAIL() << "expected BabyAPIError";
  } catch (const BabyAPIError& error) {
    expect_bounded(error);
    EXPECT_EQ(error.code(), "503");
  }
}

TEST(HostileErrorsTest, AFourMiBMessageGivesABoundedError) {
  const std::string body =
      R"({"error":{"message":")" + std::string(4u << 20, 'x') + R"(","type":"huge"}})";
  ScriptedServer server = error_server(400, "application/json", body);
  Client client(options_for(server.base_url()));
  const auto error = error_of<BadRequestError>(client);
  expect_bounded(error);
  EXPECT_EQ(error.message().substr(0, 100), std::string(100, 'x'));
  EXPECT_EQ(error.type(), "huge");
  EXPECT_NE(error.body().find("[truncated: the body had " + std::to_string(body.size())),
            std::string::npos);
}

// The key the client sent, read back from the request the server got.
std::string echoed_key(const std::string& request) {
  const std::string header = "Authorization: Bearer ";
  const size_t at = request.find(header);
  if (at == std::string::npos) return "(no key was sent)";
  return request.substr(at + header.size(), request.find("\r\n", at) - at - header.size());
}

void expect_no_key(const BabyAPIError& error, const std::string& secret) {
  EXPECT_EQ(error.message().find(secret), std::string::npos) << error.message();
  EXPECT_EQ(std::string(error.what()).find(secret), std::string::npos) << error.what();
  EXPECT_EQ(error.body().find(secret), std::string::npos) << error.body();
  EXPECT_EQ(error.code().find(secret), std::string::npos) << error.code();
  EXPECT_EQ(error.request_id().find(secret), std::string::npos) << error.request_id();
}

TEST(HostileErrorsTest, AnEchoedKeyIsRedacted) {
  ScriptedServer json_server([](const std::string& request) -> std::optional<std::string> {
    const std::string key = echoed_key(request);
    return answer(
        401, "application/json",
        R"({"error":{"message":"Invalid token: Bearer )" + key + R"(","code":")" + key + R"("}})");
  });
  Client json_client(options_for(json_server.base_url()));
  const auto json = error_of<AuthenticationError>(json_client);
  expect_no_key(json, kKey);
  EXPECT_EQ(json.message(), "Invalid token: Bearer [redacted]");

  ScriptedServer text_server([](const std::string& request) -> std::optional<std::string> {
    return answer(401, "text/plain", "Invalid token: Bearer " + echoed_key(request) + "\n");
  });
  Client text_client(options_for(text_server.base_url()));
  const auto text = error_of<AuthenticationError>(text_client);
  expect_no_key(text, kKey);
  EXPECT_EQ(text.message(), "Invalid token: Bearer [redacted]");
  EXPECT_EQ(text.body(), "Invalid token: Bearer [redacted]\n");
}

// A base_url with userinfo: a server that echoes the URL must not reveal the password.
TEST(HostileErrorsTest, EchoedUserinfoIsRedacted) {
  ScriptedServer server([](const std::string&) -> std::optional<std::string> {
    return answer(403, "text/html",
                  "<html><title>No access for alice:s3cret-pass@ here</title></html>");
  });
  const std::string url = server.base_url();
  Client client(options_for("http://alice:s3cret-pass@" + url.substr(url.find("://") + 3)));
  const auto error = error_of<PermissionDeniedError>(client);
  expect_no_key(error, "s3cret-pass");
  EXPECT_EQ(error.message(), "No access for [redacted]@ here");
}

}  // namespace
}  // namespace babyapi
