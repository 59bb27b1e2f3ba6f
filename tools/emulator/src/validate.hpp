// Request validation shared by the JSON routes: each failure is an ApiError 400 in
// OpenAI shape naming the parameter.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server.hpp"

namespace emu {

ApiError missing(const std::string& name);
ApiError wrong_type(const std::string& name, const std::string& expected);
std::string require_string(const OJson& body, const std::string& name);
// An integer in [lo, hi], or nullopt when absent/null; shown_name names it in errors.
std::optional<long long> optional_int(const OJson& body, const std::string& name, long long lo,
                                      long long hi, const std::string& shown_name = "");
bool optional_bool(const OJson& body, const std::string& name, bool fallback);
// A string or a non-empty array of strings.
std::vector<std::string> string_list(const OJson& body, const std::string& name);

// The models the emulator serves (GET /v1/models), in listing order.
const std::vector<std::string>& model_ids();
bool is_known_model(const std::string& id);
// vLLM's _check_model: an unknown model → ApiError 404, message "The model `x` does not
// exist.", type "NotFoundError", param "model", code 404 (an integer).
void check_model(const std::string& model);
// Models that think aloud: their chat answers carry `reasoning`.
bool is_reasoning_model(const std::string& id);

}  // namespace emu
