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

/// The entry point: one configuration, a pool of keep-alive connections, and the API as member
/// resources named like the Python SDK's (`client.chat.completions`, `client.embeddings`, ...).
///
/// A Client is movable, not copyable, and safe to share between threads; sequential calls reuse
/// a connection. The `*_async` calls, stream_async and create_many batches run on the Client's
/// one engine thread, started on first use. Destruction (or close()) releases the connections and
/// ends that asynchronous work.
///
/// \code
/// babyapi::Client client;  // BABYAPI_API_KEY, BABYAPI_BASE_URL, BABYAPI_DEFAULT_MODEL
/// babyapi::Response res = client.chat.completions.create({
///     {"model", "mistral"},
///     {"messages", {{{"role", "user"}, {"content", "Say hello to BabyAPI."}}}},
/// });
/// std::cout << res.content() << "\n";
/// for (const babyapi::Json& model : client.models.list()["data"]) {
///   std::cout << model["id"] << "\n";
/// }
/// \endcode
class BABYAPI_EXPORT Client {
 public:
  /// Everything from the environment (BABYAPI_API_KEY, BABYAPI_BASE_URL, BABYAPI_DEFAULT_MODEL);
  /// the same as `Client(ClientOptions{})`.
  /// \throws BabyAPIError when no API key can be found or an environment value is invalid
  Client();
  /// A Client with these options, empty fields filled in from the environment and defaults.
  /// \throws BabyAPIError when no API key can be found or an option is invalid
  explicit Client(ClientOptions options);
  /// Ends the Client's asynchronous work as close() does: pending async calls, streams and
  /// batches complete with BabyAPIError. Must not run inside a then() or on_event callback.
  ~Client();
  /// Takes over the other Client's configuration, connections, engine and resources. The calls of
  /// the moved-from Client and of its resources then throw BabyAPIError (its close() does
  /// nothing); it may be assigned to or destroyed.
  Client(Client&&) noexcept;
  /// Takes over the other Client's configuration, connections, engine and resources, as the move
  /// constructor does.
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// "Do the right thing" with an OpenAI-style payload: with "messages" it is a chat completion,
  /// with "prompt" a completion. Both or neither is a BabyAPIError before anything is sent.
  /// \throws BabyAPIError when params has both "messages" and "prompt", or neither, and what
  ///         create() throws
  Response infer(const Json& params, const RequestOptions& request_options = {});

  /// A raw GET, for endpoints the SDK does not wrap, with the same auth, retries and errors. path
  /// is relative to base_url ("/health"); a non-JSON answer keeps its exact bytes in
  /// Response::text().
  /// \throws BabyAPIError before sending when path is an absolute URL (the API key never travels
  ///         to another host); otherwise what any call throws (an APIStatusError subclass for an
  ///         error status, APIConnectionError, ...)
  Response get(std::string_view path, const RequestOptions& request_options = {});
  /// A raw POST of body as JSON, like get() (same path rules, auth, retries and errors).
  Response post(std::string_view path, const Json& body,
                const RequestOptions& request_options = {});

  /// infer() on this Client's engine: one event-loop thread, started on first use, runs every
  /// asynchronous call, stream and batch of the Client. Returns at once; get() gives the Response
  /// or rethrows its typed error. See Future.
  /// \throws BabyAPIError at once, before any Future is made, when params has both "messages" and
  ///         "prompt", or neither
  Future<Response> infer_async(const Json& params, const RequestOptions& request_options = {});
  /// get() on this Client's engine (see infer_async()).
  Future<Response> get_async(std::string_view path, const RequestOptions& request_options = {});
  /// post() on this Client's engine (see infer_async()).
  Future<Response> post_async(std::string_view path, const Json& body,
                              const RequestOptions& request_options = {});

  /// A Client with other defaults for every call (timeout, max_retries, headers, total_timeout),
  /// as openai-python's with_options: it shares this Client's connection pool and engine, so it is
  /// cheap to make per request group. Per-call RequestOptions still win over it. Closing or
  /// destroying this Client ends the async work of its views too; closing a view closes only the
  /// view. Other RequestOptions fields (cancel, download_to, ...) are per call: they are refused.
  /// \throws BabyAPIError when overrides sets on_upload_progress, download_to, keep_text or cancel
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
  Chat chat;                ///< `chat.completions`: chat completions (POST /v1/chat/completions)
  Completions completions;  ///< text completions (POST /v1/completions)
  Embeddings embeddings;    ///< embeddings (POST /v1/embeddings)
  Rerank rerank;            ///< relevance ranking of documents (POST /v1/rerank)
  Baby baby;                ///< BabyAPI's text-in, text-out endpoint (POST /infer)
  Models models;            ///< the models served (GET /v1/models)
  Docling docling;          ///< document conversion and chunking (the Docling proxy)
};

BABYAPI_NAMESPACE_END
