// embeddings.create_matrix over the emulator (base64 asked for by default, floats when asked) and
// over scripted servers that answer what real ones do: floats despite the base64 request, rows
// out of order, usage with nested details, and answers that must be refused.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "babyapi/babyapi.hpp"
#include "emulator_test.hpp"
#include "scripted_server.hpp"
#include "util/base64.hpp"

namespace babyapi {
namespace {

using testing::EmulatorTest;
using testing::ScriptedServer;

class EmbeddingMatrixTest : public EmulatorTest {};

Json inputs(int count) {
  Json texts = Json::array();
  for (int i = 0; i < count; ++i) texts.push_back("passage number " + std::to_string(i));
  return {{"model", "qwen3-embedding"}, {"input", texts}};
}

TEST_F(EmbeddingMatrixTest, AsksForBase64AndGivesTheSameVectorsAsCreate) {
  Client client(emulator().client_options());
  std::string tag;
  const EmbeddingMatrix matrix = client.embeddings.create_matrix(inputs(7), tagged(tag));
  const Response plain = client.embeddings.create(inputs(7));
  ASSERT_EQ(matrix.rows(), 7u);
  ASSERT_GT(matrix.dim(), 0u);
  EXPECT_EQ(matrix.data().size(), matrix.rows() * matrix.dim());
  for (std::size_t i = 0; i < matrix.rows(); ++i) {
    EXPECT_EQ(matrix.row(i).to_vector(), decode_embedding(plain["data"][i])) << "row " << i;
  }
  EXPECT_EQ(matrix.usage(), plain.usage());
  EXPECT_EQ(matrix.model(), "qwen3-embedding");
  EXPECT_EQ(matrix.response().status(), 200);
  EXPECT_FALSE(matrix.response().request_id().empty());
  const Json sent = Json::parse(logged(tag).at(0)["body"].get<std::string>());
  EXPECT_EQ(sent["encoding_format"], "base64");
  EXPECT_THROW(matrix.row(7), BabyAPIError);
}

TEST_F(EmbeddingMatrixTest, FloatsWhenTheCallerAsksForThem) {
  Client client(emulator().client_options());
  Json params = inputs(3);
  params["encoding_format"] = "float";
  params["dimensions"] = 16;
  std::string tag;
  const EmbeddingMatrix matrix = client.embeddings.create_matrix(params, tagged(tag));
  const Response plain = client.embeddings.create(params);
  ASSERT_EQ(matrix.rows(), 3u);
  EXPECT_EQ(matrix.dim(), 16u);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::vector<float> expected = decode_embedding(plain["data"][i]);
    float sum = 0;
    for (float value : matrix.row(i)) sum += value;
    EXPECT_EQ(matrix.row(i).to_vector(), expected);
    EXPECT_EQ(matrix.row(i)[0], expected[0]);
    (void)sum;
  }
  EXPECT_EQ(Json::parse(logged(tag).at(0)["body"].get<std::string>())["encoding_format"], "float");
}

TEST_F(EmbeddingMatrixTest, ManyMatricesInInputOrderEachWithItsOwnError) {
  Client client(emulator().client_options());
  std::vector<Json> params;
  for (int i = 0; i < 12; ++i) params.push_back(inputs(i + 1));
  params[5]["model"] = "no-such-model";
  BatchOptions options;
  options.max_in_flight = 4;
  const std::vector<Result<EmbeddingMatrix>> results =
      client.embeddings.create_many_matrix(params, options);
  ASSERT_EQ(results.size(), 12u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i == 5) {
      EXPECT_THROW(results[i].value(), NotFoundError);
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << i;
    EXPECT_EQ(results[i].value().rows(), i + 1) << "input order";
    EXPECT_EQ(
        results[i].value().row(i).to_vector(),
        decode_embedding(client.embeddings.create(inputs(static_cast<int>(i) + 1))["data"][i]));
  }
}

// --- Scripted servers ------------------------------------------------------------------------

ClientOptions scripted(const ScriptedServer& server) {
  ClientOptions options;
  options.api_key = "sk-matrix-test";
  options.base_url = server.base_url();
  options.max_retries = 0;
  return options;
}

ScriptedServer answering(const std::string& body) {
  return ScriptedServer([body](const std::string&) -> std::optional<std::string> {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nx-request-id: req_matrix\r\n\r\n" + body;
  });
}

std::string b64(std::initializer_list<float> values) {
  std::string bytes;
  for (float value : values) {
    std::uint32_t bits;
    std::memcpy(&bits, &value, 4);
    for (int k = 0; k < 4; ++k) bytes += static_cast<char>((bits >> (8 * k)) & 0xff);
  }
  return detail::base64_encode(bytes);
}

EmbeddingMatrix matrix_from(const std::string& body) {
  ScriptedServer server = answering(body);
  Client client(scripted(server));
  return client.embeddings.create_matrix({{"model", "e"}, {"input", {"a", "b"}}});
}

std::string refusal_of(const std::string& body) {
  try {
    matrix_from(body);
  } catch (const BabyAPIError& error) {
    EXPECT_EQ(error.request_id(), "req_matrix") << body;
    return error.message();
  }
  ADD_FAILURE() << "accepted: " << body;
  return "";
}

TEST(EmbeddingMatrixHostile, FloatsDespiteTheBase64RequestRowsOutOfOrderAndNestedUsage) {
  const EmbeddingMatrix matrix = matrix_from(
      R"({"object":"list","model":"e","data":[)"
      R"({"object":"embedding","index":1,"embedding":[4,5.5,-6e-1]},)"
      R"({"object":"embedding","index":0,"embedding":[1,2,3]}],)"
      R"("usage":{"prompt_tokens":4,"total_tokens":4,"prompt_tokens_details":{"cached":[1,null]}}})");
  ASSERT_EQ(matrix.rows(), 2u);
  EXPECT_EQ(matrix.row(0).to_vector(), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(matrix.row(1).to_vector(), (std::vector<float>{4, 5.5f, -0.6f}));
  EXPECT_EQ(matrix.usage(), Json::parse(R"({"prompt_tokens":4,"total_tokens":4,
                            "prompt_tokens_details":{"cached":[1,null]}})"));
}

TEST(EmbeddingMatrixHostile, Base64AndFloatRowsMixItemByItem) {
  const EmbeddingMatrix matrix =
      matrix_from(R"({"data":[{"index":0,"embedding":")" + b64({0.5f, -2.0f}) +
                  R"("},{"index":1,"embedding":[3,4]}]})");
  ASSERT_EQ(matrix.rows(), 2u);
  EXPECT_EQ(matrix.row(0).to_vector(), (std::vector<float>{0.5f, -2.0f}));
  EXPECT_EQ(matrix.row(1).to_vector(), (std::vector<float>{3, 4}));
  EXPECT_TRUE(matrix.usage().is_null());
}

TEST(EmbeddingMatrixHostile, AnswersThatCannotBeAMatrixAreRefusedWithTheirReason) {
  EXPECT_NE(refusal_of(R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1]}]})")
                .find("differ in length"),
            std::string::npos);
  EXPECT_NE(refusal_of(R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[2]}]})")
                .find("repeated"),
            std::string::npos);
  EXPECT_NE(refusal_of(R"({"data":[{"index":5,"embedding":[1]}]})").find("index 5"),
            std::string::npos);
  EXPECT_NE(refusal_of(R"({"data":[{"index":0,"embedding":[1,"x"]}]})").find("non-number"),
            std::string::npos);
  EXPECT_NE(refusal_of(R"({"data":[{"index":0,"embedding":"not base64!"}]})").find("base64"),
            std::string::npos);
  EXPECT_NE(refusal_of(R"({"data":[{"index":0,"embedding":"AAA="}]})").find("float32"),
            std::string::npos);
  EXPECT_NE(refusal_of(R"({"data":[{"index":-1,"embedding":[1]}]})").find("index"),
            std::string::npos);
  EXPECT_NE(refusal_of(R"({"data":[{"index":0}]})").find("no embedding"), std::string::npos);
  EXPECT_NE(refusal_of(R"({"object":"list"})").find("no data"), std::string::npos);
  EXPECT_NE(refusal_of(R"({"data":[{"index":0,"embedding":[1,2)").find("not valid JSON"),
            std::string::npos);
}

// create_many hands large answers to the waiting caller to parse: each keeps its own value or
// its own error (here a malformed body), in input order, and small answers are unaffected.
TEST(EmbeddingMatrixHostile, CreateManyParsesLargeAnswersOnTheCallersThreadEachWithItsError) {
  std::string numbers;
  for (int i = 0; i < 3000; ++i) numbers += (i ? "," : "") + std::to_string(i % 97) + ".5";
  const std::string good = R"({"data":[{"index":0,"embedding":[)" + numbers + "]}]}";
  const std::string bad = good.substr(0, good.size() - 3);  // cut: not JSON
  ScriptedServer server([&](const std::string& request) -> std::optional<std::string> {
    const std::string& body = request.find("\"small\"") != std::string::npos
                                  ? std::string("{\"data\":[]}")
                              : request.find("\"bad\"") != std::string::npos ? bad
                                                                             : good;
    // One connection at a time is all this server serves: each answer closes its own.
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  });
  ASSERT_GT(good.size(), 8u * 1024) << "large enough to be parsed by the caller";
  Client client(scripted(server));
  std::vector<Json> params(6, Json{{"model", "e"}, {"input", "ok"}});
  params[2]["input"] = "bad";
  params[4]["input"] = "small";
  std::size_t progress = 0;
  BatchOptions options;
  options.max_in_flight = 3;
  options.on_progress = [&progress](std::size_t, std::size_t) { ++progress; };
  const std::vector<Result<Response>> results = client.embeddings.create_many(params, options);
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(progress, 6u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i == 2) {
      EXPECT_THROW(results[i].value(), BabyAPIError);
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << i;
    if (i == 4) {
      EXPECT_TRUE(results[i].value()["data"].empty());
      continue;
    }
    EXPECT_EQ(decode_embedding(results[i].value()["data"][0]).size(), 3000u) << i;
  }
}

TEST(EmbeddingMatrixHostile, AnErrorStatusIsTheUsualTypedError) {
  const std::string body = R"({"error":{"message":"slow down","type":"rate_limit"}})";
  ScriptedServer server([&body](const std::string&) -> std::optional<std::string> {
    return "HTTP/1.1 429 Too Many\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  });
  Client client(scripted(server));
  EXPECT_THROW(client.embeddings.create_matrix({{"model", "e"}, {"input", "a"}}), RateLimitError);
}

}  // namespace
}  // namespace babyapi
