// client.embeddings: OpenAI-compatible embeddings (POST /v1/embeddings), and decode_embedding to
// read a vector back whichever encoding_format was asked for.
#pragma once

#include <vector>

#include "babyapi/core_fwd.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"

namespace babyapi {

class Embeddings {
 public:
  explicit Embeddings(CorePtr core) : core_(std::move(core)) {}
  // params: model, input (a string or a list of strings), and optionally encoding_format
  // ("float" or "base64"), dimensions, truncate_prompt_tokens. Sent as given.
  Response create(const Json& params, const RequestOptions& request_options = {}) const;
  // The same call on the Client's engine thread: returns at once; get() gives the Response or
  // rethrows its typed error. Retries and limits are those of create().
  Future<Response> create_async(const Json& params,
                                const RequestOptions& request_options = {}) const;
  // One call per params, at most options.max_in_flight at once, on the engine; blocks until all
  // are done and returns their results in input order. One failed item never stops the batch.
  std::vector<Result<Response>> create_many(std::vector<Json> params,
                                            const BatchOptions& options = {}) const;

 private:
  CorePtr core_;
};

// The vector of one item of res["data"] (or of its "embedding" value itself): a JSON array of
// numbers, or base64 of little-endian float32 values. Anything else throws BabyAPIError.
std::vector<float> decode_embedding(const Json& item);

}  // namespace babyapi
