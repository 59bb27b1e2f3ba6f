// The other toy models: /v1/models, hash embeddings, lexical rerank, /health and a
// binary /v1/tts answer.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <set>

#include "server.hpp"
#include "textutil.hpp"
#include "validate.hpp"

namespace emu {
namespace {

OJson model_json(const std::string& id) {
  return OJson{{"id", id}, {"object", "model"}, {"created", kCreated}, {"owned_by", kName}};
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
  check_model(model);
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
    if (d.is_string())
      docs.push_back(d.get<std::string>());
    else if (d.is_object() && d.contains("text") && d["text"].is_string())
      docs.push_back(d["text"].get<std::string>());
    else
      throw wrong_type("documents", "an array of strings");
  }
  const auto top_n = optional_int(body, "top_n", 0, 1000000000);
  const bool return_documents = optional_bool(body, "return_documents", false);
  const auto truncate = optional_int(body, "truncate_prompt_tokens", -1, 1000000000);
  check_model(model);

  const auto qwords = lexical_words(query);
  const std::set<std::string> qset(qwords.begin(), qwords.end());
  std::vector<std::pair<std::size_t, double>> scored;
  std::size_t total_tokens = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const std::string doc =
        keep_words(docs[i], truncate && *truncate > 0 ? truncate : std::nullopt);
    total_tokens += count_words(doc);
    const auto dwords = lexical_words(doc);
    const std::set<std::string> dset(dwords.begin(), dwords.end());
    std::size_t common = 0;
    for (const auto& w : qset) common += dset.count(w);
    scored.emplace_back(
        i, qset.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(qset.size()));
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
  u32(16);    // fmt chunk size
  u16(1);     // PCM
  u16(1);     // mono
  u32(8000);  // sample rate
  u32(8000);  // byte rate
  u16(1);     // block align
  u16(8);     // bits per sample
  wav += "data";
  u32(data_size);
  wav += pcm;
  call.res.status = 200;
  call.res.set_content(wav, "audio/wav");
}

}  // namespace

void register_model_routes(Emulator& emu) {
  emu.route("GET", "/v1/models", [](Call& call) {
    OJson data = OJson::array();
    for (const auto& id : model_ids()) data.push_back(model_json(id));
    send_json(call.res, 200, OJson{{"object", "list"}, {"data", std::move(data)}});
  });
  // httplib has already percent-decoded the path, so "a%2Fb" arrives as "a/b".
  emu.route("GET", "/v1/models/(.+)", [](Call& call) {
    const std::string id = call.req.matches[1];
    if (!is_known_model(id)) {
      send_openai_error(call.res, 404, "The model '" + id + "' does not exist.",
                        "invalid_request_error", "model", "model_not_found");
      return;
    }
    send_json(call.res, 200, model_json(id));
  });
  emu.route("POST", "/v1/embeddings", embeddings);
  for (const char* path : {"/v1/rerank", "/rerank", "/v2/rerank"}) emu.route("POST", path, rerank);
  emu.route("GET", "/health", [](Call& call) {
    send_json(call.res, 200, OJson{{"status", "ok"}});
  });
  emu.route("POST", "/v1/tts", tts);
}

}  // namespace emu
