#include "agent_answers.hpp"

#include <optional>
#include <utility>

#include "textutil.hpp"
#include "validate.hpp"

namespace emu {
namespace {

const std::set<std::string> kQuirks = {
    "no-index",         // tool-call deltas without `index` (Gemini's endpoint, openai-python #2806)
    "index-minus-one",  // `index: -1` on every tool-call delta
    "duplicate-index",  // two calls, both `index: 0`, told apart by id (Ollama, dynamo)
    "no-id",            // tool-call deltas without `id` (Ollama, continuedev/continue#13225)
    "whole-call",       // id, name and all arguments in one delta
    "split-utf8",       // arguments cut inside every multi-byte character, as raw bytes
    "parallel",         // two calls with indexes 0 and 1
    "usage-null",       // `usage: null` on every ordinary chunk, even without include_usage
    "usage-only",       // a final `choices: []` chunk with usage, even without include_usage
    "reasoning-content",  // reasoning under the legacy `reasoning_content` (vLLM before PR #27752)
};

std::string quoted(const std::string& text) { return dump(OJson(text)); }

// A JSON string literal that passes bytes >= 0x80 through untouched (split-utf8 sends invalid
// UTF-8 on purpose, which OJson::dump would refuse).
std::string raw_string(const std::string& bytes) {
  static const char* const kHex = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// A local "$ref" ("#/$defs/X", "#/definitions/X", "#") resolved against the root schema; the
// schema itself when it is no such reference.
const OJson& resolve_ref(const OJson& schema, const OJson& root) {
  const auto ref = schema.find("$ref");
  if (ref == schema.end() || !ref->is_string()) return schema;
  const std::string path = ref->get<std::string>();
  if (path == "#") return root;
  for (const char* prefix : {"#/$defs/", "#/definitions/"}) {
    const std::string p = prefix;
    if (path.rfind(p, 0) != 0) continue;
    const std::string section = p.substr(2, p.size() - 3);
    const auto defs = root.find(section);
    if (defs == root.end() || !defs->is_object()) break;
    const auto def = defs->find(path.substr(p.size()));
    if (def != defs->end() && def->is_object()) return *def;
  }
  return schema;
}

OJson example_object(const OJson& schema, const OJson& root, const std::string& echo, int depth);

// A plausible value of the schema's type: a string is the echo, an integer its word count, a
// number that plus 0.5, a boolean true, an array one example item, an object its keys (below);
// enum and const give their (first) value, anyOf/oneOf/allOf their first branch.
OJson example_value(const OJson& in, const OJson& root, const std::string& echo, int depth) {
  if (!in.is_object() || depth > 8) return echo;
  const OJson& schema = resolve_ref(in, root);
  if (schema.contains("const")) return schema["const"];
  const auto values = schema.find("enum");
  if (values != schema.end() && values->is_array() && !values->empty()) return values->front();
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    const auto branches = schema.find(key);
    if (branches == schema.end() || !branches->is_array() || branches->empty()) continue;
    for (const auto& branch : *branches) {
      if (!(branch.is_object() && branch.value("type", OJson()) == "null")) {
        return example_value(branch, root, echo, depth + 1);
      }
    }
    return nullptr;
  }
  OJson type = schema.value("type", OJson());
  if (type.is_array()) {
    OJson first;
    for (const auto& t : type) {
      if (t != "null") {
        first = t;
        break;
      }
    }
    type = first.is_null() && !type.empty() ? type.front() : first;
  }
  std::string name = type.is_string() ? type.get<std::string>() : "";
  if (name.empty()) name = schema.contains("properties") ? "object" : "string";
  const auto words = static_cast<long long>(count_words(echo));
  if (name == "integer") return words;
  if (name == "number") return static_cast<double>(words) + 0.5;
  if (name == "boolean") return true;
  if (name == "null") return nullptr;
  if (name == "array") {
    OJson out = OJson::array();
    const auto items = schema.find("items");
    if (items != schema.end() && items->is_object()) {
      out.push_back(example_value(*items, root, echo, depth + 1));
    }
    return out;
  }
  if (name == "object") return example_object(schema, root, echo, depth + 1);
  return echo;
}

// The object's required keys (all its properties when none is required), each with an example
// value of its property's schema.
OJson example_object(const OJson& in, const OJson& root, const std::string& echo, int depth) {
  OJson out = OJson::object();
  if (!in.is_object() || depth > 8) return out;
  const OJson& schema = resolve_ref(in, root);
  const OJson props = schema.value("properties", OJson::object());
  if (!props.is_object()) return out;
  std::vector<std::string> names;
  const auto required = schema.find("required");
  if (required != schema.end() && required->is_array() && !required->empty()) {
    for (const auto& name : *required) {
      if (name.is_string()) names.push_back(name.get<std::string>());
    }
  } else {
    for (auto it = props.begin(); it != props.end(); ++it) names.push_back(it.key());
  }
  for (const auto& name : names) {
    out[name] = example_value(props.value(name, OJson::object()), root, echo, depth);
  }
  return out;
}

// The toy model's arguments: an example object of the function's parameters schema.
std::string arguments_for(const OJson& function, const std::string& echo) {
  const OJson params = function.value("parameters", OJson::object());
  return dump(example_object(params, params, echo, 0));
}

// The argument fragments of one call: about six bytes each at character boundaries, or, with
// split-utf8, cut right after the first byte of every multi-byte character.
std::vector<std::string> fragments(const std::string& arguments, bool split_utf8) {
  std::vector<std::string> out;
  std::string piece;
  for (std::size_t i = 0; i < arguments.size();) {
    const std::size_t length = std::min(
        utf8_sequence_length(static_cast<unsigned char>(arguments[i])), arguments.size() - i);
    if (split_utf8 && length > 1) {
      piece += arguments[i];
      out.push_back(piece);
      piece = arguments.substr(i + 1, length - 1);
    } else {
      piece += arguments.substr(i, length);
      if (piece.size() >= 6) {
        out.push_back(piece);
        piece.clear();
      }
    }
    i += length;
  }
  if (!piece.empty()) out.push_back(piece);
  return out;
}

OJson usage_of(std::size_t prompt, std::size_t completion) {
  return OJson{{"prompt_tokens", prompt},
               {"completion_tokens", completion},
               {"total_tokens", prompt + completion}};
}

struct Step {
  std::string delta;  // JSON text
  std::string finish_reason;
};

std::string tool_call_head(const AgentAnswer& a, std::size_t k) {
  std::string head = "{";
  if (a.quirks.count("no-index") == 0) {
    const long long index = a.quirks.count("index-minus-one")   ? -1
                            : a.quirks.count("duplicate-index") ? 0
                                                                : static_cast<long long>(k);
    head += "\"index\":" + std::to_string(index) + ",";
  }
  return head;
}

std::vector<Step> choice_steps(const AgentAnswer& a) {
  std::vector<Step> steps;
  steps.push_back({R"({"role":"assistant","content":""})", ""});
  const char* reasoning_key =
      a.quirks.count("reasoning-content") ? "reasoning_content" : "reasoning";
  for (const auto& token : a.reasoning) {
    steps.push_back({std::string("{\"") + reasoning_key + "\":" + quoted(token) + "}", ""});
  }
  if (a.calls.empty()) {
    for (const auto& token : a.tokens) steps.push_back({"{\"content\":" + quoted(token) + "}", ""});
    steps.push_back({"{}", a.finish_reason});
    return steps;
  }
  const bool split = a.quirks.count("split-utf8") > 0;
  for (std::size_t k = 0; k < a.calls.size(); ++k) {
    const ToolCallPlan& call = a.calls[k];
    const std::string head = tool_call_head(a, k);
    const std::string id = a.quirks.count("no-id") ? "" : "\"id\":" + quoted(call.id) + ",";
    if (a.quirks.count("whole-call")) {
      steps.push_back({"{\"tool_calls\":[" + head + id +
                           R"("type":"function","function":{"name":)" + quoted(call.name) +
                           ",\"arguments\":" + raw_string(call.arguments) + "}}]}",
                       ""});
      continue;
    }
    steps.push_back({"{\"tool_calls\":[" + head + id + R"("type":"function","function":{"name":)" +
                         quoted(call.name) + "}}]}",
                     ""});
    for (const auto& piece : fragments(call.arguments, split)) {
      steps.push_back(
          {"{\"tool_calls\":[" + head + "\"function\":{\"arguments\":" + raw_string(piece) + "}}]}",
           ""});
    }
  }
  steps.push_back({"{}", "tool_calls"});
  return steps;
}

}  // namespace

std::set<std::string> parse_quirks(const httplib::Request& req) {
  std::vector<std::pair<std::string, std::string>> items;
  std::string err;
  const std::string header = req.get_header_value("x-emulator-quirks");
  if (!parse_kv_list(header, items, err)) {
    throw bad_request("Invalid x-emulator-quirks header: " + err, "x-emulator-quirks",
                      "emulator_bad_quirk");
  }
  std::set<std::string> quirks;
  for (const auto& [key, value] : items) {
    if (kQuirks.count(key) == 0) {
      throw bad_request("Invalid x-emulator-quirks header: unknown quirk '" + key + "'",
                        "x-emulator-quirks", "emulator_bad_quirk");
    }
    if (value != "0") quirks.insert(key);
  }
  return quirks;
}

bool wants_agent_answer(const OJson& body, const std::string& model,
                        const std::set<std::string>& quirks, bool continuous_usage) {
  const auto tools = body.find("tools");
  const auto format = body.find("response_format");
  return (tools != body.end() && tools->is_array() && !tools->empty()) ||
         is_reasoning_model(model) || body.value("n", OJson(1)) != OJson(1) || !quirks.empty() ||
         continuous_usage ||
         (format != body.end() && !format->is_null() &&
          !(format->is_object() && format->value("type", OJson()) == "text"));
}

std::optional<std::string> structured_content(const OJson& body, const std::string& echo) {
  const auto format = body.find("response_format");
  if (format == body.end() || format->is_null()) return std::nullopt;
  if (!format->is_object()) throw wrong_type("response_format", "an object");
  const auto type = format->find("type");
  if (type == format->end() || type->is_null()) throw missing("response_format.type");
  if (!type->is_string()) throw wrong_type("response_format.type", "a string");
  const std::string kind = type->get<std::string>();
  if (kind == "text") return std::nullopt;
  if (kind == "json_object") return dump(OJson{{"answer", echo}});
  if (kind != "json_schema") {
    throw bad_request(
        "Invalid value for 'response_format.type': expected 'text', 'json_object' "
        "or 'json_schema'.",
        "response_format.type");
  }
  const auto spec = format->find("json_schema");
  if (spec == format->end() || spec->is_null()) throw missing("response_format.json_schema");
  if (!spec->is_object()) throw wrong_type("response_format.json_schema", "an object");
  const auto name = spec->find("name");
  if (name == spec->end() || name->is_null()) throw missing("response_format.json_schema.name");
  if (!name->is_string()) throw wrong_type("response_format.json_schema.name", "a string");
  const OJson schema = spec->value("schema", OJson::object());
  if (!schema.is_object()) throw wrong_type("response_format.json_schema.schema", "an object");
  return dump(example_value(schema, schema, echo, 0));
}

void plan_agent_answer(const OJson& body, const std::string& echo, std::uint64_t seq,
                       AgentAnswer& a) {
  if (is_reasoning_model(a.model)) {
    a.reasoning = tokenize("The user wrote " + std::to_string(count_words(echo)) +
                           " words; I will answer with them.");
  }
  if (const auto json = structured_content(body, echo)) {
    // Structured output streams as JSON text in pieces; max_tokens cuts it like any answer.
    a.tokens = fragments(*json, false);
    a.finish_reason = "stop";
    if (a.max_tokens && static_cast<std::size_t>(*a.max_tokens) < a.tokens.size()) {
      a.tokens.resize(static_cast<std::size_t>(*a.max_tokens));
      a.finish_reason = "length";
    }
  }
  const auto tools = body.find("tools");
  if (tools == body.end() || !tools->is_array() || tools->empty()) return;
  const auto& messages = body["messages"];
  if (messages.back().is_object() && messages.back().value("role", "") == "tool") return;
  const OJson choice = body.value("tool_choice", OJson("auto"));
  if (choice == "none") return;
  std::vector<OJson> functions;
  for (std::size_t i = 0; i < tools->size(); ++i) {
    const OJson& tool = (*tools)[i];
    const std::string p = "tools[" + std::to_string(i) + "]";
    if (!tool.is_object() || !tool.contains("function") || !tool["function"].is_object()) {
      throw wrong_type(p + ".function", "an object");
    }
    if (!tool["function"].contains("name") || !tool["function"]["name"].is_string()) {
      throw wrong_type(p + ".function.name", "a string");
    }
    functions.push_back(tool["function"]);
  }
  std::size_t first = 0;
  if (choice.is_object()) {
    const std::string wanted = choice.value("function", OJson::object()).value("name", "");
    first = functions.size();
    for (std::size_t i = 0; i < functions.size(); ++i) {
      if (functions[i]["name"] == wanted) first = i;
    }
    if (first == functions.size()) {
      throw bad_request("Tool choice '" + wanted + "' is not among the tools", "tool_choice",
                        nullptr);
    }
  }
  const std::size_t count = a.quirks.count("parallel") || a.quirks.count("duplicate-index") ? 2 : 1;
  for (std::size_t k = 0; k < count; ++k) {
    const OJson& function = functions[(first + k) % functions.size()];
    a.calls.push_back({"chatcmpl-tool-emu-" + std::to_string(seq) + "-" + std::to_string(k),
                       function["name"].get<std::string>(), arguments_for(function, echo)});
  }
}

OJson agent_completion(const AgentAnswer& a) {
  OJson message{{"role", "assistant"}};
  message["content"] = a.calls.empty() ? OJson(join_tokens(a.tokens, a.tokens.size())) : OJson();
  if (!a.reasoning.empty()) {
    message[a.quirks.count("reasoning-content") ? "reasoning_content" : "reasoning"] =
        join_tokens(a.reasoning, a.reasoning.size());
  }
  OJson calls = OJson::array();
  for (const auto& call : a.calls) {
    calls.push_back(OJson{{"id", call.id},
                          {"type", "function"},
                          {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
  }
  message["tool_calls"] = calls;
  OJson choices = OJson::array();
  for (std::size_t c = 0; c < a.n; ++c) {
    choices.push_back(OJson{{"index", c},
                            {"message", message},
                            {"logprobs", nullptr},
                            {"finish_reason", a.calls.empty() ? a.finish_reason : "tool_calls"}});
  }
  const std::size_t completion = a.n * (a.tokens.size() + a.reasoning.size() + a.calls.size());
  return OJson{{"id", a.id},
               {"object", "chat.completion"},
               {"created", kCreated},
               {"model", a.model},
               {"choices", choices},
               {"usage", usage_of(a.prompt_tokens, completion)},
               {"system_fingerprint", kName}};
}

SsePlan agent_stream(const AgentAnswer& a) {
  const std::vector<Step> steps = choice_steps(a);
  const bool usage_null = a.include_usage || a.quirks.count("usage-null") > 0;
  const bool usage_chunk = a.include_usage || a.quirks.count("usage-only") > 0;
  // n > 1: the choices' chunks interleave, one chunk per choice per step (vLLM sends them so).
  auto payloads = std::make_shared<std::vector<std::string>>();
  std::size_t completion = 0;
  for (const Step& step : steps) {
    for (std::size_t c = 0; c < a.n; ++c) {
      if (step.delta != "{}" && step.delta.rfind("{\"role\"", 0) != 0) ++completion;
      std::string chunk =
          "{\"id\":" + quoted(a.id) +
          ",\"object\":\"chat.completion.chunk\",\"created\":" + std::to_string(kCreated) +
          ",\"model\":" + quoted(a.model) + ",\"choices\":[{\"index\":" + std::to_string(c) +
          ",\"delta\":" + step.delta + ",\"logprobs\":null,\"finish_reason\":" +
          (step.finish_reason.empty() ? "null" : quoted(step.finish_reason)) + "}]";
      if (a.continuous_usage) {
        chunk += ",\"usage\":" + dump(usage_of(a.prompt_tokens, completion));
      } else if (usage_null) {
        chunk += ",\"usage\":null";
      }
      payloads->push_back(chunk + "}");
    }
  }
  if (usage_chunk) {
    payloads->push_back(
        "{\"id\":" + quoted(a.id) + ",\"object\":\"chat.completion.chunk\",\"created\":" +
        std::to_string(kCreated) + ",\"model\":" + quoted(a.model) +
        ",\"choices\":[],\"usage\":" + dump(usage_of(a.prompt_tokens, completion)) + "}");
  }
  SsePlan plan;
  plan.count = payloads->size();
  plan.payload = [payloads](std::size_t i) { return (*payloads)[i]; };
  return plan;
}

}  // namespace emu
