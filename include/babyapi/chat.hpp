// client.chat.completions: OpenAI-compatible chat completions (POST /v1/chat/completions).
#pragma once

#include "babyapi/core_fwd.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"
#include "babyapi/stream.hpp"

namespace babyapi {

class ChatCompletions {
 public:
  explicit ChatCompletions(CorePtr core) : core_(std::move(core)) {}
  // Sends params as given (model, messages, temperature, ...); the answer's
  // res["choices"][0]["message"]["content"] holds the reply.
  Response create(const Json& params, const RequestOptions& request_options = {}) const;
  // The same call as server-sent events ("stream": true is set for you), read lazily by iterating
  // the Stream. Never retried; RequestOptions::timeout bounds silence between bytes (none by
  // default).
  Stream stream(const Json& params, const RequestOptions& request_options = {}) const;

 private:
  CorePtr core_;
};

class Chat {
 public:
  explicit Chat(const CorePtr& core) : completions(core) {}
  ChatCompletions completions;
};

}  // namespace babyapi
