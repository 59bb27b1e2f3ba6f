// Compiled at configure time (cmake/nlohmann_abi.cmake) with the compiler, flags and nlohmann
// target libbabyapi is built with: the string below records the nlohmann_json ABI those headers
// give, as its version and its inline namespace (nlohmann::json_abi_v3_11_2, with _diag or
// _ldvcmp in it under JSON_DIAGNOSTICS or JSON_USE_LEGACY_DISCARDED_VALUE_COMPARISON).
#include <nlohmann/json.hpp>

#define BABYAPI_PROBE_STR_EX(x) #x
#define BABYAPI_PROBE_STR(x) BABYAPI_PROBE_STR_EX(x)

extern const char babyapi_nlohmann_abi_probe[];
const char babyapi_nlohmann_abi_probe[] =
    "BABYAPI_NLOHMANN_ABI[" BABYAPI_PROBE_STR(NLOHMANN_JSON_VERSION_MAJOR) "," BABYAPI_PROBE_STR(
        NLOHMANN_JSON_VERSION_MINOR) "," BABYAPI_PROBE_STR(NLOHMANN_JSON_VERSION_PATCH) "," BABYAPI_PROBE_STR(NLOHMANN_JSON_NAMESPACE) "]";
