// client.completions: OpenAI-compatible text completions (POST /v1/completions).
#pragma once

#include "babyapi/core_fwd.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"
#include "babyapi/stream.hpp"

namespace babyapi {

class Completions {
 public:
  explicit Completions(CorePtr core) : core_(std::move(core)) {}
  // Sends params as given (model, prompt, max_tokens, ...); res["choices"][0]["text"] holds the
  // text.
  Response create(const Json& params, const RequestOptions& request_options = {}) const;
  // The same call as server-sent events ("stream": true is set for you), read lazily by iterating
  // the Stream. Never retried; RequestOptions::timeout bounds silence between bytes (none by
  // default).
  Stream stream(const Json& params, const RequestOptions& request_options = {}) const;

 private:
  CorePtr core_;
};

}  // namespace babyapi
