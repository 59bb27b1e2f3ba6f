#include "error_mapper.hpp"

#include <gtest/gtest.h>

#include <typeinfo>

namespace babyapi::detail {
namespace {

const HeaderList kJson = {{"Content-Type", "application/json"}, {"x-request-id", "req_42"}};

// Throws the mapped error and returns it caught as the base class, with its dynamic type kept.
template <class Expected>
Expected expect_error(int status, const HeaderList& headers, const std::string& body) {
  try {
    throw_status_error(status, headers, body);
  } catch (const Expected& error) {
    return error;
  } catch (const std::exception& other) {
    ADD_FAILURE() << "status " << status << " threw " << typeid(other).name() << ": "
                  << other.what();
  }
  throw std::logic_error("unreachable");
}

TEST(ErrorMapperTest, StatusSelectsTheClass) {
  const std::string body = R"({"error":{"message":"m"}})";
  EXPECT_NO_THROW(expect_error<BadRequestError>(400, kJson, body));
  EXPECT_NO_THROW(expect_error<AuthenticationError>(401, kJson, body));
  EXPECT_NO_THROW(expect_error<PermissionDeniedError>(403, kJson, body));
  EXPECT_NO_THROW(expect_error<NotFoundError>(404, kJson, body));
  EXPECT_NO_THROW(expect_error<ConflictError>(409, kJson, body));
  EXPECT_NO_THROW(expect_error<UnprocessableEntityError>(422, kJson, body));
  EXPECT_NO_THROW(expect_error<RateLimitError>(429, kJson, body));
  EXPECT_NO_THROW(expect_error<InternalServerError>(500, kJson, body));
  EXPECT_NO_THROW(expect_error<InternalServerError>(503, kJson, body));
  // Unusual statuses still get the status class and the base hierarchy.
  const APIStatusError teapot = expect_error<APIStatusError>(418, kJson, body);
  EXPECT_EQ(typeid(teapot), typeid(APIStatusError));
  EXPECT_NO_THROW(expect_error<BabyAPIError>(405, kJson, body));
  EXPECT_NO_THROW(expect_error<std::runtime_error>(500, kJson, body));
}

TEST(ErrorMapperTest, OpenAIShape) {
  const auto error = expect_error<BadRequestError>(
      400, kJson,
      R"({"error":{"message":"messages must not be empty","type":"invalid_request_error",)"
      R"("param":"messages","code":"empty_messages"}})");
  EXPECT_EQ(error.message(), "messages must not be empty");
  EXPECT_EQ(error.status(), 400);
  EXPECT_EQ(error.type(), "invalid_request_error");
  EXPECT_EQ(error.param(), "messages");
  EXPECT_EQ(error.code(), "empty_messages");
  EXPECT_EQ(error.request_id(), "req_42");
  EXPECT_NE(std::string(error.what()).find("messages must not be empty"), std::string::npos);
  EXPECT_NE(std::string(error.what()).find("req_42"), std::string::npos);
}

TEST(ErrorMapperTest, OpenAIShapeWithIntegerCodeAndNulls) {
  const auto error = expect_error<RateLimitError>(
      429, kJson, R"({"error":{"message":"slow down","type":null,"param":null,"code":429}})");
  EXPECT_EQ(error.message(), "slow down");
  EXPECT_EQ(error.code(), "429");
  EXPECT_EQ(error.type(), "");
  EXPECT_EQ(error.param(), "");
}

TEST(ErrorMapperTest, ErrorAsPlainString) {
  const auto error = expect_error<NotFoundError>(404, kJson, R"({"error":"no such model"})");
  EXPECT_EQ(error.message(), "no such model");
}

TEST(ErrorMapperTest, VllmFlatShape) {
  const auto error = expect_error<BadRequestError>(
      400, kJson,
      R"({"object":"error","message":"max_tokens is too large","type":"BadRequestError",)"
      R"("param":null,"code":400})");
  EXPECT_EQ(error.message(), "max_tokens is too large");
  EXPECT_EQ(error.type(), "BadRequestError");
  EXPECT_EQ(error.code(), "400");
}

TEST(ErrorMapperTest, FastApiDetailString) {
  const auto error = expect_error<NotFoundError>(404, kJson, R"({"detail":"Task not found."})");
  EXPECT_EQ(error.message(), "Task not found.");
}

TEST(ErrorMapperTest, FastApiDetailList) {
  const auto error = expect_error<UnprocessableEntityError>(
      422, kJson,
      R"({"detail":[{"loc":["body","files"],"msg":"Field required","type":"missing"},)"
      R"({"loc":["body","options",0],"msg":"bad","type":"value_error"}]})");
  EXPECT_EQ(error.message(), "body.files: Field required; body.options.0: bad");
  EXPECT_EQ(error.type(), "missing");
}

TEST(ErrorMapperTest, PlainText) {
  const auto error = expect_error<InternalServerError>(502, {{"content-type", "text/plain"}},
                                                       "  upstream\n  connect error  \n");
  EXPECT_EQ(error.message(), "upstream connect error");
  EXPECT_EQ(error.request_id(), "");
}

TEST(ErrorMapperTest, HtmlUsesTheTitle) {
  const auto error = expect_error<InternalServerError>(
      503, {{"Content-Type", "text/html; charset=utf-8"}},
      "<html><head><title>503 Service\n Temporarily Unavailable</title></head>"
      "<body><h1>Oops</h1></body></html>");
  EXPECT_EQ(error.message(), "503 Service Temporarily Unavailable");
}

TEST(ErrorMapperTest, HtmlWithoutTitleUsesItsText) {
  const auto error = expect_error<InternalServerError>(
      500, {{"Content-Type", "text/html"}}, "<html><body><h1>Bad</h1><p>gateway</p></body></html>");
  EXPECT_EQ(error.message(), "Bad gateway");
}

TEST(ErrorMapperTest, EmptyBodyNamesTheStatus) {
  EXPECT_EQ(expect_error<InternalServerError>(503, {}, "").message(),
            "HTTP 503 Service Unavailable");
  EXPECT_EQ(expect_error<APIStatusError>(499, {}, "").message(), "HTTP 499");
}

TEST(ErrorMapperTest, JsonWithoutKnownFieldsFallsBackToItsText) {
  const auto error = expect_error<BadRequestError>(400, kJson, R"({"oops":true})");
  EXPECT_EQ(error.message(), R"({"oops":true})");
  EXPECT_EQ(error.body(), R"({"oops":true})");
}

TEST(ErrorMapperTest, MalformedJsonIsTreatedAsText) {
  const auto error = expect_error<InternalServerError>(500, kJson, "{not json");
  EXPECT_EQ(error.message(), "{not json");
}

TEST(ErrorMapperTest, LongTextIsTruncated) {
  const auto error = expect_error<InternalServerError>(500, {}, std::string(5000, 'x'));
  EXPECT_LT(error.message().size(), 600u);
  EXPECT_EQ(error.body().size(), 5000u);
}

TEST(ErrorsTest, CopiesShareDetailsAndWhatOmitsNothingUseful) {
  ErrorDetails details;
  details.status = 404;
  details.request_id = "req_9";
  const NotFoundError original("gone", details);
  const NotFoundError copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.message(), "gone");
  EXPECT_EQ(std::string(copy.what()), "gone (HTTP 404, request id req_9)");
  EXPECT_EQ(std::string(BabyAPIError("plain").what()), "plain");
  EXPECT_EQ(BabyAPIError("plain").status(), 0);
}

}  // namespace
}  // namespace babyapi::detail
