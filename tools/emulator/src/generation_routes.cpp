// Text generation with the echo model: /v1/chat/completions, /v1/completions (both
// with SSE streaming) and BabyAPI's /infer.
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "agent_answers.hpp"
#include "server.hpp"
#include "streaming.hpp"
#include "textutil.hpp"
#include "validate.hpp"

namespace emu {
namespace {

// Message content as the toy models see it: a string as-is; parts → text parts joined
// with a space, then " [image: <url, 60 chars max>]" per image_url part.
std::string render_content(const OJson& content, const std::string& param) {
  if (content.is_null()) return "";
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) throw wrong_type(param, "a string or an array of content parts");
  std::string text;
  std::string images;
  bool first_text = true;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const OJson& part = content[i];
    const std::string pp = param + "[" + std::to_string(i) + "]";
    if (!part.is_object()) throw wrong_type(pp, "an object");
    const std::string type = part.value("type", "");
    if (type == "text") {
      if (!part.contains("text") || !part["text"].is_string())
        throw wrong_type(pp + ".text", "a string");
      if (!first_text) text += ' ';
      text += part["text"].get<std::string>();
      first_text = false;
    } else if (type == "image_url") {
      const OJson iu = part.value("image_url", OJson());
      std::string url;
      if (iu.is_string())
        url = iu.get<std::string>();
      else if (iu.is_object() && iu.contains("url") && iu["url"].is_string())
        url = iu["url"].get<std::string>();
      else
        throw wrong_type(pp + ".image_url", "an object with a string 'url'");
      images += " [image: " + truncate_utf8(url, 60) + "]";
    }
  }
  return text + images;
}

// The echo as tokens, repeated up to `tokens` when the stream header asks for it.
std::vector<std::string> answer_tokens(const std::string& echo, long long tokens) {
  std::vector<std::string> base = tokenize(echo);
  if (tokens <= 0) return base;
  if (base.empty()) base.push_back("lorem");
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(tokens));
  for (long long i = 0; i < tokens; ++i) {
    const std::size_t k = static_cast<std::size_t>(i) % base.size();
    std::string t = base[k];
    if (k == 0 && i > 0) {
      const char prev = base.back().back();
      const bool space_before = prev == ' ' || prev == '\n' || prev == '\t' || prev == '\r';
      if (!space_before && t.front() != ' ' && t.front() != '\n') t.insert(t.begin(), ' ');
    }
    out.push_back(std::move(t));
  }
  return out;
}

struct Answer {
  std::vector<std::string> tokens;  // after max_tokens
  std::string text;
  std::string finish_reason;
};

Answer make_answer(const std::string& echo, long long repeat, std::optional<long long> max_tokens) {
  Answer a;
  a.tokens = answer_tokens(echo, repeat);
  a.finish_reason = "stop";
  if (max_tokens && static_cast<std::size_t>(*max_tokens) < a.tokens.size()) {
    a.tokens.resize(static_cast<std::size_t>(*max_tokens));
    a.finish_reason = "length";
  }
  a.text = join_tokens(a.tokens, a.tokens.size());
  return a;
}

OJson usage(std::size_t prompt, std::size_t completion) {
  return OJson{{"prompt_tokens", prompt},
               {"completion_tokens", completion},
               {"total_tokens", prompt + completion}};
}

std::optional<long long> max_tokens_of(const OJson& body) {
  auto m = optional_int(body, "max_tokens", 1, 1000000000);
  if (!m) m = optional_int(body, "max_completion_tokens", 1, 1000000000);
  return m;
}

// stream_options.include_usage; as in vLLM (StreamOptions in
// vllm/entrypoints/openai/engine/protocol.py) it defaults to true once stream_options is sent.
bool wants_usage_chunk(const OJson& body) {
  auto it = body.find("stream_options");
  return it != body.end() && it->is_object() && it->value("include_usage", true) == true;
}

// stream_options.continuous_usage_stats, honoured only with include_usage (vLLM's
// should_include_usage).
bool wants_continuous_usage(const OJson& body) {
  auto it = body.find("stream_options");
  return wants_usage_chunk(body) && it->value("continuous_usage_stats", false) == true;
}

void chat_completions(Call& call) {
  const OJson body = parse_json_body(call);
  const std::string model = require_string(body, "model");
  auto mit = body.find("messages");
  if (mit == body.end() || mit->is_null()) throw missing("messages");
  if (!mit->is_array()) throw wrong_type("messages", "an array");
  if (mit->empty()) {
    throw bad_request("Invalid 'messages': empty array. Expected an array with minimum length 1.",
                      "messages", "empty_array");
  }
  const bool stream = optional_bool(body, "stream", false);
  const auto max_tokens = max_tokens_of(body);
  const StreamOptions opt = parse_stream_options(call.req);

  std::size_t prompt_tokens = 0;
  std::string echo;
  bool have_user = false;
  for (std::size_t i = 0; i < mit->size(); ++i) {
    const OJson& m = (*mit)[i];
    const std::string p = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) throw wrong_type(p, "an object");
    if (!m.contains("role") || !m["role"].is_string()) throw wrong_type(p + ".role", "a string");
    const std::string text = render_content(m.value("content", OJson()), p + ".content");
    prompt_tokens += count_words(text);
    if (m["role"] == "user") {
      echo = text;
      have_user = true;
    } else if (!have_user) {
      echo = text;  // no user message at all: echo the last message
    }
  }
  // After a tool ran, the model answers with what the tool returned.
  if (mit->back()["role"] == "tool")
    echo = render_content(mit->back().value("content", OJson()), "");
  check_model(model);
  const Answer a = make_answer(echo, opt.tokens, max_tokens);
  const std::string id = "chatcmpl-emu-" + std::to_string(call.seq);

  const std::set<std::string> quirks = parse_quirks(call.req);
  const bool continuous_usage = wants_continuous_usage(body);
  if (wants_agent_answer(body, model, quirks, continuous_usage)) {
    AgentAnswer agent;
    agent.id = id;
    agent.model = model;
    agent.n = static_cast<std::size_t>(optional_int(body, "n", 1, 128).value_or(1));
    agent.tokens = a.tokens;
    agent.finish_reason = a.finish_reason;
    agent.prompt_tokens = prompt_tokens;
    agent.max_tokens = max_tokens;
    agent.quirks = quirks;
    agent.include_usage = wants_usage_chunk(body);
    agent.continuous_usage = continuous_usage;
    plan_agent_answer(body, echo, call.seq, agent);
    if (!stream) {
      send_json(call.res, 200, agent_completion(agent));
    } else {
      start_sse(call, opt, agent_stream(agent));
    }
    return;
  }

  if (!stream) {
    OJson choice{{"index", 0},
                 {"message", {{"role", "assistant"}, {"content", a.text}}},
                 {"logprobs", nullptr},
                 {"finish_reason", a.finish_reason}};
    send_json(call.res, 200,
              OJson{{"id", id},
                    {"object", "chat.completion"},
                    {"created", kCreated},
                    {"model", model},
                    {"choices", OJson::array({choice})},
                    {"usage", usage(prompt_tokens, a.tokens.size())},
                    {"system_fingerprint", kName}});
    return;
  }
  auto tokens = std::make_shared<const std::vector<std::string>>(a.tokens);
  const bool with_usage = wants_usage_chunk(body);
  const OJson usage_json = usage(prompt_tokens, a.tokens.size());
  const std::string finish = a.finish_reason;
  SsePlan plan;
  plan.count = tokens->size() + 2 + (with_usage ? 1 : 0);
  plan.multiline_event = tokens->empty() ? -1 : 1;
  plan.payload = [id, model, tokens, finish, usage_json, with_usage](std::size_t i) {
    OJson chunk{{"id", id},
                {"object", "chat.completion.chunk"},
                {"created", kCreated},
                {"model", model},
                {"system_fingerprint", kName}};
    const std::size_t n = tokens->size();
    if (i == n + 2) {  // usage chunk
      chunk["choices"] = OJson::array();
      chunk["usage"] = usage_json;
      return dump(chunk);
    }
    OJson delta = OJson::object();
    OJson reason = nullptr;
    if (i == 0) {
      delta["role"] = "assistant";
      delta["content"] = "";
    } else if (i <= n) {
      delta["content"] = (*tokens)[i - 1];
    } else {
      reason = finish;
    }
    chunk["choices"] = OJson::array(
        {OJson{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", reason}}});
    if (with_usage) chunk["usage"] = nullptr;  // OpenAI: null on every chunk but the last
    return dump(chunk);
  };
  start_sse(call, opt, std::move(plan));
}

void completions(Call& call) {
  const OJson body = parse_json_body(call);
  const std::string model = require_string(body, "model");
  auto pit = body.find("prompt");
  if (pit == body.end() || pit->is_null()) throw missing("prompt");
  std::vector<std::string> prompts;
  if (pit->is_string()) {
    prompts.push_back(pit->get<std::string>());
  } else if (pit->is_array() && !pit->empty()) {
    for (const auto& p : *pit) {
      if (!p.is_string()) throw wrong_type("prompt", "a string or an array of strings");
      prompts.push_back(p.get<std::string>());
    }
  } else {
    throw wrong_type("prompt", "a string or a non-empty array of strings");
  }
  const bool stream = optional_bool(body, "stream", false);
  const auto max_tokens = max_tokens_of(body);
  const StreamOptions opt = parse_stream_options(call.req);
  check_model(model);

  std::size_t prompt_tokens = 0;
  std::size_t completion_tokens = 0;
  auto answers = std::make_shared<std::vector<Answer>>();
  for (const auto& p : prompts) {
    prompt_tokens += count_words(p);
    answers->push_back(make_answer(p, opt.tokens, max_tokens));
    completion_tokens += answers->back().tokens.size();
  }
  const std::string id = "cmpl-emu-" + std::to_string(call.seq);
  const OJson usage_json = usage(prompt_tokens, completion_tokens);

  if (!stream) {
    OJson choices = OJson::array();
    for (std::size_t i = 0; i < answers->size(); ++i) {
      choices.push_back(OJson{{"index", i},
                              {"text", (*answers)[i].text},
                              {"logprobs", nullptr},
                              {"finish_reason", (*answers)[i].finish_reason}});
    }
    send_json(call.res, 200,
              OJson{{"id", id},
                    {"object", "text_completion"},
                    {"created", kCreated},
                    {"model", model},
                    {"choices", choices},
                    {"usage", usage_json},
                    {"system_fingerprint", kName}});
    return;
  }
  // Events: per prompt, one per token then a finish event; then an optional usage chunk.
  auto index = std::make_shared<std::vector<std::pair<std::size_t, long long>>>();
  for (std::size_t p = 0; p < answers->size(); ++p) {
    for (std::size_t t = 0; t < (*answers)[p].tokens.size(); ++t) {
      index->emplace_back(p, static_cast<long long>(t));
    }
    index->emplace_back(p, -1);
  }
  const bool with_usage = wants_usage_chunk(body);
  SsePlan plan;
  plan.count = index->size() + (with_usage ? 1 : 0);
  plan.multiline_event = 0;
  plan.payload = [id, model, answers, index, usage_json, with_usage](std::size_t i) {
    OJson chunk{{"id", id}, {"object", "text_completion"}, {"created", kCreated}, {"model", model}};
    if (i == index->size()) {
      chunk["choices"] = OJson::array();
      chunk["usage"] = usage_json;
      return dump(chunk);
    }
    const auto [p, t] = (*index)[i];
    const Answer& a = (*answers)[p];
    OJson choice{{"index", p},
                 {"text", t < 0 ? std::string() : a.tokens[static_cast<std::size_t>(t)]},
                 {"logprobs", nullptr},
                 {"finish_reason", t < 0 ? OJson(a.finish_reason) : OJson(nullptr)}};
    chunk["choices"] = OJson::array({choice});
    if (with_usage) chunk["usage"] = nullptr;
    return dump(chunk);
  };
  start_sse(call, opt, std::move(plan));
}

void infer(Call& call) {
  const OJson body = parse_json_body(call);
  const std::string model = require_string(body, "model");
  const std::string prompt = require_string(body, "prompt");
  // max_tokens / maxTokens, top level or inside "options".
  std::optional<long long> max_tokens = optional_int(body, "max_tokens", 1, 1000000000);
  if (!max_tokens) max_tokens = optional_int(body, "maxTokens", 1, 1000000000);
  if (!max_tokens && body.contains("options") && body["options"].is_object()) {
    const OJson& o = body["options"];
    max_tokens = optional_int(o, "max_tokens", 1, 1000000000, "options.max_tokens");
    if (!max_tokens) max_tokens = optional_int(o, "maxTokens", 1, 1000000000, "options.maxTokens");
  }
  check_model(model);
  const Answer a = make_answer(prompt, 0, max_tokens);
  send_json(call.res, 200,
            OJson{{"id", "infer-emu-" + std::to_string(call.seq)},
                  {"output", a.text},
                  {"model", model},
                  {"finish_reason", a.finish_reason},
                  {"usage", usage(count_words(prompt), a.tokens.size())},
                  {"received", body}});
}

}  // namespace

void register_generation_routes(Emulator& emu) {
  emu.route("POST", "/v1/chat/completions", chat_completions);
  emu.route("POST", "/v1/completions", completions);
  emu.route("POST", "/infer", infer);
}

}  // namespace emu
