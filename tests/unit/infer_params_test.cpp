#include <gtest/gtest.h>

#include "babyapi/baby.hpp"
#include "babyapi/errors.hpp"

namespace babyapi {
namespace {

TEST(InferParamsTest, AliasesBecomeSnakeCaseAtTheTopLevel) {
  const Json body = normalize_infer_params({{"prompt", "p"},
                                            {"maxTokens", 40},
                                            {"temperature", 0.5},
                                            {"topP", 0.9},
                                            {"topK", 5},
                                            {"presencePenalty", 0.1},
                                            {"frequencyPenalty", 0.2},
                                            {"stop", {"\n"}}},
                                           "mistral");
  EXPECT_EQ(body, (Json{{"model", "mistral"},
                        {"prompt", "p"},
                        {"max_tokens", 40},
                        {"temperature", 0.5},
                        {"top_p", 0.9},
                        {"top_k", 5},
                        {"presence_penalty", 0.1},
                        {"frequency_penalty", 0.2},
                        {"stop", {"\n"}}}));
}

TEST(InferParamsTest, NestedOptionsAreLiftedAndTheTopLevelWins) {
  const Json body = normalize_infer_params(
      {{"model", "mixtral"},
       {"prompt", "Give 3 calm API principles."},
       {"temperature", 0.1},
       {"options", {{"topP", 0.9}, {"max_tokens", 80}, {"temperature", 0.9}, {"seed", 7}}}},
      "mistral");
  EXPECT_EQ(body, (Json{{"model", "mixtral"},
                        {"prompt", "Give 3 calm API principles."},
                        {"top_p", 0.9},
                        {"max_tokens", 80},
                        {"temperature", 0.1},
                        {"seed", 7}}));
}

TEST(InferParamsTest, SnakeCaseWinsOverItsAliasInTheSameObject) {
  const Json body =
      normalize_infer_params({{"prompt", "p"}, {"max_tokens", 10}, {"maxTokens", 99}}, "m");
  EXPECT_EQ(body["max_tokens"], 10);
  EXPECT_FALSE(body.contains("maxTokens"));
}

TEST(InferParamsTest, UnknownKeysPassThrough) {
  const Json body = normalize_infer_params({{"prompt", "p"}, {"x_extra", {{"a", 1}}}}, "m");
  EXPECT_EQ(body["x_extra"], (Json{{"a", 1}}));
}

TEST(InferParamsTest, DefaultModelFillsAMissingOrEmptyModel) {
  EXPECT_EQ(normalize_infer_params({{"prompt", "p"}}, "mistral")["model"], "mistral");
  EXPECT_EQ(normalize_infer_params({{"prompt", "p"}, {"model", ""}}, "mistral")["model"],
            "mistral");
  EXPECT_EQ(normalize_infer_params({{"prompt", "p"}, {"model", nullptr}}, "mistral")["model"],
            "mistral");
}

TEST(InferParamsTest, BadInputIsAClearError) {
  EXPECT_THROW(normalize_infer_params({{"prompt", "p"}}, ""), BabyAPIError);  // no model at all
  EXPECT_THROW(normalize_infer_params({{"model", "m"}}, "m"), BabyAPIError);  // no prompt
  EXPECT_THROW(normalize_infer_params({{"prompt", 3}}, "m"), BabyAPIError);
  EXPECT_THROW(normalize_infer_params({{"prompt", "p"}, {"options", 3}}, "m"), BabyAPIError);
  EXPECT_THROW(normalize_infer_params(Json::array({1, 2}), "m"), BabyAPIError);
  try {
    normalize_infer_params({{"prompt", "p"}}, "");
    FAIL() << "a call without a model and without a default model must throw";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("BABYAPI_DEFAULT_MODEL"), std::string::npos);
  }
}

}  // namespace
}  // namespace babyapi
