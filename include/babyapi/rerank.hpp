// client.rerank: relevance ranking of documents against a query (POST /v1/rerank).
#pragma once

#include <vector>

#include "babyapi/config.hpp"
#include "babyapi/core_fwd.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"

BABYAPI_NAMESPACE_BEGIN

/// Relevance ranking of documents against a query (POST /v1/rerank), as `client.rerank`.
///
/// \code
/// babyapi::Response res = client.rerank.create({
///     {"model", "qwen3-reranker"},
///     {"query", "What is BabyAPI?"},
///     {"documents", {"BabyAPI is a tiny hosted LLM API.", "The weather is nice today."}},
/// });
/// for (const babyapi::Json& result : res["results"]) {
///   std::cout << result["index"] << ": " << result["relevance_score"] << "\n";
/// }
/// \endcode
class BABYAPI_EXPORT Rerank {
 public:
  /// Made by the Client, which holds one as `client.rerank`; code of its own uses that member and
  /// has no need to call this.
  explicit Rerank(CorePtr core) : core_(std::move(core)) {}
  /// params: model, query, documents, and optionally top_n, return_documents,
  /// truncate_prompt_tokens. res["results"] comes back as the server sorts it (most relevant
  /// first).
  Response create(const Json& params, const RequestOptions& request_options = {}) const;
  /// The same call on the Client's engine thread: returns at once; get() gives the Response or
  /// rethrows its typed error. Retries and limits are those of create().
  Future<Response> create_async(const Json& params,
                                const RequestOptions& request_options = {}) const;
  /// One call per params, at most options.max_in_flight at once, on the engine; blocks until all
  /// are done and returns their results in input order. One failed item never stops the batch.
  std::vector<Result<Response>> create_many(std::vector<Json> params,
                                            const BatchOptions& options = {}) const;

 private:
  CorePtr core_;
};

BABYAPI_NAMESPACE_END
