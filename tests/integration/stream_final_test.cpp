// Stream::final_completion() and Stream::usage() over the emulator: the events already iterated
// count, the rest is read, a long stream past the recording bound is still whole, and the answer
// matches what the same request gives without streaming. Also parse<T>() and the guided_* warning.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "babyapi/babyapi.hpp"
#include "emulator_test.hpp"

namespace babyapi {
namespace {

using testing::EmulatorTest;

class StreamFinalTest : public EmulatorTest {
 protected:
  static Json chat(const std::string& prompt, int max_tokens = 64) {
    return {{"model", "mistral"},
            {"messages", {{{"role", "user"}, {"content", prompt}}}},
            {"max_tokens", max_tokens}};
  }
};

TEST_F(StreamFinalTest, IncludesTheEventsAlreadyIteratedAndReadsTheRest) {
  Client client(emulator().client_options());
  const Json params = chat("one two three four five six seven");
  const Response plain = client.chat.completions.create(params);

  Stream stream = client.chat.completions.stream(params);
  std::string seen;
  int iterated = 0;
  for (const SSEEvent& event : stream) {
    seen += event.text();
    if (++iterated == 3) break;  // stop early: the rest is final_completion's to read
  }
  const Json final = stream.final_completion();
  EXPECT_TRUE(stream.saw_done());
  EXPECT_EQ(final["object"], "chat.completion");
  EXPECT_EQ(final["choices"][0]["message"]["content"], plain.content());
  EXPECT_EQ(final["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(final["choices"][0]["finish_reason"], plain.finish_reason().value());
  EXPECT_EQ(final["choices"][0]["message"]["content"].get<std::string>().rfind(seen, 0), 0u);
  EXPECT_EQ(final["model"], "mistral");
  EXPECT_FALSE(final["id"].get<std::string>().empty());
  EXPECT_EQ(stream.begin(), stream.end()) << "nothing is left to iterate";
  EXPECT_EQ(stream.final_completion(), final) << "a second call gives the same answer";
}

TEST_F(StreamFinalTest, ACompletionsStreamGivesATextCompletion) {
  Client client(emulator().client_options());
  const Json params = {{"model", "mistral"}, {"prompt", "alpha beta gamma"}, {"max_tokens", 16}};
  const Response plain = client.completions.create(params);
  Stream stream = client.completions.stream(params);
  const Json final = stream.final_completion();
  EXPECT_EQ(final["object"], "text_completion");
  EXPECT_EQ(final["choices"][0]["text"], plain.content());
}

TEST_F(StreamFinalTest, UsageIsTheLastOneSentAndMatchesTheBlockingAnswer) {
  Client client(emulator().client_options());
  Json params = chat("count these words please");
  const Response plain = client.chat.completions.create(params);
  params["stream_options"] = {{"include_usage", true}};
  Stream stream = client.chat.completions.stream(params);
  for (const SSEEvent& event : stream) {
    if (event.done()) break;
  }
  EXPECT_EQ(stream.usage(), plain.usage());
  EXPECT_EQ(stream.final_completion()["usage"], plain.usage());

  Stream without = client.chat.completions.stream(chat("no usage asked"));
  EXPECT_TRUE(without.usage().is_null());
  without.final_completion();
  EXPECT_TRUE(without.usage().is_null());
}

// Past 1 MiB of events the Stream stops recording them and feeds its accumulator as they come;
// the answer must not lose the events from before the switch, nor the ones after it.
TEST_F(StreamFinalTest, ALongStreamIsWholeAcrossTheSwitchFromRecordingToAccumulating) {
  Client client(emulator().client_options());
  constexpr int kTokens = 20000;  // about 3 MiB of chunks
  Stream stream = client.chat.completions.stream(
      chat("long", kTokens), with_header("x-emulator-stream", "tokens=" + std::to_string(kTokens)));
  std::string text;
  std::size_t bytes = 0;
  for (const SSEEvent& event : stream) {
    text += event.text();
    bytes += event.raw().size();
    if (bytes > (std::size_t{3} << 19)) break;  // past the switch, with more to come
  }
  const Json final = stream.final_completion();
  const std::string content = final["choices"][0]["message"]["content"];
  EXPECT_EQ(content.rfind(text, 0), 0u) << "the iterated part is kept";
  EXPECT_GT(content.size(), text.size()) << "the rest was read";
  EXPECT_TRUE(stream.saw_done());
}

TEST_F(StreamFinalTest, AConnectionCutMidStreamThrowsFromFinalCompletion) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(chat("a b c d e f g h"),
                                                 with_header("x-emulator-stream", "cut-after=2"));
  EXPECT_THROW(stream.final_completion(), APIConnectionError);
}

struct Person {
  std::string name;
  int age = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Person, name, age)

const Json kPersonSchema = {
    {"title", "person"},
    {"type", "object"},
    {"properties", {{"name", {{"type", "string"}}}, {"age", {{"type", "integer"}}}}},
    {"required", {"name", "age"}},
    {"additionalProperties", false},
};

TEST_F(StreamFinalTest, ParseSendsTheSchemaStrictAndReturnsTheValue) {
  Client client(emulator().client_options());
  std::string tag;
  Parsed<Person> parsed = client.chat.completions.parse<Person>(chat("Ada Lovelace, 36", 256),
                                                                kPersonSchema, tagged(tag));
  EXPECT_FALSE(parsed.value.name.empty());
  EXPECT_EQ(parsed.response.status(), 200);
  const Json sent = Json::parse(logged(tag).at(0)["body"].get<std::string>())["response_format"];
  EXPECT_EQ(sent["type"], "json_schema");
  EXPECT_EQ(sent["json_schema"]["name"], "person");
  EXPECT_EQ(sent["json_schema"]["strict"], true);
  EXPECT_EQ(sent["json_schema"]["schema"], kPersonSchema);
}

TEST_F(StreamFinalTest, ParseThrowsOnLengthAndOnContentThatIsNotTheType) {
  Client client(emulator().client_options());
  EXPECT_THROW(client.chat.completions.parse<Person>(chat("cut", 1), kPersonSchema),
               LengthFinishReasonError);
  // A schema whose required key has another type than Person's: the JSON is fine, the T is not.
  Json wrong = kPersonSchema;
  wrong["properties"]["age"] = {{"type", "string"}};
  try {
    client.chat.completions.parse<Person>(chat("Ada", 256), wrong);
    FAIL() << "expected BabyAPIError";
  } catch (const LengthFinishReasonError&) {
    FAIL() << "not a length error";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("does not fit"), std::string::npos) << error.message();
  }
  EXPECT_THROW(
      client.chat.completions.parse<Person>(
          Json{{"model", "mistral"}, {"response_format", {{"type", "text"}}}}, kPersonSchema),
      BabyAPIError);
}

TEST_F(StreamFinalTest, RemovedGuidedKeysAreWarnedAbout) {
  if (const char* level = std::getenv("BABYAPI_LOG"); level != nullptr && *level != '\0') {
    GTEST_SKIP() << "BABYAPI_LOG is set: this test checks the default level";
  }
  Client client(emulator().client_options());
  Json params = chat("hello");
  params["guided_json"] = kPersonSchema;
  ::testing::internal::CaptureStderr();
  client.chat.completions.create(params);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("[babyapi warning]"), std::string::npos) << log;
  EXPECT_NE(log.find("guided_json"), std::string::npos) << log;
  EXPECT_NE(log.find("structured_outputs"), std::string::npos) << log;

  ::testing::internal::CaptureStderr();
  client.chat.completions.create(chat("hello"));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace babyapi
