// The OpenAI-compatible surface and the BabyAPI extras, with toy deterministic models:
// chat/completions echo, hash embeddings, lexical rerank, /infer, /health, /v1/tts.
#include <algorithm>
#include <cstring>
#include <optional>
#include <set>

#include "server.hpp"
#include "streaming.hpp"
#include "textutil.hpp"

namespace emu {
namespace {

const std::vector<std::string>& model_ids() {
  static const std::vector<std::string> ids = {"mistral", "mixtral", "pixtral", "qwen3-embedding",
                                               "qwen3-reranker"};
  return ids;
}

OJson model_json(const std::string& id) {
  return OJson{{"id", id}, {"object", "model"}, {"created", kCreated}, {"owned_by", kName}};
}

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
                                      long long hi, const std::string& shown_name = "") {
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
      if (!part.contains("text") || !part["text"].is_string()) throw wrong_type(pp + ".text", "a string");
      if (!first_text) text += ' ';
      text += part["text"].get<std::string>();
      first_text = false;
    } else if (type == "image_url") {
      const OJson iu = part.value("image_url", OJson());
      std::string url;
      if (iu.is_string()) url = iu.get<std::string>();
      else if (iu.is_object() && iu.contains("url") && iu["url"].is_string()) url = iu["url"].get<std::string>();
      else throw wrong_type(pp + ".image_url", "an object with a string 'url'");
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

bool wants_usage_chunk(const OJson& body) {
  auto it = body.find("stream_options");
  return it != body.end() && it->is_object() && it->value("include_usage", false) == true;
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
  const Answer a = make_answer(echo, opt.tokens, max_tokens);
  const std::string id = "chatcmpl-emu-" + std::to_string(call.seq);

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
  plan.payload = [id, model, tokens, finish, usage_json](std::size_t i) {
    OJson chunk{{"id", id}, {"object", "chat.completion.chunk"}, {"created", kCreated},
                {"model", model}, {"system_fingerprint", kName}};
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
  plan.payload = [id, model, answers, index, usage_json](std::size_t i) {
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
    return dump(chunk);
  };
  start_sse(call, opt, std::move(plan));
}

std::vector<std::string> string_list(const OJson& body, const std::string& name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) throw missing(name);
  std::vector<std::string> out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return out;
  }
  if (!it->is_array() || it->empty()) throw wrong_type(name, "a string or a non-empty array of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) throw wrong_type(name, "a string or a non-empty array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string keep_words(const std::string& text, std::optional<long long> n) {
  if (!n || *n < 0) return text;
  const auto tokens = tokenize(text);
  return join_tokens(tokens, static_cast<std::size_t>(*n));
}

void embeddings(Call& call) {
  const OJson body = parse_json_body(call);
  const std::string model = require_string(body, "model");
  const std::vector<std::string> inputs = string_list(body, "input");
  const int dims = static_cast<int>(optional_int(body, "dimensions", 1, 4096).value_or(16));
  std::string format = "float";
  if (body.contains("encoding_format") && !body["encoding_format"].is_null()) {
    if (!body["encoding_format"].is_string()) throw wrong_type("encoding_format", "a string");
    format = body["encoding_format"].get<std::string>();
    if (format != "float" && format != "base64") {
      throw bad_request("Invalid value for 'encoding_format': expected 'float' or 'base64'.",
                        "encoding_format");
    }
  }
  const auto truncate = optional_int(body, "truncate_prompt_tokens", -1, 1000000000);
  if (truncate && *truncate == 0) {
    throw bad_request("Invalid value for 'truncate_prompt_tokens': expected -1 or >= 1.",
                      "truncate_prompt_tokens");
  }
  OJson data = OJson::array();
  std::size_t tokens = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string text = keep_words(inputs[i], truncate);
    tokens += count_words(text);
    const std::vector<float> v = hash_embedding(text, dims);
    OJson emb;
    if (format == "float") {
      emb = OJson::array();
      for (float f : v) emb.push_back(static_cast<double>(f));
    } else {
      std::string bytes(v.size() * 4, '\0');
      for (std::size_t k = 0; k < v.size(); ++k) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v[k], 4);
        for (int b = 0; b < 4; ++b) bytes[k * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xFF);
      }
      emb = base64_encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    }
    data.push_back(OJson{{"object", "embedding"}, {"index", i}, {"embedding", std::move(emb)}});
  }
  send_json(call.res, 200,
            OJson{{"object", "list"},
                  {"data", std::move(data)},
                  {"model", model},
                  {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
}

void rerank(Call& call) {
  const OJson body = parse_json_body(call);
  const std::string model = require_string(body, "model");
  const std::string query = require_string(body, "query");
  auto dit = body.find("documents");
  if (dit == body.end() || dit->is_null()) throw missing("documents");
  if (!dit->is_array()) throw wrong_type("documents", "an array of strings");
  std::vector<std::string> docs;
  for (const auto& d : *dit) {
    if (d.is_string()) docs.push_back(d.get<std::string>());
    else if (d.is_object() && d.contains("text") && d["text"].is_string()) docs.push_back(d["text"].get<std::string>());
    else throw wrong_type("documents", "an array of strings");
  }
  const auto top_n = optional_int(body, "top_n", 0, 1000000000);
  const bool return_documents = optional_bool(body, "return_documents", false);
  const auto truncate = optional_int(body, "truncate_prompt_tokens", -1, 1000000000);

  const auto qwords = lexical_words(query);
  const std::set<std::string> qset(qwords.begin(), qwords.end());
  std::vector<std::pair<std::size_t, double>> scored;
  std::size_t total_tokens = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const std::string doc = keep_words(docs[i], truncate && *truncate > 0 ? truncate : std::nullopt);
    total_tokens += count_words(doc);
    const auto dwords = lexical_words(doc);
    const std::set<std::string> dset(dwords.begin(), dwords.end());
    std::size_t common = 0;
    for (const auto& w : qset) common += dset.count(w);
    scored.emplace_back(i, qset.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(qset.size()));
  }
  total_tokens += count_words(query);
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (top_n && *top_n > 0 && static_cast<std::size_t>(*top_n) < scored.size()) {
    scored.resize(static_cast<std::size_t>(*top_n));
  }
  OJson results = OJson::array();
  for (const auto& [i, score] : scored) {
    OJson r{{"index", i}, {"relevance_score", score}};
    if (return_documents) r["document"] = OJson{{"text", docs[i]}};
    results.push_back(std::move(r));
  }
  send_json(call.res, 200,
            OJson{{"id", "rerank-emu-" + std::to_string(call.seq)},
                  {"model", model},
                  {"results", std::move(results)},
                  {"usage", {{"total_tokens", total_tokens}}}});
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
  const Answer a = make_answer(prompt, 0, max_tokens);
  send_json(call.res, 200,
            OJson{{"id", "infer-emu-" + std::to_string(call.seq)},
                  {"output", a.text},
                  {"model", model},
                  {"finish_reason", a.finish_reason},
                  {"usage", usage(count_words(prompt), a.tokens.size())},
                  {"received", body}});
}

// 8-bit mono 8 kHz PCM WAV. Data: 00 FF 0D 0A, the UTF-8 bytes of the input,
// then the 256 byte values 00..FF in order.
void tts(Call& call) {
  const OJson body = parse_json_body(call);
  const std::string input = require_string(body, "input");
  std::string pcm("\x00\xFF\r\n", 4);
  pcm += input;
  for (int b = 0; b < 256; ++b) pcm.push_back(static_cast<char>(b));
  std::string wav;
  auto u32 = [&wav](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) wav.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  auto u16 = [&wav](std::uint16_t v) {
    wav.push_back(static_cast<char>(v & 0xFF));
    wav.push_back(static_cast<char>(v >> 8));
  };
  const auto data_size = static_cast<std::uint32_t>(pcm.size());
  wav += "RIFF";
  u32(36 + data_size);
  wav += "WAVEfmt ";
  u32(16);     // fmt chunk size
  u16(1);      // PCM
  u16(1);      // mono
  u32(8000);   // sample rate
  u32(8000);   // byte rate
  u16(1);      // block align
  u16(8);      // bits per sample
  wav += "data";
  u32(data_size);
  wav += pcm;
  call.res.status = 200;
  call.res.set_content(wav, "audio/wav");
}

}  // namespace

void register_openai_routes(Emulator& emu) {
  emu.route("POST", "/v1/chat/completions", chat_completions);
  emu.route("POST", "/v1/completions", completions);
  emu.route("GET", "/v1/models", [](Call& call) {
    OJson data = OJson::array();
    for (const auto& id : model_ids()) data.push_back(model_json(id));
    send_json(call.res, 200, OJson{{"object", "list"}, {"data", std::move(data)}});
  });
  // httplib has already percent-decoded the path, so "a%2Fb" arrives as "a/b".
  emu.route("GET", "/v1/models/(.+)", [](Call& call) {
    const std::string id = call.req.matches[1];
    const auto& ids = model_ids();
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      send_openai_error(call.res, 404, "The model '" + id + "' does not exist.",
                        "invalid_request_error", "model", "model_not_found");
      return;
    }
    send_json(call.res, 200, model_json(id));
  });
  emu.route("POST", "/v1/embeddings", embeddings);
  for (const char* path : {"/v1/rerank", "/rerank", "/v2/rerank"}) emu.route("POST", path, rerank);
  emu.route("POST", "/infer", infer);
  emu.route("GET", "/health", [](Call& call) { send_json(call.res, 200, OJson{{"status", "ok"}}); });
  emu.route("POST", "/v1/tts", tts);
}

}  // namespace emu
