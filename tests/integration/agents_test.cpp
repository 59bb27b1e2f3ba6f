// Streams an agent can use, against the emulator's vLLM-shaped answers (issue 10, item 5):
// tool-call deltas, n > 1, usage in streams, reasoning, structured output, finish_reason length,
// unknown models, errors inside a stream, and each tolerated quirk (x-emulator-quirks). Every test
// drives the SDK end to end and checks both the wire shape the emulator sent and what the SDK made
// of it.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "emulator_test.hpp"

namespace babyapi {
namespace {

// Non-ASCII on purpose: the tool arguments are made of it, so split-utf8 has characters to cut.
const char* const kQuestion = "Weather in Zürich, Genève and 東京 today?";

Json weather_tool(const std::string& name = "get_weather") {
  return {{"type", "function"},
          {"function",
           {{"name", name},
            {"description", "Current weather of a city"},
            {"parameters",
             {{"type", "object"},
              {"properties",
               {{"city", {{"type", "string"}}},
                {"days", {{"type", "integer"}}},
                {"unit", {{"type", "string"}, {"enum", {"celsius", "fahrenheit"}}}}}},
              {"required", {"city", "days", "unit"}}}}}}};
}

// The events of a stream (without [DONE]), then its final completion.
struct Streamed {
  std::vector<SSEEvent> events;
  bool done = false;
  Json completion;
};

Streamed drain(Stream& stream) {
  Streamed out;
  for (const SSEEvent& event : stream) {
    if (event.done()) {
      out.done = true;
      continue;
    }
    out.events.push_back(event);
  }
  out.completion = stream.final_completion();
  return out;
}

// The tool_calls delta entries of every parseable event, in order.
std::vector<Json> tool_call_deltas(const Streamed& r) {
  std::vector<Json> out;
  for (const SSEEvent& event : r.events) {
    const auto& data = event.data();
    if (!data || !data->contains("choices")) continue;
    for (const Json& choice : (*data).at("choices")) {
      const Json delta = choice.value("delta", Json::object());
      if (!delta.contains("tool_calls")) continue;
      for (const Json& call : delta.at("tool_calls")) out.push_back(call);
    }
  }
  return out;
}

int events_with(const Streamed& r, const std::string& needle) {
  int n = 0;
  for (const SSEEvent& event : r.events) n += event.raw().find(needle) != std::string::npos;
  return n;
}

const Json& message_of(const Json& completion, std::size_t choice = 0) {
  return completion.at("choices").at(choice).at("message");
}

// The arguments of a tool call the toy model made for weather_tool and kQuestion.
void expect_weather_arguments(const Json& call, const std::string& name = "get_weather") {
  EXPECT_EQ(call.value("type", ""), "function") << call.dump();
  EXPECT_EQ(call.at("function").value("name", ""), name) << call.dump();
  const Json args = Json::parse(call.at("function").value("arguments", ""), nullptr, false);
  ASSERT_TRUE(args.is_object()) << call.dump();
  EXPECT_EQ(args.value("city", ""), kQuestion);
  EXPECT_EQ(args.value("days", -1), 7);  // the toy model's integer: the words of the question
  EXPECT_EQ(args.value("unit", ""), "celsius");
}

class AgentsTest : public testing::EmulatorTest {
 protected:
  static Json tool_params(const std::string& text = kQuestion) {
    Json params = chat_params(text);
    params["tools"] = Json::array({weather_tool()});
    return params;
  }
  static RequestOptions quirks(const std::string& modes) {
    return with_header("x-emulator-quirks", modes);
  }
  static Streamed stream_run(const Json& params, const RequestOptions& options = {}) {
    Client client(emulator().client_options());
    Stream stream = client.chat.completions.stream(params, options);
    return drain(stream);
  }
};

// --- Tool calls ---------------------------------------------------------------------------------

TEST_F(AgentsTest, ToolsStreamIdTypeAndNameFirstThenArgumentsOverSeveralChunks) {
  const Streamed r = stream_run(tool_params());
  EXPECT_TRUE(r.done);
  const std::vector<Json> deltas = tool_call_deltas(r);
  ASSERT_GE(deltas.size(), 3U);
  // The first delta opens the call: index, id, type and name, and no arguments yet.
  EXPECT_EQ(deltas[0].value("index", -1), 0);
  EXPECT_TRUE(deltas[0].value("id", "").rfind("chatcmpl-tool-", 0) == 0) << deltas[0].dump();
  EXPECT_EQ(deltas[0].value("type", ""), "function");
  EXPECT_EQ(deltas[0].at("function").value("name", ""), "get_weather");
  EXPECT_FALSE(deltas[0].at("function").contains("arguments"));
  // Then only argument fragments, each under the same index, without id or name.
  for (std::size_t i = 1; i < deltas.size(); ++i) {
    EXPECT_EQ(deltas[i].value("index", -1), 0);
    EXPECT_FALSE(deltas[i].contains("id"));
    EXPECT_FALSE(deltas[i].at("function").contains("name"));
    EXPECT_TRUE(deltas[i].at("function").contains("arguments"));
  }
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events.back().finish_reason(), "tool_calls");

  const Json& message = message_of(r.completion);
  EXPECT_TRUE(message.at("content").is_null()) << r.completion.dump();
  ASSERT_EQ(message.at("tool_calls").size(), 1U) << r.completion.dump();
  EXPECT_EQ(message.at("tool_calls")[0].value("id", ""), deltas[0].value("id", ""));
  expect_weather_arguments(message.at("tool_calls")[0]);
  EXPECT_EQ(r.completion.at("choices")[0].value("finish_reason", ""), "tool_calls");
}

TEST_F(AgentsTest, ToolsAnswerWithToolCallsWithoutStreaming) {
  Client client(emulator().client_options());
  const Response res = client.chat.completions.create(tool_params());
  EXPECT_EQ(res.finish_reason(), "tool_calls");
  EXPECT_EQ(res.content(), "");
  const Json calls = res.tool_calls();
  ASSERT_EQ(calls.size(), 1U) << res.json().dump();
  EXPECT_TRUE(calls[0].value("id", "").rfind("chatcmpl-tool-", 0) == 0);
  expect_weather_arguments(calls[0]);
}

TEST_F(AgentsTest, NamedToolChoiceCallsThatTool) {
  Json params = tool_params();
  params["tools"].push_back(weather_tool("get_forecast"));
  params["tool_choice"] = {{"type", "function"}, {"function", {{"name", "get_forecast"}}}};
  const Streamed r = stream_run(params);
  const Json& calls = message_of(r.completion).at("tool_calls");
  ASSERT_EQ(calls.size(), 1U) << r.completion.dump();
  expect_weather_arguments(calls[0], "get_forecast");
}

TEST_F(AgentsTest, ToolChoiceNoneAnswersWithContent) {
  Json params = tool_params();
  params["tool_choice"] = "none";
  const Streamed r = stream_run(params);
  EXPECT_EQ(message_of(r.completion).at("content"), kQuestion);
  EXPECT_TRUE(message_of(r.completion).at("tool_calls").empty()) << r.completion.dump();
  EXPECT_EQ(r.completion.at("choices")[0].at("finish_reason"), "stop");
}

TEST_F(AgentsTest, AfterAToolMessageTheAnswerIsTheToolsContent) {
  Json params = tool_params();
  params["messages"].push_back(
      {{"role", "assistant"},
       {"content", nullptr},
       {"tool_calls",
        {{{"id", "call_1"},
          {"type", "function"},
          {"function", {{"name", "get_weather"}, {"arguments", R"({"city":"Zürich"})"}}}}}}});
  params["messages"].push_back(
      {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "Sunny, 21 °C in Zürich"}});
  const Streamed r = stream_run(params);
  EXPECT_EQ(message_of(r.completion).at("content"), "Sunny, 21 °C in Zürich");
  EXPECT_TRUE(message_of(r.completion).at("tool_calls").empty()) << r.completion.dump();
  EXPECT_EQ(r.completion.at("choices")[0].at("finish_reason"), "stop");

  Client client(emulator().client_options());
  EXPECT_EQ(client.chat.completions.create(params).content(), "Sunny, 21 °C in Zürich");
}

// --- n > 1 --------------------------------------------------------------------------------------

TEST_F(AgentsTest, SeveralChoicesInterleaveTheirChunks) {
  Json params = chat_params("one two three");
  params["n"] = 3;
  const Streamed r = stream_run(params);
  std::vector<int> order;
  for (const SSEEvent& event : r.events) {
    ASSERT_TRUE(event.data().has_value());
    const Json& choices = (*event.data()).at("choices");
    ASSERT_EQ(choices.size(), 1U);
    order.push_back(choices[0].at("index").get<int>());
  }
  // Round robin: 0 1 2 0 1 2 ..., so no choice's chunks come in one block.
  ASSERT_GE(order.size(), 6U);
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], static_cast<int>(i % 3)) << i;
  ASSERT_EQ(r.completion.at("choices").size(), 3U) << r.completion.dump();
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(r.completion.at("choices")[c].at("index"), c);
    EXPECT_EQ(message_of(r.completion, c).at("content"), "one two three");
    EXPECT_EQ(r.completion.at("choices")[c].at("finish_reason"), "stop");
  }
}

// --- Usage in streams ---------------------------------------------------------------------------

TEST_F(AgentsTest, IncludeUsageSendsNullOnChunksAndAFinalChunkWithoutChoices) {
  Json params = chat_params("count these four words");
  params["stream_options"] = {{"include_usage", true}};
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(params);
  const Streamed r = drain(stream);
  ASSERT_GE(r.events.size(), 2U);
  for (std::size_t i = 0; i + 1 < r.events.size(); ++i) {
    const Json& chunk = *r.events[i].data();
    EXPECT_TRUE(chunk.contains("usage") && chunk.at("usage").is_null()) << chunk.dump();
    EXPECT_FALSE(r.events[i].usage().has_value());
    EXPECT_EQ(chunk.at("choices").size(), 1U);
  }
  const Json& last = *r.events.back().data();
  EXPECT_TRUE(last.at("choices").empty()) << last.dump();
  const Json expected = {{"prompt_tokens", 4}, {"completion_tokens", 4}, {"total_tokens", 8}};
  EXPECT_EQ(last.at("usage"), expected);
  EXPECT_EQ(r.events.back().usage(), expected);
  EXPECT_EQ(stream.usage(), expected);
  EXPECT_EQ(r.completion.at("usage"), expected);
  EXPECT_EQ(message_of(r.completion).at("content"), "count these four words");
}

TEST_F(AgentsTest, ContinuousUsageStatsPutUsageOnEveryChunk) {
  Json params = chat_params("count these four words");
  params["stream_options"] = {{"include_usage", true}, {"continuous_usage_stats", true}};
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(params);
  long long previous = 0;
  int chunks = 0;
  for (const SSEEvent& event : stream) {
    if (event.done()) break;
    const std::optional<Json> usage = event.usage();
    ASSERT_TRUE(usage.has_value()) << event.raw();
    EXPECT_EQ((*usage).at("prompt_tokens"), 4);
    const long long completion = (*usage).at("completion_tokens").get<long long>();
    EXPECT_GE(completion, previous);  // running totals, never summed by the client
    previous = completion;
    EXPECT_EQ(stream.usage(), *usage);
    ++chunks;
  }
  EXPECT_GE(chunks, 6);  // role, four words, finish, the usage-only chunk
  EXPECT_EQ(previous, 4);
  EXPECT_EQ(stream.final_completion().at("usage").at("completion_tokens"), 4);
}

TEST_F(AgentsTest, ContinuousUsageStatsNeedIncludeUsage) {
  Json params = chat_params("count these four words");
  params["stream_options"] = {{"include_usage", false}, {"continuous_usage_stats", true}};
  const Streamed r = stream_run(params);
  EXPECT_EQ(events_with(r, "\"usage\""), 0);
  EXPECT_TRUE(r.completion.at("usage").is_null()) << r.completion.dump();
}

// --- Reasoning ----------------------------------------------------------------------------------

TEST_F(AgentsTest, AReasoningModelStreamsReasoning) {
  Json params = chat_params("think about this");
  params["model"] = "magistral";
  const Streamed r = stream_run(params);
  std::string reasoning;
  for (const SSEEvent& event : r.events) reasoning += event.reasoning();
  EXPECT_EQ(reasoning, "The user wrote 3 words; I will answer with them.");
  EXPECT_GT(events_with(r, "\"reasoning\":"), 3);
  EXPECT_EQ(events_with(r, "\"reasoning_content\":"), 0);
  EXPECT_EQ(message_of(r.completion).at("reasoning"), reasoning);
  EXPECT_EQ(message_of(r.completion).at("content"), "think about this");

  Client client(emulator().client_options());
  const Response res = client.chat.completions.create(params);
  EXPECT_EQ(res.reasoning(), reasoning);
  EXPECT_EQ(res.content(), "think about this");
}

TEST_F(AgentsTest, AHeaderSwitchesReasoningToTheLegacyReasoningContent) {
  Json params = chat_params("think about this");
  params["model"] = "magistral";
  const Streamed r = stream_run(params, quirks("reasoning-content"));
  std::string reasoning;
  for (const SSEEvent& event : r.events) reasoning += event.reasoning();
  EXPECT_EQ(reasoning, "The user wrote 3 words; I will answer with them.");
  EXPECT_GT(events_with(r, "\"reasoning_content\":"), 3);
  EXPECT_EQ(events_with(r, "\"reasoning\":"), 0);
  EXPECT_EQ(message_of(r.completion).at("reasoning"), reasoning);

  Client client(emulator().client_options());
  const Response res = client.chat.completions.create(params, quirks("reasoning-content"));
  EXPECT_TRUE(res.json().at("choices")[0].at("message").contains("reasoning_content"));
  EXPECT_EQ(res.reasoning(), reasoning);
}

// --- Quirks -------------------------------------------------------------------------------------

TEST_F(AgentsTest, QuirkNoIndex) {
  const Streamed r = stream_run(tool_params(), quirks("no-index"));
  const std::vector<Json> deltas = tool_call_deltas(r);
  ASSERT_GE(deltas.size(), 2U);
  for (const Json& d : deltas) EXPECT_FALSE(d.contains("index")) << d.dump();
  const Json& calls = message_of(r.completion).at("tool_calls");
  ASSERT_EQ(calls.size(), 1U) << r.completion.dump();
  expect_weather_arguments(calls[0]);
}

TEST_F(AgentsTest, QuirkIndexMinusOne) {
  const Streamed r = stream_run(tool_params(), quirks("index-minus-one"));
  const std::vector<Json> deltas = tool_call_deltas(r);
  ASSERT_GE(deltas.size(), 2U);
  for (const Json& d : deltas) EXPECT_EQ(d.value("index", 0), -1) << d.dump();
  const Json& calls = message_of(r.completion).at("tool_calls");
  ASSERT_EQ(calls.size(), 1U) << r.completion.dump();
  expect_weather_arguments(calls[0]);
}

TEST_F(AgentsTest, QuirkDuplicateIndexCarryingANewId) {
  Json params = tool_params();
  params["tools"].push_back(weather_tool("get_forecast"));
  const Streamed r = stream_run(params, quirks("duplicate-index"));
  std::set<std::string> ids;
  for (const Json& d : tool_call_deltas(r)) {
    EXPECT_EQ(d.value("index", -1), 0) << d.dump();
    if (d.contains("id")) ids.insert(d.at("id").get<std::string>());
  }
  ASSERT_EQ(ids.size(), 2U);
  const Json& calls = message_of(r.completion).at("tool_calls");
  ASSERT_EQ(calls.size(), 2U) << r.completion.dump();
  EXPECT_NE(calls[0].at("id"), calls[1].at("id"));
  EXPECT_EQ(ids.count(calls[0].value("id", "")), 1U);
  EXPECT_EQ(ids.count(calls[1].value("id", "")), 1U);
  expect_weather_arguments(calls[0], "get_weather");
  expect_weather_arguments(calls[1], "get_forecast");
}

TEST_F(AgentsTest, QuirkNoId) {
  const Streamed r = stream_run(tool_params(), quirks("no-id"));
  const std::vector<Json> deltas = tool_call_deltas(r);
  ASSERT_GE(deltas.size(), 2U);
  for (const Json& d : deltas) EXPECT_FALSE(d.contains("id")) << d.dump();
  const Json& calls = message_of(r.completion).at("tool_calls");
  ASSERT_EQ(calls.size(), 1U) << r.completion.dump();
  expect_weather_arguments(calls[0]);
}

TEST_F(AgentsTest, QuirkWholeCallInOneDelta) {
  const Streamed r = stream_run(tool_params(), quirks("whole-call"));
  const std::vector<Json> deltas = tool_call_deltas(r);
  ASSERT_EQ(deltas.size(), 1U);
  EXPECT_TRUE(deltas[0].contains("id"));
  EXPECT_TRUE(deltas[0].at("function").contains("name"));
  expect_weather_arguments(deltas[0]);  // the whole arguments in that one delta
  const Json& calls = message_of(r.completion).at("tool_calls");
  ASSERT_EQ(calls.size(), 1U) << r.completion.dump();
  EXPECT_EQ(calls[0].at("id"), deltas[0].at("id"));
  expect_weather_arguments(calls[0]);
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}

TEST_F(AgentsTest, QuirkArgumentsSplitInsideUtf8Characters) {
  const Streamed r = stream_run(tool_params(), quirks("split-utf8"));
  int broken = 0;
  for (const SSEEvent& event : r.events) broken += !valid_utf8(event.raw());
  EXPECT_GE(broken, 2);  // ü, è, 東 and 京 are each cut between two chunks
  const Json& calls = message_of(r.completion).at("tool_calls");
  ASSERT_EQ(calls.size(), 1U) << r.completion.dump();
  expect_weather_arguments(calls[0]);  // the characters are whole again
}

TEST_F(AgentsTest, QuirkParallelCallsWithTheirOwnIndexes) {
  Json params = tool_params();
  params["tools"].push_back(weather_tool("get_forecast"));
  const Streamed r = stream_run(params, quirks("parallel"));
  std::set<int> indexes;
  for (const Json& d : tool_call_deltas(r)) indexes.insert(d.value("index", -1));
  EXPECT_EQ(indexes, (std::set<int>{0, 1}));
  const Json& calls = message_of(r.completion).at("tool_calls");
  ASSERT_EQ(calls.size(), 2U) << r.completion.dump();
  expect_weather_arguments(calls[0], "get_weather");
  expect_weather_arguments(calls[1], "get_forecast");
}

TEST_F(AgentsTest, QuirkUsageOnlyChunkWithoutIncludeUsage) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(tool_params(), quirks("usage-only"));
  const Streamed r = drain(stream);
  ASSERT_FALSE(r.events.empty());
  const Json& last = *r.events.back().data();
  EXPECT_TRUE(last.at("choices").empty()) << last.dump();
  ASSERT_TRUE(last.at("usage").is_object()) << last.dump();
  EXPECT_EQ(stream.usage(), last.at("usage"));
  EXPECT_EQ(r.completion.at("usage"), last.at("usage"));
  EXPECT_EQ(r.completion.at("choices").size(), 1U);  // the usage chunk adds no choice
  EXPECT_EQ(r.completion.at("choices")[0].at("finish_reason"), "tool_calls");
  expect_weather_arguments(message_of(r.completion).at("tool_calls")[0]);
}

TEST_F(AgentsTest, QuirkUsageNullOnEveryChunk) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(tool_params(), quirks("usage-null"));
  const Streamed r = drain(stream);
  ASSERT_FALSE(r.events.empty());
  for (const SSEEvent& event : r.events) {
    const Json& chunk = *event.data();
    EXPECT_TRUE(chunk.contains("usage") && chunk.at("usage").is_null()) << chunk.dump();
    EXPECT_FALSE(chunk.at("choices").empty());
  }
  EXPECT_TRUE(stream.usage().is_null());
  EXPECT_TRUE(r.completion.at("usage").is_null()) << r.completion.dump();
  expect_weather_arguments(message_of(r.completion).at("tool_calls")[0]);
}

TEST_F(AgentsTest, UnknownQuirkIsABadRequest) {
  Client client(emulator().client_options());
  EXPECT_THROW(client.chat.completions.create(tool_params(), quirks("no-such-quirk")),
               BadRequestError);
}

// --- Structured output --------------------------------------------------------------------------

Json location_format() {
  return {{"type", "json_schema"},
          {"json_schema",
           {{"name", "location"},
            {"strict", true},
            {"schema",
             {{"type", "object"},
              {"properties",
               {{"city", {{"type", "string"}}},
                {"temperature", {{"type", "number"}}},
                {"units", {{"type", "string"}, {"enum", {"c", "f"}}}},
                {"sunny", {{"type", "boolean"}}},
                {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                {"note", {{"type", "string"}}}}},
              {"required", {"city", "temperature", "units", "sunny", "tags"}},
              {"additionalProperties", false}}}}}};
}

void expect_location(const std::string& content) {
  const Json parsed = Json::parse(content, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << content;
  EXPECT_EQ(parsed.size(), 5U) << content;  // the required keys; the optional note is left out
  EXPECT_TRUE(parsed.at("city").is_string()) << content;
  EXPECT_TRUE(parsed.at("temperature").is_number()) << content;
  EXPECT_EQ(parsed.at("units"), "c");
  EXPECT_TRUE(parsed.at("sunny").is_boolean()) << content;
  EXPECT_TRUE(parsed.at("tags").is_array()) << content;
  EXPECT_FALSE(parsed.contains("note"));
}

TEST_F(AgentsTest, JsonSchemaAnswersWithTheRequiredKeys) {
  Json params = chat_params("Where am I?");
  params["response_format"] = location_format();
  Client client(emulator().client_options());
  const Response res = client.chat.completions.create(params);
  EXPECT_EQ(res.finish_reason(), "stop");
  expect_location(res.content());
}

TEST_F(AgentsTest, JsonSchemaStreamsTheObjectInPieces) {
  Json params = chat_params("Where am I?");
  params["response_format"] = location_format();
  const Streamed r = stream_run(params);
  int pieces = 0;
  for (const SSEEvent& event : r.events) pieces += !event.text().empty();
  EXPECT_GE(pieces, 3);
  expect_location(message_of(r.completion).at("content").get<std::string>());
  EXPECT_EQ(r.completion.at("choices")[0].at("finish_reason"), "stop");
}

TEST_F(AgentsTest, JsonSchemaWithoutANameIsABadRequest) {
  Json params = chat_params("Where am I?");
  params["response_format"] = location_format();
  params["response_format"]["json_schema"].erase("name");
  Client client(emulator().client_options());
  try {
    client.chat.completions.create(params);
    FAIL() << "expected BadRequestError";
  } catch (const BadRequestError& error) {
    EXPECT_EQ(error.param(), "response_format.json_schema.name");
  }
}

// --- finish_reason length -----------------------------------------------------------------------

TEST_F(AgentsTest, ASmallMaxTokensFinishesWithLength) {
  Json params = chat_params("one two three four five six");
  params["max_tokens"] = 2;
  Client client(emulator().client_options());
  const Response res = client.chat.completions.create(params);
  EXPECT_EQ(res.finish_reason(), "length");
  EXPECT_EQ(res.content(), "one two");

  const Streamed r = stream_run(params);
  EXPECT_EQ(message_of(r.completion).at("content"), "one two");
  EXPECT_EQ(r.completion.at("choices")[0].at("finish_reason"), "length");
  EXPECT_EQ(r.events.back().finish_reason(), "length");
}

TEST_F(AgentsTest, ASmallMaxTokensCutsStructuredOutputWithLength) {
  Json params = chat_params("Where am I?");
  params["response_format"] = location_format();
  params["max_tokens"] = 2;
  const Streamed r = stream_run(params);
  EXPECT_EQ(r.completion.at("choices")[0].at("finish_reason"), "length");
  const std::string content = message_of(r.completion).at("content").get<std::string>();
  EXPECT_FALSE(content.empty());
  EXPECT_TRUE(Json::parse(content, nullptr, false).is_discarded()) << content;  // cut short
}

// --- Unknown models -----------------------------------------------------------------------------

TEST_F(AgentsTest, UnknownModelIsNotFoundAsVllmSaysIt) {
  Client client(emulator().client_options());
  Json params = chat_params("hello");
  params["model"] = "no-such-model";
  try {
    client.chat.completions.create(params);
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& error) {
    EXPECT_EQ(error.status(), 404);
    EXPECT_EQ(error.message(), "The model `no-such-model` does not exist.");
    EXPECT_NE(error.message().find("does not exist"), std::string::npos);
    EXPECT_EQ(error.type(), "NotFoundError");
    EXPECT_EQ(error.param(), "model");
  }
  EXPECT_THROW(client.chat.completions.stream(params), NotFoundError);
  EXPECT_THROW(client.completions.create({{"model", "no-such-model"}, {"prompt", "x"}}),
               NotFoundError);
  EXPECT_THROW(client.embeddings.create({{"model", "no-such-model"}, {"input", "x"}}),
               NotFoundError);
}

TEST_F(AgentsTest, EveryListedModelIsAccepted) {
  Client client(emulator().client_options());
  const Json models = client.models.list().json().at("data");
  std::set<std::string> ids;
  for (const Json& model : models) {
    ids.insert(model.at("id").get<std::string>());
    Json params = chat_params("hello");
    params["model"] = model["id"];
    EXPECT_EQ(client.chat.completions.create(params).content(), "hello") << model.dump();
  }
  EXPECT_EQ(ids.count("mistral"), 1U);
  EXPECT_EQ(ids.count("magistral"), 1U);
}

// --- Errors inside a stream ---------------------------------------------------------------------

TEST_F(AgentsTest, ABareDataErrorInAStreamThrowsWithTheServersMessage) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(
      chat_params("one two three four"), with_header("x-emulator-stream", "data-error-after=2"));
  int seen = 0;
  try {
    for (const SSEEvent& event : stream) {
      EXPECT_EQ(event.event(), "");
      ++seen;
    }
    FAIL() << "expected BabyAPIError";
  } catch (const APIConnectionError&) {
    FAIL() << "an error payload is not a connection error";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("Injected stream error"), std::string::npos) << error.message();
    EXPECT_EQ(error.type(), "InternalServerError");
  }
  EXPECT_EQ(seen, 2);
}

TEST_F(AgentsTest, ABareDataErrorAlsoStopsFinalCompletion) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(
      tool_params(), with_header("x-emulator-stream", "data-error-after=3"));
  try {
    stream.final_completion();
    FAIL() << "expected BabyAPIError";
  } catch (const APIConnectionError&) {
    FAIL() << "an error payload is not a connection error";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("Injected stream error"), std::string::npos) << error.message();
  }
}

}  // namespace
}  // namespace babyapi
