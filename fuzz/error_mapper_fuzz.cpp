// Fuzz target for the error mapper: any status, content type and body must map to the status's
// error class, with a message, code, type, param, request id and body that are bounded, valid UTF-8
// when the body was, and free of the caller's secrets. json_value_text must agree with
// Json::dump() wherever the value is shallow enough to be shown whole. Built with
// -DBABYAPI_FUZZ_STANDALONE it replays built-in seeds and any files named on its command line.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "babyapi/errors.hpp"
#include "error_mapper.hpp"

namespace {

using babyapi::Json;
namespace detail = babyapi::detail;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "error_mapper_fuzz: %s\n", what);
  std::abort();
}

bool valid_utf8(const std::string& text) {
  try {
    (void)Json(text).dump();  // strict: throws type_error.316 on invalid UTF-8
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

// The deepest nesting of containers, counted without recursion.
size_t depth_of(const Json& root) {
  std::vector<std::pair<const Json*, size_t>> pending = {{&root, 1}};
  size_t deepest = 0;
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth);
    for (const Json& child : *node) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

const char* const kContentTypes[] = {"application/json",         "text/plain",
                                     "text/html; charset=utf-8", "",
                                     "application/problem+json", "TEXT/HTML"};

// The first bytes choose the status, the content type, the flags and the key's length, then come
// the key's letters; the rest is the body.
struct Case {
  int status = 400;
  babyapi::HeaderList headers;
  detail::ErrorContext context;
  std::string body;
};

Case case_of(std::string_view input) {
  Case c;
  auto byte = [&input](size_t at) -> unsigned {
    return at < input.size() ? static_cast<unsigned char>(input[at]) : 0u;
  };
  c.status = 300 + static_cast<int>((byte(0) << 8 | byte(1)) % 300);
  const char* type = kContentTypes[byte(2) % std::size(kContentTypes)];
  if (*type != '\0') c.headers.emplace_back("Content-Type", type);
  // A key of "sk-" and letters or digits: text the mapper adds never spells one, so any
  // occurrence in the result is a leak.
  const size_t key_length = byte(3) % 24;
  if (key_length > 0) {
    static const char kAlnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    c.context.api_key = "sk-";
    for (size_t i = 0; i < key_length; ++i) {
      const unsigned b = byte(5 + i);  // letters and digits stand for themselves
      c.context.api_key +=
          std::isalnum(static_cast<int>(b)) ? static_cast<char>(b) : kAlnum[b % 62];
    }
  }
  if (byte(4) & 1) c.context.url_userinfo = "fuzz:pa%24%24word";
  if (byte(4) & 2) c.headers.emplace_back("x-request-id", "req_" + c.context.api_key);
  const size_t skip = std::min(input.size(), 5 + key_length);
  c.body = std::string(input.substr(skip));
  return c;
}

void check_no_secret(const std::string& text, const detail::ErrorContext& context) {
  if (!context.api_key.empty() && text.find(context.api_key) != std::string::npos) {
    fail("the API key leaked");
  }
  if (!context.url_userinfo.empty() && (text.find("pa%24%24word") != std::string::npos ||
                                        text.find("pa$$word") != std::string::npos)) {
    fail("the userinfo leaked");
  }
}

bool class_matches(int status, const babyapi::APIStatusError& error) {
  const std::type_info& type = typeid(error);
  switch (status) {
    case 400:
      return type == typeid(babyapi::BadRequestError);
    case 401:
      return type == typeid(babyapi::AuthenticationError);
    case 403:
      return type == typeid(babyapi::PermissionDeniedError);
    case 404:
      return type == typeid(babyapi::NotFoundError);
    case 409:
      return type == typeid(babyapi::ConflictError);
    case 422:
      return type == typeid(babyapi::UnprocessableEntityError);
    case 429:
      return type == typeid(babyapi::RateLimitError);
    default:
      return status >= 500 ? type == typeid(babyapi::InternalServerError)
                           : type == typeid(babyapi::APIStatusError);
  }
}

void check_error(const Case& c, const babyapi::BabyAPIError& error) {
  if (error.message().empty()) fail("empty message");
  if (error.message().size() >
      detail::kMaxErrorMessageBytes + detail::kRedactionMark.size() + detail::kCutMark.size()) {
    fail("message() is not bounded");
  }
  for (const std::string* field :
       {&error.code(), &error.type(), &error.param(), &error.request_id()}) {
    if (field->size() >
        detail::kMaxErrorFieldBytes + detail::kRedactionMark.size() + detail::kCutMark.size()) {
      fail("a field is not bounded");
    }
    check_no_secret(*field, c.context);
  }
  if (error.body().size() > detail::kMaxErrorBodyBytes + 100) fail("body() is not bounded");
  if (valid_utf8(c.body) && !(valid_utf8(error.message()) && valid_utf8(error.body()))) {
    fail("a cut split a UTF-8 sequence");
  }
  check_no_secret(error.message(), c.context);
  check_no_secret(error.what(), c.context);
  check_no_secret(error.body(), c.context);
  for (const auto& header : error.headers()) check_no_secret(header.second, c.context);
}

void fuzz_one(std::string_view input) {
  const Case c = case_of(input);
  const std::exception_ptr made = detail::make_status_error(c.status, c.headers, c.body, c.context);
  if (!made) fail("make_status_error returned no error");
  try {
    std::rethrow_exception(made);
  } catch (const babyapi::APIStatusError& error) {
    if (!class_matches(c.status, error)) fail("wrong error class for the status");
    if (error.status() != c.status) fail("wrong status");
    check_error(c, error);
  } catch (...) {
    fail("make_status_error made something other than an APIStatusError");
  }
  // The stream path maps error events with status 0.
  std::string message;
  const babyapi::ErrorDetails details =
      detail::parse_error_body(0, c.headers, c.body, message, c.context);
  check_error(c, babyapi::BabyAPIError(message, details));

  const size_t limit = input.empty() ? 0 : static_cast<unsigned char>(input[0]);
  const std::string redacted = detail::redact_bounded(c.body, c.context, limit);
  if (redacted.size() > limit + detail::kRedactionMark.size() + detail::kCutMark.size()) {
    fail("redact_bounded is not bounded");
  }
  check_no_secret(redacted, c.context);

  const Json parsed = Json::parse(c.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return;
  const std::string shown = detail::json_value_text(parsed, 1 << 20);
  if (!parsed.is_string() && !parsed.is_null() && depth_of(parsed) <= 8 && shown != parsed.dump()) {
    fail("json_value_text disagrees with dump() on a shallow value");
  }
  if (detail::json_value_text(parsed, limit).size() > limit + detail::kCutMark.size()) {
    fail("json_value_text is not bounded");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

#if defined(BABYAPI_FUZZ_STANDALONE)
#include "seed_replay.hpp"

namespace {

std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// Seeds for each body shape the mapper knows. Their first bytes: status 0x0064 + 300 = 400, the
// content type (0: JSON), the key's length (16), flags (1: userinfo, 2: request id), the key.
std::vector<std::string> builtin_seeds() {
  const std::string key = "abcdefghijklmnop";
  const std::string json_400 = std::string("\x00\x64\x00\x10\x03", 5) + key;
  std::vector<std::string> seeds;
  seeds.emplace_back();
  seeds.push_back(json_400 + R"({"error":{"message":"bad","type":"t","param":"p","code":42}})");
  seeds.push_back(json_400 + R"({"object":"error","message":"m","type":null,"code":400})");
  seeds.push_back(json_400 + R"({"error":"plain"})");
  seeds.push_back(json_400 + R"({"detail":[{"loc":["body","files",0],"msg":"x","type":"y"}]})");
  seeds.push_back(json_400 + R"({"detail":{"message":"nested"}})");
  seeds.push_back(json_400 + R"({"detail":[1,null,{"a":[{"b":{"c":[[[[[[[[[1]]]]]]]]]}}]}]})");
  seeds.push_back(json_400 + R"({"error":{"message":)" + nested(3000) + "}}");
  seeds.push_back(json_400 + "{\"error\":{\"message\":\"\xC3\xA9" + std::string(3000, 'x') +
                  "\"}}");
  seeds.push_back(json_400 + R"({"error":{"message":"Bearer sk-)" + key + R"(","code":"sk-)" + key +
                  R"("}})");
  seeds.push_back(std::string("\x01\xF4\x01\x10\x03", 5) + key + "Invalid token: Bearer sk-" + key +
                  " fuzz:pa$$word");
  seeds.push_back(std::string("\x00\xC8\x02\x00\x01", 5) +
                  "<html><title>fuzz:pa%24%24word</title></html>");
  seeds.push_back(std::string("\x00\x64\x04\x00\x00", 5) + "{not json");
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  return babyapi::fuzz::replay_seeds(argc, argv, "error_mapper_fuzz", builtin_seeds(),
                                     [](const std::string& input) { fuzz_one(input); });
}
#endif
