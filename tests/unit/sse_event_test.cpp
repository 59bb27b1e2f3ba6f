// SSEEvent as a stream consumer sees it: done(), raw(), the cached data(), and the fields.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "babyapi/sse.hpp"

namespace {

using babyapi::Json;
using babyapi::SSEEvent;
using babyapi::SSEParser;
using namespace std::string_literals;

SSEEvent only_event(const std::string& stream) {
  SSEParser parser;
  std::vector<SSEEvent> events = parser.feed(stream);
  EXPECT_EQ(events.size(), 1u) << stream;
  return events.empty() ? SSEEvent() : std::move(events.front());
}

TEST(SSEEvent, DoneOnlyForExactlyTheMarker) {
  EXPECT_TRUE(only_event("data: [DONE]\n\n").done());
  EXPECT_FALSE(only_event("data:  [DONE]\n\n").done());  // the second space is data
  EXPECT_FALSE(only_event("data: [DONE] \n\n").done());
  EXPECT_FALSE(only_event("data: [DONE]\ndata:\n\n").done());
  EXPECT_FALSE(only_event("data: [done]\n\n").done());
  EXPECT_FALSE(only_event("data: {}\n\n").done());
  EXPECT_FALSE(SSEEvent().done());
}

TEST(SSEEvent, RawIsTheJoinedData) {
  const SSEEvent event = only_event("data: {\"a\":\ndata: 1}\n\n");
  EXPECT_EQ(event.raw(), "{\"a\":\n1}");
  ASSERT_TRUE(event.data().has_value());
  EXPECT_EQ(*event.data(), (Json{{"a", 1}}));
}

TEST(SSEEvent, DataParsesOnFirstUseAndCaches) {
  const SSEEvent event = only_event("data: {\"choices\":[{\"index\":0}]}\n\n");
  const std::optional<Json>& first = event.data();
  const std::optional<Json>& second = event.data();
  EXPECT_EQ(&first, &second);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ((*first)["choices"][0]["index"], 0);
}

TEST(SSEEvent, DataIsNulloptWhenNotJsonAndNeverThrows) {
  for (const std::string& raw :
       {"[DONE]"s, ""s, "{"s, "{\"a\":1}}"s, "not json"s, "{\"a\":\"\xFF\"}"s, "1e999"s,
        "{\"a\":1} trailing"s, "\"\\ud80\""s, std::string(100000, '[')}) {
    const SSEEvent event(raw);
    EXPECT_NO_THROW({ EXPECT_FALSE(event.data().has_value()) << raw.substr(0, 40); });
  }
}

// nlohmann refuses a document holding half a surrogate pair; data() reads it as U+FFFD instead,
// so an event (an error event too) is never lost for it.
TEST(SSEEvent, DataReadsLoneSurrogatesAsReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(SSEEvent("\"\\ud800\"").data(), std::optional<Json>(fffd));
  EXPECT_EQ(SSEEvent("\"\\udfff\\ud800\\udfff\"").data(),
            std::optional<Json>(fffd + "\xF0\x90\x8F\xBF"));
  EXPECT_EQ(SSEEvent("\"\\\\ud800\"").data(), std::optional<Json>("\\ud800"));
  const SSEEvent error(R"({"error":{"message":"bad \ud83d input"}})");
  ASSERT_TRUE(error.data().has_value());
  EXPECT_EQ((*error.data())["error"]["message"], "bad " + fffd + " input");
  // The event's bytes stay as sent.
  EXPECT_EQ(error.raw(), R"({"error":{"message":"bad \ud83d input"}})");
}

TEST(SSEEvent, DataAcceptsAnyJsonValue) {
  EXPECT_EQ(SSEEvent("42").data(), std::optional<Json>(42));
  EXPECT_EQ(SSEEvent("\"hi\"").data(), std::optional<Json>("hi"));
  EXPECT_EQ(SSEEvent("null").data(), std::optional<Json>(nullptr));
  EXPECT_EQ(SSEEvent(" [1, 2] ").data(), std::optional<Json>(Json::array({1, 2})));
}

TEST(SSEEvent, FieldsComeFromTheStream) {
  const SSEEvent event = only_event("id: abc\nevent: message_delta\nretry: 250\ndata: x\n\n");
  EXPECT_EQ(event.id(), "abc");
  EXPECT_EQ(event.event(), "message_delta");
  EXPECT_EQ(event.retry(), std::optional<std::uint64_t>(250));
  EXPECT_EQ(event.raw(), "x");

  const SSEEvent plain = only_event("data: x\n\n");
  EXPECT_EQ(plain.id(), "");
  EXPECT_EQ(plain.event(), "");
  EXPECT_FALSE(plain.retry().has_value());
}

TEST(SSEEvent, EqualityComparesWhatWasSentNotTheCache) {
  const SSEEvent a("{\"x\":1}", "e", "1", 5);
  SSEEvent b("{\"x\":1}", "e", "1", 5);
  (void)b.data();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, SSEEvent("{\"x\":1}", "e", "1"));
  EXPECT_NE(a, SSEEvent("{\"x\":1}", "f", "1", 5));
  EXPECT_NE(a, SSEEvent("{\"x\":1}", "e", "2", 5));
  EXPECT_NE(a, SSEEvent("{\"x\":2}", "e", "1", 5));
}

TEST(SSEEvent, CopiesAndMovesKeepEverything) {
  SSEEvent original("{\"choices\":[{\"text\":\"hey\"}]}", "completion", "7", 10);
  (void)original.data();
  const SSEEvent copy = original;
  EXPECT_EQ(copy, original);
  ASSERT_TRUE(copy.data().has_value());
  EXPECT_EQ(copy.text(), "hey");
  const SSEEvent moved = std::move(original);
  EXPECT_EQ(moved, copy);
  EXPECT_EQ(moved.text(), "hey");
}

}  // namespace
