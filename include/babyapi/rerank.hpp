// client.rerank: relevance ranking of documents against a query (POST /v1/rerank).
#pragma once

#include "babyapi/core_fwd.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"

namespace babyapi {

class Rerank {
 public:
  explicit Rerank(CorePtr core) : core_(std::move(core)) {}
  // params: model, query, documents, and optionally top_n, return_documents,
  // truncate_prompt_tokens. res["results"] comes back as the server sorts it (most relevant first).
  Response create(const Json& params, const RequestOptions& request_options = {}) const;

 private:
  CorePtr core_;
};

}  // namespace babyapi
