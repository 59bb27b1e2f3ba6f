#include "validate.hpp"

#include <algorithm>

namespace emu {

const std::vector<std::string>& model_ids() {
  static const std::vector<std::string> ids = {"mistral",   "mixtral",         "pixtral",
                                               "magistral", "qwen3-embedding", "qwen3-reranker"};
  return ids;
}

bool is_known_model(const std::string& id) {
  const auto& ids = model_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

void check_model(const std::string& model) {
  if (is_known_model(model)) return;
  // vllm/entrypoints/openai/engine/serving.py, OpenAIServing._check_model.
  throw ApiError(404, "The model `" + model + "` does not exist.", "NotFoundError", "model", 404);
}

bool is_reasoning_model(const std::string& id) { return id == "magistral"; }

ApiError missing(const std::string& name) {
  return bad_request("Missing required parameter: '" + name + "'.", name,
                     "missing_required_parameter");
}

ApiError wrong_type(const std::string& name, const std::string& expected) {
  return bad_request("Invalid type for '" + name + "': expected " + expected + ".", name,
                     "invalid_type");
}

std::string require_string(const OJson& body, const std::string& name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) throw missing(name);
  if (!it->is_string()) throw wrong_type(name, "a string");
  return it->get<std::string>();
}

std::optional<long long> optional_int(const OJson& body, const std::string& name, long long lo,
                                      long long hi, const std::string& shown_name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  const std::string label = shown_name.empty() ? name : shown_name;
  if (!it->is_number_integer()) throw wrong_type(label, "an integer");
  const long long v = it->get<long long>();
  if (v < lo || v > hi) {
    throw bad_request("Invalid value for '" + label + "': expected an integer between " +
                          std::to_string(lo) + " and " + std::to_string(hi) + ".",
                      label);
  }
  return v;
}

bool optional_bool(const OJson& body, const std::string& name, bool fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw wrong_type(name, "a boolean");
  return it->get<bool>();
}

std::vector<std::string> string_list(const OJson& body, const std::string& name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) throw missing(name);
  std::vector<std::string> out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return out;
  }
  if (!it->is_array() || it->empty())
    throw wrong_type(name, "a string or a non-empty array of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) throw wrong_type(name, "a string or a non-empty array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace emu
