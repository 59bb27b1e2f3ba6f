// Client: the entry point. Holds the configuration and a pool of keep-alive connections, and
// exposes the API as member resources named like the Python SDK's (client.chat.completions, ...).
#pragma once

#include <string_view>

#include "babyapi/baby.hpp"
#include "babyapi/chat.hpp"
#include "babyapi/completions.hpp"
#include "babyapi/config.hpp"
#include "babyapi/core_fwd.hpp"
#include "babyapi/docling.hpp"
#include "babyapi/embeddings.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/models.hpp"
#include "babyapi/options.hpp"
#include "babyapi/rerank.hpp"
#include "babyapi/response.hpp"

BABYAPI_NAMESPACE_BEGIN

class BABYAPI_EXPORT Client {
 public:
  /// Everything from the environment (BABYAPI_API_KEY, BABYAPI_BASE_URL, BABYAPI_DEFAULT_MODEL).
  Client();
  /// Throws BabyAPIError when no API key can be found or an option is invalid.
  explicit Client(ClientOptions options);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// "Do the right thing" with an OpenAI-style payload: with "messages" it is a chat completion,
  /// with "prompt" a completion. Both or neither is a BabyAPIError before anything is sent.
  Response infer(const Json& params, const RequestOptions& request_options = {});

  /// Raw calls for endpoints the SDK does not wrap, with the same auth, retries and errors. path is
  /// relative to base_url ("/health"); a non-JSON answer keeps its exact bytes in Response::text().
  Response get(std::string_view path, const RequestOptions& request_options = {});
  Response post(std::string_view path, const Json& body,
                const RequestOptions& request_options = {});

  /// The same calls on this Client's engine: one event-loop thread, started on first use, runs
  /// every asynchronous call, stream and batch of the Client. See Future.
  Future<Response> infer_async(const Json& params, const RequestOptions& request_options = {});
  Future<Response> get_async(std::string_view path, const RequestOptions& request_options = {});
  Future<Response> post_async(std::string_view path, const Json& body,
                              const RequestOptions& request_options = {});

  /// A Client with other defaults for every call (timeout, max_retries, headers, total_timeout),
  /// as openai-python's with_options: it shares this Client's connection pool and engine, so it is
  /// cheap to make per request group. Per-call RequestOptions still win over it. Closing or
  /// destroying this Client ends the async work of its views too; closing a view closes only the
  /// view. Other RequestOptions fields (cancel, download_to, ...) are per call: they are refused.
  Client with_options(const RequestOptions& overrides) const;

  /// The options in force, with environment fallbacks and defaults filled in.
  const ClientOptions& options() const;
  /// Releases pooled connections and stops the engine: pending async calls, streams and batches
  /// complete with BabyAPIError (never a hang). Later calls on this client throw BabyAPIError.
  /// Destroying the Client does the same for its async work. Neither may run inside a then() or
  /// on_event callback.
  void close();

 private:
  explicit Client(CorePtr core);

  CorePtr core_;  ///< declared first: the resources below are built from it

 public:
  Chat chat;
  Completions completions;
  Embeddings embeddings;
  Rerank rerank;
  Baby baby;
  Models models;
  Docling docling;
};

BABYAPI_NAMESPACE_END
