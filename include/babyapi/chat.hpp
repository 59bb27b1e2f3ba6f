// client.chat.completions: OpenAI-compatible chat completions (POST /v1/chat/completions).
#pragma once

#include <functional>
#include <vector>

#include "babyapi/agents.hpp"
#include "babyapi/config.hpp"
#include "babyapi/core_fwd.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"
#include "babyapi/stream.hpp"

BABYAPI_NAMESPACE_BEGIN

/// OpenAI-compatible chat completions (POST /v1/chat/completions), as `client.chat.completions`.
///
/// Parameters are sent as given. A call returns the whole answer (create()), streams it
/// (stream(), stream_async()), runs on the engine (create_async()), runs many at once
/// (create_many()) or asks for structured output (parse<T>()). An error status throws its
/// APIStatusError subclass, a failed connection APIConnectionError; every call but a stream
/// retries transient failures first, as ClientOptions::max_retries says.
///
/// \code
/// babyapi::Json params = {
///     {"model", "mistral"},
///     {"messages", {{{"role", "user"}, {"content", "Give me 3 tagline ideas."}}}},
/// };
/// babyapi::Response res = client.chat.completions.create(params);
/// std::cout << res.content() << "\n";
///
/// for (const babyapi::SSEEvent& event : client.chat.completions.stream(params)) {
///   if (event.done()) break;
///   std::cout << event.text() << std::flush;
/// }
/// \endcode
class BABYAPI_EXPORT ChatCompletions {
 public:
  /// Made by the Client, which holds one as `client.chat.completions`; code of its own uses that
  /// member and has no need to call this.
  explicit ChatCompletions(CorePtr core) : core_(std::move(core)) {}
  /// Sends params as given (model, messages, temperature, ...); the answer's
  /// res["choices"][0]["message"]["content"] holds the reply.
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

  /// Structured outputs: asks for an answer that follows `schema` (a JSON Schema object), as
  /// response_format {"type": "json_schema", "json_schema": {"name", "schema", "strict": true}},
  /// and returns the first choice's content as T (through nlohmann's from_json, or Json itself)
  /// with the Response. Throws LengthFinishReasonError (finish_reason "length": the JSON was cut)
  /// or ContentFilterFinishReasonError, and BabyAPIError carrying the content when it is not JSON
  /// or not a valid T. params must not set response_format itself. The schema's "title", when it
  /// is a name of letters, digits, '_' and '-', names it; otherwise "response".
  template <class T>
  Parsed<T> parse(const Json& params, const Json& schema,
                  const RequestOptions& request_options = {}) const {
    Response response = create_structured(params, schema, request_options);
    Json value = StructuredParsing::structured_content(response);
    try {
      return Parsed<T>{value.template get<T>(), std::move(response)};
    } catch (const Json::exception& error) {
      StructuredParsing::throw_invalid_structured(response, error.what());
    }
  }
  /// The call parse<T>() makes: the Response, its finish_reason checked, its content left to you.
  Response create_structured(const Json& params, const Json& schema,
                             const RequestOptions& request_options = {}) const;

 private:
  CorePtr core_;
};

/// `client.chat`: the namespace of chat endpoints, as in the Python SDK
/// (`client.chat.completions`).
class BABYAPI_EXPORT Chat {
 public:
  /// Made by the Client, which holds one as `client.chat`; code of its own uses that member and
  /// has no need to call this.
  explicit Chat(const CorePtr& core) : completions(core) {}
  ChatCompletions completions;  ///< chat completions (POST /v1/chat/completions)
};

BABYAPI_NAMESPACE_END
