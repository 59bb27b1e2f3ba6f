// Fills a ClientOptions from the environment and defaults, and checks it, before a Client uses it.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "babyapi/options.hpp"

namespace babyapi::detail {

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process environment (an empty variable counts as unset).
std::optional<std::string> process_env(const char* name);

inline constexpr const char* kDefaultBaseUrl = "https://api.babyapi.org";

// Throws BabyAPIError when no API key is found or an option is out of range.
ClientOptions resolve_options(ClientOptions options, const EnvLookup& env = process_env);

}  // namespace babyapi::detail
