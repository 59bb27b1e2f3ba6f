// Compiled by ctest abi.nlohmann_header_check with -DJSON_DIAGNOSTICS=1: nlohmann's ABI namespace
// is then json_abi_diag_*, not the one libbabyapi was built with, and babyapi/json.hpp must refuse
// to compile.
#include "babyapi/json.hpp"

int main() { return babyapi::Json::object().empty() ? 0 : 1; }
