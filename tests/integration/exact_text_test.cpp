// Exact text over a real socket: an n = 2 stream's choices stay apart, and half a surrogate pair
// reaches the caller as U+FFFD instead of making its event vanish.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "babyapi/babyapi.hpp"
#include "scripted_server.hpp"

namespace babyapi {
namespace {

using testing::ScriptedServer;

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

ClientOptions options_for(const std::string& base_url) {
  ClientOptions options;
  options.api_key = "sk-exact-text";
  options.base_url = base_url;
  options.max_retries = 0;
  return options;
}

// The whole event stream in one answer, ended by the server closing the connection.
ScriptedServer::Handler answer_with(std::string events) {
  return [events = std::move(events)](const std::string&) -> std::optional<std::string> {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
           std::to_string(events.size()) + "\r\nConnection: close\r\n\r\n" + events;
  };
}

std::string chunk(int index, const std::string& content_json) {
  return "data: "
         "{\"id\":\"chatcmpl-n2\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":" +
         std::to_string(index) + ",\"delta\":{\"content\":" + content_json +
         "},\"finish_reason\":null}]}\n\n";
}

const Json kChat = {
    {"model", "m"}, {"n", 2}, {"messages", {{{"role", "user"}, {"content", "two answers"}}}}};

struct Collected {
  std::string first;   // text() of every event, joined
  std::string second;  // text(1) of every event, joined
  std::size_t events = 0;
  bool saw_done = false;
};

Collected collect(const std::string& events) {
  ScriptedServer server(answer_with(events));
  Client client(options_for(server.base_url()));
  Collected out;
  Stream stream = client.chat.completions.stream(kChat);
  for (const SSEEvent& event : stream) {
    if (event.done()) continue;
    ++out.events;
    out.first += event.text();
    out.second += event.text(1);
  }
  out.saw_done = stream.saw_done();
  return out;
}

TEST(ExactText, TwoChoicesInterleavedStayApart) {
  // As an OpenAI-compatible server sends n = 2: each chunk carries one choice, in any order.
  const std::string events = chunk(0, "\"The \"") + chunk(1, "\"A \"") + chunk(1, "\"second \"") +
                             chunk(0, "\"first \"") + chunk(0, "\"answer.\"") +
                             chunk(1, "\"one.\"") + "data: [DONE]\n\n";
  const Collected out = collect(events);
  EXPECT_EQ(out.events, 6u);
  EXPECT_EQ(out.first, "The first answer.");
  EXPECT_EQ(out.second, "A second one.");
  EXPECT_TRUE(out.saw_done);
}

TEST(ExactText, ALoneSurrogateArrivesAsAReplacementCharacter) {
  // The emoji U+1F600 is split over two chunks, each holding half of its surrogate pair: neither
  // half can be decoded alone, so each is U+FFFD, and nothing around them is lost.
  const std::string events = chunk(0, "\"smile \"") + chunk(0, "\"\\ud83d\"") +
                             chunk(0, "\"\\ude00\"") + chunk(0, "\"\\ud83d!\"") +
                             chunk(1, "\"x\\udc00y\"") + "data: [DONE]\n\n";
  const Collected out = collect(events);
  EXPECT_EQ(out.first, "smile " + kReplacement + kReplacement + kReplacement + "!");
  EXPECT_EQ(out.second, "x" + kReplacement + "y");
}

TEST(ExactText, ALoneSurrogateEventStillParsesAsJson) {
  ScriptedServer server(answer_with(chunk(0, "\"\\ud83d\"") + "data: [DONE]\n\n"));
  Client client(options_for(server.base_url()));
  Stream stream = client.chat.completions.stream(kChat);
  const SSEEvent* event = stream.next();
  ASSERT_NE(event, nullptr);
  ASSERT_TRUE(event->data().has_value()) << event->raw();
  EXPECT_EQ((*event->data())["choices"][0]["delta"]["content"], kReplacement);
  EXPECT_EQ(event->text(), kReplacement);  // from the parsed tree now
}

}  // namespace
}  // namespace babyapi
