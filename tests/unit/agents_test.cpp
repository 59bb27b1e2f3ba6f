// Tool-call arguments as the caller's types, the first-choice helpers of Response and SSEEvent,
// and the structured-content checks, on answers written here.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "agents_detail.hpp"
#include "babyapi/agents.hpp"
#include "babyapi/sse.hpp"

namespace babyapi {
namespace {

struct Weather {
  std::string city;
  int days = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Weather, city, days)

Json call(const Json& arguments, const std::string& name = "get_weather") {
  return {{"id", "call_7"},
          {"type", "function"},
          {"function", {{"name", name}, {"arguments", arguments}}}};
}

Response answer(const std::string& body) {
  return Response(200, {{"content-type", "application/json"}, {"x-request-id", "req_9"}}, body);
}

std::string message_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const BabyAPIError& error) {
    return error.message();
  }
  return "(nothing thrown)";
}

TEST(ParseArguments, TextBecomesTheCallersType) {
  const Weather weather = parse_arguments<Weather>(call(R"({"city":"Oslo","days":3})"));
  EXPECT_EQ(weather.city, "Oslo");
  EXPECT_EQ(weather.days, 3);
  EXPECT_EQ(parse_arguments<Json>(call(R"({"a":[1,2]})"))["a"][1], 2);
}

TEST(ParseArguments, AnObjectSentAsIsAndEmptyTextAreAccepted) {
  EXPECT_EQ(parse_arguments<Weather>(call(Json{{"city", "Rome"}, {"days", 1}})).city, "Rome");
  EXPECT_EQ(parse_arguments<Json>(call("  ")), Json::object());
}

TEST(ParseArguments, MalformedTextNamesTheTool) {
  const std::string message =
      message_of([] { parse_arguments<Weather>(call(R"({"city": "Osl)", "lookup")); });
  EXPECT_NE(message.find("`lookup`"), std::string::npos) << message;
  EXPECT_NE(message.find("call_7"), std::string::npos) << message;
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST(ParseArguments, JsonThatIsNotTheTypeNamesTheTool) {
  const std::string message =
      message_of([] { parse_arguments<Weather>(call(R"({"city": 5, "days": 1})")); });
  EXPECT_NE(message.find("`get_weather`"), std::string::npos) << message;
  EXPECT_NE(message.find("do not fit"), std::string::npos) << message;
}

TEST(ParseArguments, WhatIsNotAToolCallIsRefused) {
  EXPECT_THROW(parse_arguments<Json>(Json{{"id", "x"}}), BabyAPIError);
  EXPECT_THROW(parse_arguments<Json>(Json{{"function", {{"name", "f"}}}}), BabyAPIError);
  EXPECT_THROW(parse_arguments<Json>(Json::array()), BabyAPIError);
}

TEST(ParseArguments, AHugeArgumentTextIsShownBounded) {
  const std::string huge = "{" + std::string(100000, 'x');
  const std::string message = message_of([&] { parse_arguments<Json>(call(huge)); });
  EXPECT_LT(message.size(), 1000u);
}

TEST(ResponseHelpers, FirstChoiceOfAChatAnswer) {
  const Response res = answer(R"({"choices":[{"index":0,"finish_reason":"tool_calls",
      "message":{"role":"assistant","content":null,"reasoning":"think",
      "tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}}],
      "usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})");
  EXPECT_EQ(res.content(), "");
  EXPECT_EQ(res.reasoning(), "think");
  ASSERT_EQ(res.tool_calls().size(), 1u);
  EXPECT_EQ(res.tool_calls()[0]["id"], "c1");
  EXPECT_EQ(res.finish_reason(), "tool_calls");
  EXPECT_EQ(res.usage()["total_tokens"], 7);
}

TEST(ResponseHelpers, CompletionsTextLegacyReasoningAndIndexOrder) {
  const Response text = answer(R"({"choices":[{"index":1,"text":"B"},{"index":0,"text":"A"}]})");
  EXPECT_EQ(text.content(), "A");
  EXPECT_EQ(text.finish_reason(), std::nullopt);
  EXPECT_TRUE(text.usage().is_null());
  const Response legacy =
      answer(R"({"choices":[{"message":{"content":"x","reasoning_content":"old"}}]})");
  EXPECT_EQ(legacy.reasoning(), "old");
  EXPECT_EQ(legacy.content(), "x");
}

TEST(ResponseHelpers, ShapesThatAreNotAnswersGiveEmptyValues) {
  for (const char* body : {R"({"choices":[]})", R"({"choices":7})", "[1,2]", R"({"usage":5})",
                           R"({"choices":[{"message":"hi"}]})"}) {
    const Response res = answer(body);
    EXPECT_EQ(res.content(), "") << body;
    EXPECT_EQ(res.reasoning(), "") << body;
    EXPECT_EQ(res.tool_calls(), Json::array()) << body;
    EXPECT_EQ(res.finish_reason(), std::nullopt) << body;
    EXPECT_TRUE(res.usage().is_null()) << body;
  }
}

TEST(SSEEventHelpers, ReasoningFinishReasonAndUsage) {
  const SSEEvent reasoning(R"({"choices":[{"index":0,"delta":{"reasoning":"hm"}}]})");
  EXPECT_EQ(reasoning.reasoning(), "hm");
  EXPECT_EQ(reasoning.finish_reason(), std::nullopt);
  const SSEEvent legacy(R"({"choices":[{"index":1,"delta":{"reasoning_content":"old"}}]})");
  EXPECT_EQ(legacy.reasoning(1), "old");
  EXPECT_EQ(legacy.reasoning(0), "");
  const SSEEvent last(R"({"choices":[{"index":0,"delta":{},"finish_reason":"length"}],
      "usage":{"total_tokens":9}})");
  EXPECT_EQ(last.finish_reason(), "length");
  EXPECT_EQ(last.usage()->at("total_tokens"), 9);
  EXPECT_EQ(SSEEvent(R"({"choices":[],"usage":null})").usage(), std::nullopt);
  EXPECT_EQ(SSEEvent("[DONE]").finish_reason(), std::nullopt);
  EXPECT_EQ(SSEEvent("not json").reasoning(), "");
}

TEST(StructuredContent, JsonContentParsesAndOtherContentIsShownInTheError) {
  EXPECT_EQ(detail::structured_content(
                answer(R"({"choices":[{"message":{"content":"{\"a\":1}"}}]})"))["a"],
            1);
  try {
    detail::structured_content(answer(R"({"choices":[{"message":{"content":"Sure! {a:1}"}}]})"));
    FAIL() << "expected BabyAPIError";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("Sure! {a:1}"), std::string::npos) << error.message();
    EXPECT_EQ(error.request_id(), "req_9");
    EXPECT_EQ(error.status(), 200);
  }
}

}  // namespace
}  // namespace babyapi
