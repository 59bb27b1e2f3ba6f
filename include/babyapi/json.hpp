// The JSON value type used throughout the SDK's public API: requests are built as Json initializer
// lists and answers come back as Json, so code reads like the Python SDK's dicts.
#pragma once

#include <nlohmann/json.hpp>

namespace babyapi {

using Json = nlohmann::json;

}  // namespace babyapi
