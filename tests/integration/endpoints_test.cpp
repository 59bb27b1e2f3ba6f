// The JSON endpoints beyond chat and completions, against the emulator: what the SDK sends and what
// a user reads back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "emulator_test.hpp"

namespace babyapi {
namespace {

using testing::EmulatorProcess;

class EndpointsTest : public testing::EmulatorTest {
 protected:
  // The JSON bodies the emulator received with this tag.
  static std::vector<Json> bodies_with_tag(const std::string& tag) {
    std::vector<Json> bodies;
    for (const Json& entry : logged(tag))
      bodies.push_back(Json::parse(entry["body"].get<std::string>()));
    return bodies;
  }
};

TEST_F(EndpointsTest, BabyInferSendsOneCanonicalBody) {
  ClientOptions options = emulator().client_options();
  options.default_model = "mistral";
  Client client(options);
  std::string tag;
  Response out = client.baby.infer({{"prompt", "Write a 1-line release note title for BabyAPI."},
                                    {"maxTokens", 40},
                                    {"temperature", 0.5},
                                    {"options", {{"topP", 0.9}, {"frequencyPenalty", 0.3}}},
                                    {"x_unknown", "kept"}},
                                   tagged(tag));
  EXPECT_EQ(out["output"], "Write a 1-line release note title for BabyAPI.");
  EXPECT_TRUE(out.get("usage").is_object());
  const Json expected = {
      {"model", "mistral"}, {"prompt", "Write a 1-line release note title for BabyAPI."},
      {"max_tokens", 40},   {"temperature", 0.5},
      {"top_p", 0.9},       {"frequency_penalty", 0.3},
      {"x_unknown", "kept"}};
  const std::vector<Json> sent = bodies_with_tag(tag);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], expected);
  EXPECT_EQ(out["received"], expected);  // the emulator's own echo agrees
}

TEST_F(EndpointsTest, BabyInferWithAStringUsesTheDefaultModel) {
  ClientOptions options = emulator().client_options();
  options.default_model = "mixtral";
  Client client(options);
  std::string tag;
  Response out = client.baby.infer("Explain BabyAPI in one sentence.", tagged(tag));
  EXPECT_EQ(out["output"], "Explain BabyAPI in one sentence.");
  EXPECT_EQ(bodies_with_tag(tag).at(0),
            (Json{{"model", "mixtral"}, {"prompt", "Explain BabyAPI in one sentence."}}));
}

TEST_F(EndpointsTest, BabyInferWithoutAnyModelFailsBeforeSending) {
  Client client(emulator().client_options());  // no default model
  std::string tag;
  EXPECT_THROW(client.baby.infer("hello", tagged(tag)), BabyAPIError);
  EXPECT_TRUE(bodies_with_tag(tag).empty());
}

TEST_F(EndpointsTest, ClientInferRoutesByPayload) {
  Client client(emulator().client_options());
  Response chat = client.infer(
      {{"model", "mistral"}, {"messages", {{{"role", "user"}, {"content", "One-line slogan?"}}}}});
  EXPECT_EQ(chat["object"], "chat.completion");
  EXPECT_EQ(chat["choices"][0]["message"]["content"], "One-line slogan?");
  Response comp =
      client.infer({{"model", "mistral"}, {"prompt", "Three names"}, {"max_tokens", 60}});
  EXPECT_EQ(comp["object"], "text_completion");
  EXPECT_EQ(comp["choices"][0]["text"], "Three names");

  std::string tag;
  const RequestOptions options = tagged(tag);
  EXPECT_THROW(
      client.infer({{"model", "m"}, {"prompt", "p"}, {"messages", Json::array()}}, options),
      BabyAPIError);
  EXPECT_THROW(client.infer({{"model", "m"}}, options), BabyAPIError);
  EXPECT_TRUE(bodies_with_tag(tag).empty());
}

TEST_F(EndpointsTest, EmbeddingsFloatAndBase64DecodeToTheSameVector) {
  Client client(emulator().client_options());
  const Json base = {{"model", "qwen3-embedding"}, {"input", "BabyAPI makes LLMs easy."}};
  Json as_base64 = base;
  as_base64["encoding_format"] = "base64";
  Response floats = client.embeddings.create(base);
  Response packed = client.embeddings.create(as_base64);
  ASSERT_TRUE(packed["data"][0]["embedding"].is_string());
  const std::vector<float> a = decode_embedding(floats["data"][0]);
  const std::vector<float> b = decode_embedding(packed["data"][0]);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  double norm = 0;
  for (float x : a) norm += double(x) * x;
  EXPECT_NEAR(norm, 1.0, 1e-4);
  EXPECT_TRUE(floats["usage"].contains("prompt_tokens"));
}

TEST_F(EndpointsTest, EmbeddingsBatchAndDimensions) {
  Client client(emulator().client_options());
  Response res = client.embeddings.create({{"model", "qwen3-embedding"},
                                           {"input", {"First document.", "Second document."}},
                                           {"dimensions", 8}});
  ASSERT_EQ(res["data"].size(), 2u);
  EXPECT_EQ(res["data"][1]["index"], 1);
  EXPECT_EQ(decode_embedding(res["data"][0]).size(), 8u);
  EXPECT_NE(decode_embedding(res["data"][0]), decode_embedding(res["data"][1]));
  // Deterministic: the same text embeds the same way every time.
  Response again = client.embeddings.create(
      {{"model", "qwen3-embedding"}, {"input", "First document."}, {"dimensions", 8}});
  EXPECT_EQ(decode_embedding(again["data"][0]), decode_embedding(res["data"][0]));
}

TEST_F(EndpointsTest, RerankSortsByRelevanceAndHonoursOptions) {
  Client client(emulator().client_options());
  const Json documents = {"BabyAPI is a tiny hosted LLM API.", "The weather is nice today.",
                          "BabyAPI supports OpenAI-compatible endpoints."};
  Response res = client.rerank.create(
      {{"model", "qwen3-reranker"}, {"query", "What is BabyAPI?"}, {"documents", documents}});
  const Json& results = res["results"];
  ASSERT_EQ(results.size(), 3u);
  for (size_t i = 1; i < results.size(); ++i) {
    EXPECT_GE(results[i - 1]["relevance_score"].get<double>(),
              results[i]["relevance_score"].get<double>());
  }
  EXPECT_EQ(results[0]["index"], 0);  // shares both "is" and "babyapi" with the query

  Response top = client.rerank.create({{"model", "qwen3-reranker"},
                                       {"query", "What is BabyAPI?"},
                                       {"documents", documents},
                                       {"top_n", 1},
                                       {"return_documents", true}});
  ASSERT_EQ(top["results"].size(), 1u);
  EXPECT_EQ(top["results"][0]["document"]["text"],
            documents[top["results"][0]["index"].get<size_t>()]);
}

TEST_F(EndpointsTest, ModelsListAndRetrieve) {
  Client client(emulator().client_options());
  std::vector<std::string> ids;
  for (const Json& model : client.models.list()["data"]) ids.push_back(model["id"]);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "mistral"), ids.end());
  EXPECT_EQ(client.models.retrieve("qwen3-embedding")["id"], "qwen3-embedding");
  try {
    client.models.retrieve("org/no such model");
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& error) {
    EXPECT_EQ(error.code(), "model_not_found");
    EXPECT_NE(error.message().find("org/no such model"), std::string::npos) << error.message();
  }
}

TEST_F(EndpointsTest, RawCallKeepsBinaryBytesIntact) {
  Client client(emulator().client_options());
  Response speech = client.post("/v1/tts", {{"input", "Hello from BabyAPI"}});
  EXPECT_EQ(speech.header("content-type"), "audio/wav");
  const std::string& bytes = speech.text();
  ASSERT_GT(bytes.size(), 44u);
  EXPECT_EQ(bytes.substr(0, 4), "RIFF");
  EXPECT_EQ(bytes.substr(8, 4), "WAVE");
  EXPECT_NE(bytes.find('\0'), std::string::npos);
  EXPECT_NE(bytes.find('\xFF'), std::string::npos);
  EXPECT_NE(bytes.find("\r\n"), std::string::npos);
  // RIFF's size field says how many bytes follow it: all of them arrived.
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t riff_size = p[4] | (p[5] << 8) | (p[6] << 16) | (size_t(p[7]) << 24);
  EXPECT_EQ(riff_size + 8, bytes.size());
  EXPECT_TRUE(speech.json().is_null());
  // Deterministic: the same text gives the same bytes.
  EXPECT_EQ(client.post("/v1/tts", {{"input", "Hello from BabyAPI"}}).text(), bytes);
}

TEST_F(EndpointsTest, RawGetAndErrors) {
  Client client(emulator().client_options());
  EXPECT_EQ(client.get("/health")["status"], "ok");
  EXPECT_THROW(client.get("/v1/does-not-exist"), NotFoundError);
}

TEST_F(EndpointsTest, VisionPartsPassThroughUntouched) {
  Client client(emulator().client_options());
  const std::string path = ::testing::TempDir() + "babyapi_endpoints_pixel.gif";
  { std::ofstream(path, std::ios::binary) << "GIF89a\x01\x00\x01\x00"; }
  const Json params = {
      {"model", "pixtral"},
      {"messages",
       {{{"role", "user"},
         {"content",
          {{{"type", "text"}, {"text", "Describe the image."}},
           {{"type", "image_url"},
            {"image_url", {{"url", image_data_url(path)}, {"detail", "low"}}}}}}}}}};
  std::string tag;
  Response res = client.chat.completions.create(params, tagged(tag));
  EXPECT_NE(res["choices"][0]["message"]["content"].get<std::string>().find(
                "[image: data:image/gif;base64,"),
            std::string::npos);
  EXPECT_EQ(bodies_with_tag(tag).at(0), params);
}

}  // namespace
}  // namespace babyapi
