// client.completions: OpenAI-compatible text completions (POST /v1/completions).
#pragma once

#include <functional>
#include <vector>

#include "babyapi/config.hpp"
#include "babyapi/core_fwd.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"
#include "babyapi/stream.hpp"

BABYAPI_NAMESPACE_BEGIN

/// OpenAI-compatible text completions (POST /v1/completions), as `client.completions`: a prompt
/// in, its continuation out. The calls mirror ChatCompletions' (create, stream, create_async,
/// create_many, stream_async) and throw the same errors.
///
/// \code
/// babyapi::Response res = client.completions.create({
///     {"model", "mistral"},
///     {"prompt", "Write a friendly release note opener for BabyAPI."},
///     {"max_tokens", 120},
/// });
/// std::cout << res["choices"][0]["text"].get<std::string>() << "\n";
/// \endcode
class BABYAPI_EXPORT Completions {
 public:
  /// Made by the Client, which holds one as `client.completions`; code of its own uses that member
  /// and has no need to call this.
  explicit Completions(CorePtr core) : core_(std::move(core)) {}
  /// Sends params as given (model, prompt, max_tokens, ...); res["choices"][0]["text"] holds the
  /// text.
  /// \throws BabyAPIError before sending when params sets "stream": true (call stream() instead)
  Response create(const Json& params, const RequestOptions& request_options = {}) const;
  /// The same call as server-sent events ("stream": true is set for you), read lazily by iterating
  /// the Stream. Never retried; RequestOptions::timeout bounds silence between bytes (none by
  /// default).
  Stream stream(const Json& params, const RequestOptions& request_options = {}) const;
  /// The same call on the Client's engine thread: returns at once; get() gives the Response or
  /// rethrows its typed error. Retries and limits are those of create().
  Future<Response> create_async(const Json& params,
                                const RequestOptions& request_options = {}) const;
  /// One call per params, at most options.max_in_flight at once, on the engine; blocks until all
  /// are done and returns their results in input order. One failed item never stops the batch.
  std::vector<Result<Response>> create_many(std::vector<Json> params,
                                            const BatchOptions& options = {}) const;
  /// The stream on the engine thread: on_event runs there for each event, in order (the final
  /// [DONE] included), and must not block. The Future completes at the end of the stream, or with
  /// the typed error (one thrown by on_event included); cancel() closes the connection at once.
  Future<void> stream_async(const Json& params, std::function<void(const SSEEvent&)> on_event,
                            const RequestOptions& request_options = {}) const;

 private:
  CorePtr core_;
};

BABYAPI_NAMESPACE_END
