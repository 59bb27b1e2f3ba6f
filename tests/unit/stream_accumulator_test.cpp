// StreamAccumulator: one test per tolerated quirk (named like the rule in
// src/sse/stream_accumulator.cpp), plus the shape of the answer and the bounds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "babyapi/errors.hpp"
#include "babyapi/stream_accumulator.hpp"

namespace {

using babyapi::Json;
using babyapi::ResponseTooLargeError;
using babyapi::SSEEvent;
using babyapi::StreamAccumulator;
using Finished = StreamAccumulator::Finished;
using Kind = StreamAccumulator::Kind;
using List = std::vector<Finished>;

SSEEvent chunk(const Json& data) { return SSEEvent(data.dump()); }

// A chat chunk with one choice.
Json chat(const Json& delta, const Json& finish_reason = nullptr, int index = 0) {
  return {{"id", "chatcmpl-1"},
          {"object", "chat.completion.chunk"},
          {"created", 1700000000},
          {"model", "mistral"},
          {"choices",
           {{{"index", index},
             {"delta", delta},
             {"logprobs", nullptr},
             {"finish_reason", finish_reason}}}}};
}

Json tool_delta(const Json& call) { return {{"tool_calls", Json::array({call})}}; }

const SSEEvent kDone("[DONE]");

TEST(StreamAccumulator, ChatContentBecomesTheNonStreamingAnswer) {
  StreamAccumulator acc;
  EXPECT_EQ(acc.add(chunk(chat({{"role", "assistant"}, {"content", ""}}))), List{});
  EXPECT_EQ(acc.add(chunk(chat({{"content", "Hel"}}))), List{});
  EXPECT_EQ(acc.add(chunk(chat({{"content", "lo"}}))), List{});
  EXPECT_EQ(acc.add(chunk(chat(Json::object(), "stop"))), (List{{Kind::kContent, 0, 0}}));
  EXPECT_EQ(acc.add(kDone), List{});
  const Json expected = {{"id", "chatcmpl-1"},
                         {"object", "chat.completion"},
                         {"created", 1700000000},
                         {"model", "mistral"},
                         {"choices",
                          {{{"index", 0},
                            {"message",
                             {{"role", "assistant"},
                              {"content", "Hello"},
                              {"reasoning", nullptr},
                              {"refusal", nullptr},
                              {"tool_calls", Json::array()}}},
                            {"finish_reason", "stop"},
                            {"logprobs", nullptr}}}},
                         {"usage", nullptr}};
  EXPECT_EQ(acc.completion(), expected);
  EXPECT_EQ(acc.content(), "Hello");
  EXPECT_EQ(acc.chunks(), 4u);
}

TEST(StreamAccumulator, CompletionsStreamGivesTextCompletion) {
  StreamAccumulator acc;
  for (const char* piece : {"Once", " upon"}) {
    acc.add(chunk({{"id", "cmpl-1"},
                   {"object", "text_completion"},
                   {"choices", {{{"index", 0}, {"text", piece}, {"finish_reason", nullptr}}}}}));
  }
  acc.add(chunk({{"object", "text_completion"},
                 {"choices", {{{"index", 0}, {"text", ""}, {"finish_reason", "length"}}}}}));
  const Json answer = acc.completion();
  EXPECT_EQ(answer["object"], "text_completion");
  EXPECT_EQ(answer["choices"][0]["text"], "Once upon");
  EXPECT_EQ(answer["choices"][0]["finish_reason"], "length");
  EXPECT_FALSE(answer["choices"][0].contains("message"));
}

TEST(StreamAccumulator, ToolCallStreamedOverSeveralChunks) {
  StreamAccumulator acc;
  acc.add(chunk(chat({{"role", "assistant"}, {"content", nullptr}})));
  EXPECT_EQ(acc.add(chunk(
                chat(tool_delta({{"index", 0},
                                 {"id", "call_abc"},
                                 {"type", "function"},
                                 {"function", {{"name", "get_weather"}, {"arguments", ""}}}})))),
            List{});
  acc.add(chunk(chat(tool_delta({{"index", 0}, {"function", {{"arguments", "{\"city\":"}}}}))));
  acc.add(chunk(chat(tool_delta({{"index", 0}, {"function", {{"arguments", "\"Paris\"}"}}}}))));
  EXPECT_EQ(acc.add(chunk(chat(Json::object(), "tool_calls"))), (List{{Kind::kToolCall, 0, 0}}));
  const Json message = acc.completion()["choices"][0]["message"];
  EXPECT_TRUE(message["content"].is_null());
  EXPECT_EQ(message["tool_calls"], Json::parse(R"([{"id":"call_abc","type":"function",
                            "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}])"));
  EXPECT_EQ(acc.tool_call(0, 0), message["tool_calls"][0]);
  EXPECT_TRUE(acc.tool_call(0, 1).is_null());
  EXPECT_EQ(acc.completion()["choices"][0]["finish_reason"], "tool_calls");
}

TEST(StreamAccumulator, ParallelToolCallsFinishOneAfterAnother) {
  StreamAccumulator acc;
  acc.add(chunk(chat({{"content", "Let me look."}})));
  // The first tool call ends the content.
  EXPECT_EQ(acc.add(chunk(chat(tool_delta(
                {{"index", 0}, {"id", "a"}, {"function", {{"name", "f"}, {"arguments", "{}"}}}})))),
            (List{{Kind::kContent, 0, 0}}));
  // The second ends the first.
  EXPECT_EQ(acc.add(chunk(chat(tool_delta(
                {{"index", 1}, {"id", "b"}, {"function", {{"name", "g"}, {"arguments", "{"}}}})))),
            (List{{Kind::kToolCall, 0, 0}}));
  acc.add(chunk(chat(tool_delta({{"index", 1}, {"function", {{"arguments", "}"}}}}))));
  EXPECT_EQ(acc.add(chunk(chat(Json::object(), "tool_calls"))), (List{{Kind::kToolCall, 0, 1}}));
  const Json calls = acc.completion()["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1]["function"]["arguments"], "{}");
  EXPECT_EQ(acc.completion()["choices"][0]["message"]["content"], "Let me look.");
}

TEST(StreamAccumulator, MissingToolCallIndex) {
  // Gemini's OpenAI-compatible endpoint (openai-python #2806): no index at all.
  StreamAccumulator acc;
  acc.add(chunk(
      chat(tool_delta({{"id", "a"}, {"function", {{"name", "f"}, {"arguments", "{\"x\":"}}}}))));
  acc.add(chunk(chat(tool_delta({{"function", {{"arguments", "1}"}}}}))));
  acc.add(chunk(
      chat(tool_delta({{"id", "b"}, {"function", {{"name", "g"}, {"arguments", "{\"y\":"}}}}))));
  acc.add(chunk(chat(tool_delta({{"function", {{"arguments", "2}"}}}}))));
  // A known id continues its call.
  acc.add(chunk(chat(tool_delta({{"id", "b"}, {"function", {{"arguments", " "}}}}))));
  const Json calls = acc.completion()["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["function"]["arguments"], "{\"x\":1}");
  EXPECT_EQ(calls[1]["function"]["arguments"], "{\"y\":2} ");
  EXPECT_EQ(calls[1]["function"]["name"], "g");
}

TEST(StreamAccumulator, NegativeToolCallIndex) {
  StreamAccumulator single;
  single.add(chunk(chat(tool_delta(
      {{"index", -1}, {"id", "a"}, {"function", {{"name", "f"}, {"arguments", "{"}}}}))));
  single.add(chunk(chat(tool_delta({{"index", -1}, {"function", {{"arguments", "}"}}}}))));
  Json calls = single.completion()["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["function"]["arguments"], "{}");

  // -1 is not clamped to 0: two calls with their own ids stay apart.
  StreamAccumulator two;
  two.add(chunk(chat(tool_delta(
      {{"index", -1}, {"id", "a"}, {"function", {{"name", "f"}, {"arguments", "1"}}}}))));
  two.add(chunk(chat(tool_delta(
      {{"index", -1}, {"id", "b"}, {"function", {{"name", "g"}, {"arguments", "2"}}}}))));
  // An id seen before goes back to its call (clamped to 0, it would open a third one).
  two.add(
      chunk(chat(tool_delta({{"index", -1}, {"id", "a"}, {"function", {{"arguments", "3"}}}}))));
  calls = two.completion()["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["function"]["arguments"], "13");
  EXPECT_EQ(calls[1]["id"], "b");
  EXPECT_EQ(calls[1]["function"]["arguments"], "2");
}

TEST(StreamAccumulator, DuplicateIndexCarryingNewId) {
  // ollama and lmdeploy number every call 0 and tell them apart by id.
  StreamAccumulator acc;
  acc.add(chunk(chat(
      tool_delta({{"index", 0}, {"id", "a"}, {"function", {{"name", "f"}, {"arguments", ""}}}}))));
  acc.add(chunk(
      chat(tool_delta({{"index", 0}, {"id", ""}, {"function", {{"arguments", "{\"n\":1}"}}}}))));
  EXPECT_EQ(acc.add(chunk(chat(tool_delta(
                {{"index", 0}, {"id", "b"}, {"function", {{"name", "f"}, {"arguments", ""}}}})))),
            (List{{Kind::kToolCall, 0, 0}}));
  acc.add(chunk(chat(tool_delta({{"index", 0}, {"function", {{"arguments", "{\"n\":2}"}}}}))));
  const Json calls = acc.completion()["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["id"], "a");
  EXPECT_EQ(calls[0]["function"]["arguments"], "{\"n\":1}");
  EXPECT_EQ(calls[1]["id"], "b");
  EXPECT_EQ(calls[1]["function"]["arguments"], "{\"n\":2}");
}

TEST(StreamAccumulator, DuplicateIndexInOneChunkIsOneCall) {
  // vLLM with speculative decoding (openai-python #3201): two entries with index 0 in one delta.
  StreamAccumulator acc;
  acc.add(chunk(chat({{"tool_calls",
                       {{{"index", 0},
                         {"id", "functions.list_files:0"},
                         {"type", "function"},
                         {"function", {{"name", "list_files"}}}},
                        {{"index", 0}, {"function", {{"arguments", " {\""}}}}}}})));
  acc.add(chunk(chat(tool_delta({{"index", 0}, {"function", {{"arguments", "path\": \".\"}"}}}}))));
  const Json calls = acc.completion()["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["function"]["arguments"], " {\"path\": \".\"}");
  EXPECT_EQ(calls[0]["function"]["name"], "list_files");
}

TEST(StreamAccumulator, SameIdOnEveryChunkContinuesTheCall) {
  // vLLM and sglang repeat the id (and sometimes the name) on every chunk.
  StreamAccumulator acc;
  for (const char* piece : {"{\"a\"", ":1", "}"}) {
    acc.add(chunk(chat(tool_delta(
        {{"index", 0}, {"id", "call_1"}, {"function", {{"name", "f"}, {"arguments", piece}}}}))));
  }
  const Json calls = acc.completion()["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["function"]["arguments"], "{\"a\":1}");
  EXPECT_EQ(calls[0]["function"]["name"], "f");
}

TEST(StreamAccumulator, MissingId) {
  // openai-node #1958: a server that never sends an id, and one that sends it late.
  StreamAccumulator acc;
  acc.add(
      chunk(chat(tool_delta({{"index", 0}, {"function", {{"name", "f"}, {"arguments", "{}"}}}}))));
  acc.add(chunk(chat(tool_delta({{"index", 1}, {"id", nullptr}, {"function", {{"name", "g"}}}}))));
  acc.add(
      chunk(chat(tool_delta({{"index", 1}, {"id", "late"}, {"function", {{"arguments", "{}"}}}}))));
  const Json calls = acc.completion()["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["id"], "call000000");
  EXPECT_EQ(calls[0]["type"], "function");
  EXPECT_EQ(calls[1]["id"], "late");
}

TEST(StreamAccumulator, WholeCallInOneDelta) {
  StreamAccumulator acc;
  EXPECT_EQ(acc.add(chunk(chat(
                tool_delta({{"index", 0},
                            {"id", "c1"},
                            {"type", "function"},
                            {"function", {{"name", "add"}, {"arguments", "{\"a\":1,\"b\":2}"}}}}),
                "tool_calls"))),
            (List{{Kind::kToolCall, 0, 0}}));
  EXPECT_EQ(acc.tool_call(0, 0)["function"]["arguments"], "{\"a\":1,\"b\":2}");
}

TEST(StreamAccumulator, RepeatedNameAndObjectArguments) {
  StreamAccumulator acc;
  acc.add(chunk(chat(tool_delta({{"index", 0}, {"function", {{"name", "get_"}}}}))));
  acc.add(chunk(chat(tool_delta({{"index", 0}, {"function", {{"name", "weather"}}}}))));
  acc.add(chunk(chat(tool_delta({{"index", 0}, {"function", {{"name", "get_weather"}}}}))));
  acc.add(
      chunk(chat(tool_delta({{"index", 0}, {"function", {{"arguments", {{"city", "Oslo"}}}}}}))));
  EXPECT_EQ(acc.tool_call(0, 0)["function"]["name"], "get_weather");
  EXPECT_EQ(acc.tool_call(0, 0)["function"]["arguments"], "{\"city\":\"Oslo\"}");
}

TEST(StreamAccumulator, ArgumentsSplitMidUtf8) {
  StreamAccumulator acc;
  // "é" is C3 A9: the server cut it between two chunks, each of which is then not UTF-8.
  acc.add(SSEEvent(
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\"city\":\"Montr)"
      "\xC3"
      R"("}}]}}]})"));
  acc.add(
      SSEEvent("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
               "\"function\":{\"arguments\":\"\xA9"
               "al\\\"}\"}}]}}]}"));
  // The same for content, escaped as two halves of a surrogate pair (U+1F600).
  acc.add(SSEEvent(R"({"choices":[{"index":0,"delta":{"content":"smile \ud83d"}}]})"));
  acc.add(SSEEvent(R"({"choices":[{"index":0,"delta":{"content":"\ude00!"}}]})"));
  const Json answer = acc.completion();
  EXPECT_EQ(answer["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"],
            "{\"city\":\"Montr\xC3\xA9"
            "al\"}");
  EXPECT_EQ(answer["choices"][0]["message"]["content"], "smile \xF0\x9F\x98\x80!");
  EXPECT_NO_THROW((void)answer.dump());
}

TEST(StreamAccumulator, BytesStillBrokenAtTheEndBecomeReplacementCharacters) {
  StreamAccumulator acc;
  acc.add(SSEEvent("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\xE2\x82\"}}]}"));
  acc.add(SSEEvent(R"({"choices":[{"index":0,"delta":{"content":"b\udc00c"}}]})"));
  const Json answer = acc.completion();
  EXPECT_EQ(answer["choices"][0]["message"]["content"],
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c");
  EXPECT_NO_THROW((void)answer.dump());
}

TEST(StreamAccumulator, UsageOnlyChunkWithEmptyChoices) {
  StreamAccumulator acc;
  acc.add(chunk(chat({{"content", "Hi"}}, "stop")));
  const Json usage = {{"prompt_tokens", 5}, {"completion_tokens", 1}, {"total_tokens", 6}};
  EXPECT_EQ(acc.add(chunk({{"id", "chatcmpl-1"}, {"choices", Json::array()}, {"usage", usage}})),
            List{});
  EXPECT_EQ(acc.usage(), usage);
  const Json answer = acc.completion();
  EXPECT_EQ(answer["usage"], usage);
  ASSERT_EQ(answer["choices"].size(), 1u);
  EXPECT_EQ(answer["choices"][0]["message"]["content"], "Hi");
}

TEST(StreamAccumulator, UsageNullOnOrdinaryChunksKeepsTheLastUsage) {
  StreamAccumulator acc;
  Json first = chat({{"content", "a"}});
  first["usage"] = {{"prompt_tokens", 5}, {"completion_tokens", 1}, {"total_tokens", 6}};
  acc.add(chunk(first));
  Json ordinary = chat({{"content", "b"}});
  ordinary["usage"] = nullptr;
  acc.add(chunk(ordinary));
  EXPECT_EQ(acc.usage()["total_tokens"], 6);
}

TEST(StreamAccumulator, UsageIsReplacedNeverSummed) {
  // vLLM's continuous_usage_stats: running totals on every chunk.
  StreamAccumulator acc;
  for (int tokens = 1; tokens <= 3; ++tokens) {
    Json c = chat({{"content", "x"}});
    c["usage"] = {
        {"prompt_tokens", 5}, {"completion_tokens", tokens}, {"total_tokens", 5 + tokens}};
    acc.add(chunk(c));
  }
  EXPECT_EQ(acc.completion()["usage"]["completion_tokens"], 3);
  EXPECT_EQ(acc.completion()["usage"]["total_tokens"], 8);
}

TEST(StreamAccumulator, ReasoningThenContent) {
  StreamAccumulator acc;
  acc.add(chunk(chat({{"role", "assistant"}, {"reasoning", "Think"}})));
  acc.add(chunk(chat({{"reasoning", "ing."}})));
  EXPECT_EQ(acc.add(chunk(chat({{"content", "Answer"}}))), (List{{Kind::kReasoning, 0, 0}}));
  const Json message = acc.completion()["choices"][0]["message"];
  EXPECT_EQ(message["reasoning"], "Thinking.");
  EXPECT_EQ(message["content"], "Answer");
}

TEST(StreamAccumulator, LegacyReasoningContent) {
  StreamAccumulator acc;
  acc.add(chunk(chat({{"reasoning_content", "old "}})));
  // vLLM's compatibility period sends both spellings with the same text: counted once.
  acc.add(chunk(chat({{"reasoning", "and new"}, {"reasoning_content", "and new"}})));
  EXPECT_EQ(acc.completion()["choices"][0]["message"]["reasoning"], "old and new");
}

TEST(StreamAccumulator, InterleavedChoicesStayApart) {
  StreamAccumulator acc;
  acc.add(chunk(chat({{"content", "A1"}}, nullptr, 0)));
  acc.add(chunk(chat({{"content", "B1"}}, nullptr, 1)));
  acc.add(chunk(chat({{"content", "A2"}}, nullptr, 0)));
  EXPECT_EQ(acc.add(chunk(chat({{"content", "B2"}}, "length", 1))), (List{{Kind::kContent, 1, 0}}));
  EXPECT_EQ(acc.add(kDone), (List{{Kind::kContent, 0, 0}}));
  const Json choices = acc.completion()["choices"];
  ASSERT_EQ(choices.size(), 2u);
  EXPECT_EQ(choices[0]["message"]["content"], "A1A2");
  EXPECT_TRUE(choices[0]["finish_reason"].is_null());
  EXPECT_EQ(choices[1]["message"]["content"], "B1B2");
  EXPECT_EQ(choices[1]["finish_reason"], "length");
  EXPECT_EQ(acc.content(1), "B1B2");
}

TEST(StreamAccumulator, ChoiceWithoutIndexIsNumberedByPosition) {
  StreamAccumulator acc;
  acc.add(chunk({{"choices", {{{"delta", {{"content", "a"}}}}, {{"delta", {{"content", "b"}}}}}}}));
  const Json choices = acc.completion()["choices"];
  ASSERT_EQ(choices.size(), 2u);
  EXPECT_EQ(choices[1]["index"], 1);
  EXPECT_EQ(choices[1]["message"]["content"], "b");
}

TEST(StreamAccumulator, LogprobsAreJoined) {
  StreamAccumulator acc;
  Json a = chat({{"content", "a"}});
  a["choices"][0]["logprobs"] = {{"content", {{{"token", "a"}, {"logprob", -0.5}}}}};
  Json b = chat({{"content", "b"}});
  b["choices"][0]["logprobs"] = {{"content", {{{"token", "b"}, {"logprob", -1.0}}}}};
  acc.add(chunk(a));
  acc.add(chunk(b));
  const Json logprobs = acc.completion()["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(logprobs.size(), 2u);
  EXPECT_EQ(logprobs[1]["token"], "b");
}

TEST(StreamAccumulator, EventsThatAreNotChunksChangeNothing) {
  StreamAccumulator acc;
  EXPECT_EQ(acc.add(SSEEvent("not json")), List{});
  EXPECT_EQ(acc.add(SSEEvent(R"({"error":{"message":"boom"}})")), List{});
  EXPECT_EQ(acc.add(SSEEvent(R"({"choices":[{"delta":{"content":"x"}}]})", "error")), List{});
  EXPECT_EQ(acc.add(SSEEvent("[1,2]")), List{});
  EXPECT_EQ(acc.chunks(), 0u);
  EXPECT_TRUE(acc.completion()["choices"].empty());
}

TEST(StreamAccumulator, FinishClosesWhatIsOpenOnce) {
  StreamAccumulator acc;
  acc.add(chunk(chat({{"content", "cut"}})));
  EXPECT_EQ(acc.finish(), (List{{Kind::kContent, 0, 0}}));
  EXPECT_EQ(acc.finish(), List{});
  EXPECT_EQ(acc.add(kDone), List{});
}

TEST(StreamAccumulator, AtMost128Choices) {
  StreamAccumulator acc;
  EXPECT_NO_THROW(acc.add(chunk(chat({{"content", "x"}}, nullptr, 127))));
  try {
    acc.add(chunk(chat({{"content", "x"}}, nullptr, 128)));
    FAIL() << "choice 128 was accepted";
  } catch (const ResponseTooLargeError& error) {
    EXPECT_NE(error.message().find("choice 128"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("kMaxChoices"), std::string::npos) << error.message();
  }
  // Once failed, always failed: nothing partial is passed off as the answer.
  EXPECT_THROW(acc.add(chunk(chat({{"content", "x"}}))), ResponseTooLargeError);
  EXPECT_THROW((void)acc.completion(), ResponseTooLargeError);
}

TEST(StreamAccumulator, AtMost128ToolCalls) {
  StreamAccumulator acc;
  for (int i = 0; i < 128; ++i) {
    acc.add(chunk(chat(tool_delta({{"index", i}, {"function", {{"name", "f"}}}}))));
  }
  EXPECT_EQ(acc.completion()["choices"][0]["message"]["tool_calls"].size(), 128u);
  try {
    acc.add(chunk(chat(tool_delta({{"index", 128}, {"function", {{"name", "f"}}}}))));
    FAIL() << "tool call 129 was accepted";
  } catch (const ResponseTooLargeError& error) {
    EXPECT_NE(error.message().find("kMaxToolCalls"), std::string::npos) << error.message();
  }
}

TEST(StreamAccumulator, ArgumentsWithinMaxBytes) {
  StreamAccumulator acc(16);
  acc.add(chunk(chat(
      tool_delta({{"index", 0}, {"function", {{"name", "f"}, {"arguments", "0123456789"}}}}))));
  try {
    acc.add(chunk(chat(tool_delta({{"index", 0}, {"function", {{"arguments", "0123456789"}}}}))));
    FAIL() << "arguments past max_bytes were accepted";
  } catch (const ResponseTooLargeError& error) {
    EXPECT_NE(error.message().find("16 bytes"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("arguments"), std::string::npos) << error.message();
  }
  EXPECT_THROW((void)acc.completion(), ResponseTooLargeError);
}

}  // namespace
