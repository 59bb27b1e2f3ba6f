#include "options_resolve.hpp"

#include <cstdlib>

#include "babyapi/errors.hpp"

namespace babyapi::detail {

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

ClientOptions resolve_options(ClientOptions options, const EnvLookup& env) {
  if (options.api_key.empty() && !options.api_key_provider) {
    if (auto key = env("BABYAPI_API_KEY")) {
      options.api_key = *key;
    } else if (auto legacy = env("BABY_API_KEY")) {
      options.api_key = *legacy;
    } else {
      throw BabyAPIError(
          "No API key: set ClientOptions::api_key (or api_key_provider) or the BABYAPI_API_KEY "
          "(or BABY_API_KEY) environment variable");
    }
  }
  if (options.base_url.empty())
    options.base_url = env("BABYAPI_BASE_URL").value_or(kDefaultBaseUrl);
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  if (options.base_url.rfind("http://", 0) != 0 && options.base_url.rfind("https://", 0) != 0) {
    throw BabyAPIError("base_url must start with http:// or https://, got \"" + options.base_url +
                       "\"");
  }
  for (const char c : options.base_url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      throw BabyAPIError(
          "Configuration error: base_url holds a space or a control byte, which a URL cannot "
          "carry");
    }
  }
  if (options.default_model.empty())
    options.default_model = env("BABYAPI_DEFAULT_MODEL").value_or("");

  if (options.max_retries < 0) throw BabyAPIError("max_retries must not be negative");
  if (options.timeout.count() <= 0) throw BabyAPIError("timeout must be positive");
  if (options.connect_timeout.count() <= 0) throw BabyAPIError("connect_timeout must be positive");
  if (options.retry_base_delay.count() < 0 || options.max_retry_delay.count() < 0) {
    throw BabyAPIError("retry delays must not be negative");
  }
  if (options.max_response_bytes == 0) throw BabyAPIError("max_response_bytes must be positive");
  if (options.max_retry_after.count() < 0)
    throw BabyAPIError("max_retry_after must not be negative");
  if (options.max_connections <= 0) throw BabyAPIError("max_connections must be positive");
  if (options.total_timeout && options.total_timeout->count() <= 0) {
    throw BabyAPIError("total_timeout must be positive when set");
  }
  for (const char c : options.api_key) {
    if (c == '\r' || c == '\n' || c == '\0') {
      throw BabyAPIError("api_key must not contain line breaks or NUL bytes");
    }
  }
  return options;
}

}  // namespace babyapi::detail
