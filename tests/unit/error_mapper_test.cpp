#include "error_mapper.hpp"

#include <gtest/gtest.h>

#include <string>
#include <typeinfo>
#include <vector>

namespace babyapi::detail {
namespace {

const HeaderList kJson = {{"Content-Type", "application/json"}, {"x-request-id", "req_42"}};

// Throws the mapped error and returns it caught as the base class, with its dynamic type kept.
template <class Expected>
Expected expect_error(int status, const HeaderList& headers, const std::string& body,
                      const ErrorContext& context = {}) {
  try {
    throw_status_error(status, headers, body, context);
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

// ---- Hostile bodies: depth, length and secrets ----

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

// Every place of an error body whose value the mapper renders, with X standing for the value.
const std::vector<std::string> kFieldShapes = {
    R"({"error":{"message":X}})",
    R"({"error":{"message":"m","code":X}})",
    R"({"error":{"message":"m","type":X}})",
    R"({"error":{"message":"m","param":X}})",
    R"({"object":"error","message":X})",
    R"({"error":X})",
    R"({"detail":X})",
    R"({"detail":[X]})",
    R"({"detail":[{"msg":X}]})",
    R"({"detail":[{"loc":[X],"msg":"m"}]})",
    R"({"detail":[{"loc":X,"msg":"m","type":X}]})",
    R"({"detail":[{"nomsg":X}]})",
    R"({"detail":{"message":X}})",
};

std::string shape_with(const std::string& shape, const std::string& value) {
  std::string body;
  for (char c : shape) {
    if (c == 'X') {
      body += value;
    } else {
      body.push_back(c);
    }
  }
  return body;
}

// Valid UTF-8: nlohmann's dump() throws type_error.316 on anything else.
bool valid_utf8(const std::string& text) {
  try {
    (void)Json(text).dump();
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

void expect_bounded(const BabyAPIError& error) {
  EXPECT_LE(error.message().size(), kMaxErrorMessageBytes + 16);
  EXPECT_LE(std::string(error.what()).size(), kMaxErrorMessageBytes + 600);
  EXPECT_LE(error.code().size(), kMaxErrorFieldBytes + 16);
  EXPECT_LE(error.type().size(), kMaxErrorFieldBytes + 16);
  EXPECT_LE(error.param().size(), kMaxErrorFieldBytes + 16);
  EXPECT_LE(error.body().size(), kMaxErrorBodyBytes + 100);
  EXPECT_TRUE(valid_utf8(error.message()));
  EXPECT_TRUE(valid_utf8(error.body()));
}

// 60,000 levels killed the process with a stack overflow through Json::dump(). Every field goes
// through the same renderer, tried at that depth in each; a million levels (2 MB) then shows that
// nlohmann's parser and destructor do not recurse either, under the default 8 MiB stack.
TEST(ErrorMapperHostileTest, DeepNestingInEveryFieldIsRenderedWithoutRecursion) {
  const std::string deep = nested_arrays(60000);
  for (const std::string& shape : kFieldShapes) {
    SCOPED_TRACE(shape);
    expect_bounded(expect_error<BadRequestError>(400, kJson, shape_with(shape, deep)));
  }
  // The whole body as one deep array: not an object, so its text is the message.
  expect_bounded(expect_error<BadRequestError>(400, kJson, deep));

  const std::string deeper = nested_arrays(1000000);
  expect_bounded(expect_error<BadRequestError>(400, kJson, shape_with(kFieldShapes[0], deeper)));
  expect_bounded(expect_error<BadRequestError>(400, kJson, deeper));
}

TEST(ErrorMapperHostileTest, DeepValuesShowTheirFirstLevels) {
  const auto error = expect_error<BadRequestError>(
      400, kJson, shape_with(R"({"error":{"message":X,"code":X}})", nested_arrays(60000)));
  EXPECT_EQ(error.message(), "[[[[[[[[[...]]]]]]]]]");
  EXPECT_EQ(error.code(), "[[[[[[[[[...]]]]]]]]]");
  EXPECT_EQ(json_value_text(Json::parse(R"({"a":[1,2.5,{"b":"c\n\"d"}],"e":null,"f":{}})")),
            R"({"a":[1,2.5,{"b":"c\n\"d"}],"e":null,"f":{}})");
  EXPECT_EQ(json_value_text(Json("plain")), "plain");
  EXPECT_EQ(json_value_text(Json(nullptr)), "");
}

TEST(ErrorMapperHostileTest, AHugeMessageIsCutOnAUtf8Boundary) {
  // "é" is two bytes; the leading "a" puts every cut point of an even length inside one.
  std::string text = "a";
  while (text.size() < (4u << 20)) text += "\xC3\xA9";
  const std::string body = R"({"error":{"message":")" + text + R"(","code":")" + text + "\"}}";
  const auto error = expect_error<BadRequestError>(400, kJson, body);
  expect_bounded(error);
  EXPECT_GE(error.message().size(), kMaxErrorMessageBytes - 4);
  EXPECT_EQ(error.message().substr(error.message().size() - kCutMark.size()), kCutMark);
  EXPECT_EQ(error.message().substr(0, 5), "a\xC3\xA9\xC3\xA9");
  EXPECT_NE(
      error.body().find("[truncated: the body had " + std::to_string(body.size()) + " bytes]"),
      std::string::npos);
  EXPECT_EQ(error.body().substr(0, 20), body.substr(0, 20));
}

TEST(ErrorMapperHostileTest, AHugeDetailListIsBounded) {
  std::string body = R"({"detail":[)";
  for (int i = 0; i < 60000; ++i) body += R"({"loc":["body",1],"msg":"bad"},)";
  body += R"({"msg":"last"}]})";
  const auto error = expect_error<UnprocessableEntityError>(422, kJson, body);
  expect_bounded(error);
  EXPECT_EQ(error.message().substr(0, 22), "body.1: bad; body.1: b");
}

const ErrorContext kSecrets{"sk-live-0123456789abcdefXYZ", "alice:p%40ss-w0rd", std::nullopt};

void expect_no_secret(const BabyAPIError& error) {
  const std::vector<std::string> forms = {"sk-live", "0123456789abcdef", "p%40ss", "p@ss-w0rd"};
  for (const std::string& secret : forms) {
    SCOPED_TRACE(secret);
    EXPECT_EQ(error.message().find(secret), std::string::npos) << error.message();
    EXPECT_EQ(std::string(error.what()).find(secret), std::string::npos) << error.what();
    EXPECT_EQ(error.body().find(secret), std::string::npos) << error.body();
    EXPECT_EQ(error.code().find(secret), std::string::npos);
    EXPECT_EQ(error.type().find(secret), std::string::npos);
    EXPECT_EQ(error.param().find(secret), std::string::npos);
    EXPECT_EQ(error.request_id().find(secret), std::string::npos);
    for (const auto& [name, value] : error.headers())
      EXPECT_EQ(value.find(secret), std::string::npos);
  }
}

TEST(ErrorMapperHostileTest, EchoedSecretsAreRedactedEverywhere) {
  const std::string key = kSecrets.api_key;
  const HeaderList headers = {{"Content-Type", "application/json"},
                              {"x-request-id", "req-" + key},
                              {"www-authenticate", "Bearer realm=\"" + key + "\""}};
  const auto json = expect_error<AuthenticationError>(
      401, headers,
      R"({"error":{"message":"Invalid token: Bearer )" + key + R"(","code":")" + key +
          R"(","type":["alice:p@ss-w0rd"],"param":"p%40ss-w0rd"}})",
      kSecrets);
  expect_no_secret(json);
  EXPECT_EQ(json.message(), "Invalid token: Bearer [redacted]");
  EXPECT_EQ(json.code(), "[redacted]");
  EXPECT_EQ(json.type(), R"(["[redacted]"])");
  EXPECT_EQ(json.request_id(), "req-[redacted]");
  EXPECT_EQ(json.header("www-authenticate"), "Bearer realm=\"[redacted]\"");

  const auto text = expect_error<AuthenticationError>(
      401, {{"content-type", "text/plain"}},
      "Invalid token: Bearer " + key + " for alice:p%40ss-w0rd", kSecrets);
  expect_no_secret(text);
  EXPECT_EQ(text.message(), "Invalid token: Bearer [redacted] for [redacted]");
  EXPECT_EQ(text.body(), text.message());

  const auto html = expect_error<PermissionDeniedError>(403, {{"content-type", "text/html"}},
                                                        "<title>no " + key + "</title>", kSecrets);
  expect_no_secret(html);
  EXPECT_EQ(html.message(), "no [redacted]");
}

// A long secret repeated shrinks to marks under redaction: a cut taken before redacting must not
// leave the beginning of a secret at its end.
TEST(ErrorMapperHostileTest, NoCutLeavesPartOfASecret) {
  ErrorContext context;
  context.api_key = "sk-" + std::string(97, 'k');
  std::string repeated;
  for (int i = 0; i < 400; ++i) repeated += context.api_key;
  for (size_t shift = 0; shift < 8; ++shift) {
    SCOPED_TRACE(shift);
    const std::string message = std::string(shift, '.') + repeated;
    for (const std::string& body :
         {R"({"error":{"message":")" + message + R"(","code":")" + message + "\"}}",
          R"({"detail":[")" + message + "\"]}"}) {
      const auto error = expect_error<BadRequestError>(400, kJson, body, context);
      EXPECT_EQ(error.message().find("sk-"), std::string::npos) << error.message();
      EXPECT_EQ(error.message().find("kkkk"), std::string::npos) << error.message();
      EXPECT_EQ(error.code().find("kkkk"), std::string::npos) << error.code();
      EXPECT_EQ(error.body().find("kkkk"), std::string::npos);
    }
    const auto text = expect_error<BadRequestError>(400, {}, message, context);
    EXPECT_EQ(text.message().find("kkkk"), std::string::npos) << text.message();
    EXPECT_EQ(text.body().find("kkkk"), std::string::npos);
  }
}

TEST(ErrorMapperHostileTest, RedactionHandlesEmptyShortAndOverlappingSecrets) {
  EXPECT_EQ(redact("nothing to hide", {}), "nothing to hide");
  ErrorContext one_byte;
  one_byte.api_key = "k";
  EXPECT_EQ(redact("kokk", one_byte), "[redacted]o[redacted][redacted]");
  ErrorContext overlapping;
  overlapping.api_key = "abab";
  EXPECT_EQ(redact("abababab-ababab", overlapping), "[redacted][redacted]-[redacted]ab");
  // A short password is redacted only as part of the whole userinfo.
  ErrorContext userinfo;
  userinfo.url_userinfo = "bob:pw";
  EXPECT_EQ(redact("bob:pw pw", userinfo), "[redacted] pw");
  EXPECT_EQ(redact_bounded(std::string(10, 'x') + "abab", overlapping, 12), "xxxxxxxxxx[redacted]");
  EXPECT_EQ(redact_bounded("xx\xC3\xA9yy", {}, 3), "xx" + std::string(kCutMark));
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
