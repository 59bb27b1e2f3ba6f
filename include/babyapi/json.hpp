// The JSON value type used throughout the SDK's public API: requests are built as Json initializer
// lists and answers come back as Json, so code reads like the Python SDK's dicts.
#pragma once

#include <nlohmann/json.hpp>

#include "babyapi/config.hpp"

// babyapi::Json is nlohmann::json, so nlohmann's ABI is part of libbabyapi's: headers of another
// nlohmann version, or the same version with another JSON_DIAGNOSTICS or
// JSON_USE_LEGACY_DISCARDED_VALUE_COMPARISON, name a different nlohmann::json_abi_* namespace than
// the one libbabyapi was compiled against, and mixing them fails here rather than at link or run
// time. (The CMake package config refuses such an nlohmann_json before any compilation.)
#define BABYAPI_JSON_STR_EX(x) #x
#define BABYAPI_JSON_STR(x) BABYAPI_JSON_STR_EX(x)
#define BABYAPI_NLOHMANN_JSON_NAMESPACE_IN_USE BABYAPI_JSON_STR(NLOHMANN_JSON_NAMESPACE)

namespace babyapi::detail {
constexpr bool same_text(const char* a, const char* b) noexcept {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}
}  // namespace babyapi::detail

static_assert(babyapi::detail::same_text(BABYAPI_NLOHMANN_JSON_NAMESPACE_IN_USE,
                                         BABYAPI_NLOHMANN_JSON_NAMESPACE_STRING),
              "babyapi: these nlohmann/json.hpp headers have another ABI than the nlohmann_json "
              "libbabyapi was built with (see BABYAPI_NLOHMANN_JSON_NAMESPACE_STRING in "
              "babyapi/config.hpp): use the same nlohmann_json version and the same "
              "JSON_DIAGNOSTICS / JSON_USE_LEGACY_DISCARDED_VALUE_COMPARISON settings, or rebuild "
              "libbabyapi");

BABYAPI_NAMESPACE_BEGIN

/// The JSON type of every parameter and answer: nlohmann::json itself, so its whole API (and the
/// user's own to_json / from_json) works as is.
using Json = nlohmann::json;

BABYAPI_NAMESPACE_END
