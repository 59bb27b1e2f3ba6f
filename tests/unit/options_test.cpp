#include <gtest/gtest.h>

#include <map>

#include "babyapi/errors.hpp"
#include "options_resolve.hpp"

namespace babyapi::detail {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto found = vars.find(name);
    if (found == vars.end()) return std::nullopt;
    return found->second;
  };
}

TEST(OptionsTest, DefaultsMatchThePythonSdk) {
  const ClientOptions options = resolve_options({}, env_of({{"BABYAPI_API_KEY", "k"}}));
  EXPECT_EQ(options.api_key, "k");
  EXPECT_EQ(options.base_url, "https://api.babyapi.org");
  EXPECT_EQ(options.timeout, std::chrono::seconds(60));
  EXPECT_EQ(options.max_retries, 2);
  EXPECT_EQ(options.retry_base_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(options.default_model, "");
  EXPECT_FALSE(options.proxy.has_value());
}

TEST(OptionsTest, EnvironmentFillsWhatIsNotGiven) {
  const ClientOptions options =
      resolve_options({}, env_of({{"BABYAPI_API_KEY", "env-key"},
                                  {"BABYAPI_BASE_URL", "http://127.0.0.1:9000/"},
                                  {"BABYAPI_DEFAULT_MODEL", "mistral"}}));
  EXPECT_EQ(options.api_key, "env-key");
  EXPECT_EQ(options.base_url, "http://127.0.0.1:9000");  // trailing slash dropped
  EXPECT_EQ(options.default_model, "mistral");
}

TEST(OptionsTest, ExplicitOptionsWinOverTheEnvironment) {
  ClientOptions given;
  given.api_key = "explicit";
  given.base_url = "https://example.test";
  given.default_model = "mixtral";
  const ClientOptions options =
      resolve_options(given, env_of({{"BABYAPI_API_KEY", "env-key"},
                                     {"BABYAPI_BASE_URL", "http://127.0.0.1:9000"},
                                     {"BABYAPI_DEFAULT_MODEL", "mistral"}}));
  EXPECT_EQ(options.api_key, "explicit");
  EXPECT_EQ(options.base_url, "https://example.test");
  EXPECT_EQ(options.default_model, "mixtral");
}

TEST(OptionsTest, BabyApiKeyIsTheFallbackKey) {
  EXPECT_EQ(resolve_options({}, env_of({{"BABY_API_KEY", "legacy"}})).api_key, "legacy");
  EXPECT_EQ(
      resolve_options({}, env_of({{"BABY_API_KEY", "legacy"}, {"BABYAPI_API_KEY", "new"}})).api_key,
      "new");
}

TEST(OptionsTest, MissingKeyNamesBothVariables) {
  try {
    resolve_options({}, env_of({}));
    FAIL() << "expected BabyAPIError";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("BABYAPI_API_KEY"), std::string::npos);
    EXPECT_NE(error.message().find("BABY_API_KEY"), std::string::npos);
  }
}

TEST(OptionsTest, InvalidValuesAreRefused) {
  const EnvLookup env = env_of({{"BABYAPI_API_KEY", "k"}});
  ClientOptions bad_url;
  bad_url.base_url = "api.babyapi.org";
  EXPECT_THROW(resolve_options(bad_url, env), BabyAPIError);
  ClientOptions bad_retries;
  bad_retries.max_retries = -1;
  EXPECT_THROW(resolve_options(bad_retries, env), BabyAPIError);
  ClientOptions bad_timeout;
  bad_timeout.timeout = std::chrono::milliseconds(0);
  EXPECT_THROW(resolve_options(bad_timeout, env), BabyAPIError);
  ClientOptions bad_key;
  bad_key.api_key = "k\r\nX-Evil: 1";
  EXPECT_THROW(resolve_options(bad_key, env), BabyAPIError);
}

}  // namespace
}  // namespace babyapi::detail
