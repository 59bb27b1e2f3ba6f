// ClientCore: what every resource calls. It merges ClientOptions with RequestOptions, adds the
// auth, user-agent and retry-count headers, runs the retry policy around non-streaming sends and
// maps HTTP error answers to typed errors.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/core_fwd.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"
#include "babyapi/sse.hpp"
#include "babyapi/stream.hpp"
#include "error_mapper.hpp"
#include "http/transport.hpp"
#include "retry_policy.hpp"
#include "util/log.hpp"

namespace babyapi::detail {

class ClientCore;
// Logs a warning for each of vLLM's removed guided_* keys in params (src/agents.cpp). Throws
// BabyAPIError, like every call, when core was left empty by a move.
void warn_removed_guided_keys(const CorePtr& core, const Json& params);

class Engine;

// One call's retry bookkeeping, shared by the blocking loop and the engine's async calls.
struct CallProgress {
  detail::HttpRequest request;
  detail::RetryPolicy policy;
  bool idempotent = true;
  bool keep_text = false;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point attempt_started;  // real time, for on_response's elapsed
  std::string api_key;  // what ClientOptions::api_key_provider gave for this attempt
  int retries = 0;      // retries made so far
  std::string failure;  // what the last failed attempt gave, for a timeout message
  // Batches: told the status of each attempt (0 without an answer) and, for 429 / 503, the
  // server's Retry-After.
  std::function<void(int status, std::optional<std::chrono::milliseconds> retry_after)> on_attempt;
};

// What to do after one attempt: return the Response, or wait delay and then try again (or, when
// fail_after_delay is set, throw it: the next attempt would pass the call's deadline).
struct AttemptVerdict {
  std::optional<Response> response;
  std::chrono::milliseconds delay{0};
  std::exception_ptr fail_after_delay;
};

// The tag of Response's constructor for a JSON answer kept as text.
struct UnparsedBody {};
inline constexpr UnparsedBody kUnparsedBody{};

class ClientCore : public std::enable_shared_from_this<ClientCore> {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;

  // options must already be resolved (resolve_options). A null sleeper sleeps for real.
  ClientCore(ClientOptions options, std::shared_ptr<Transport> transport, Sleeper sleeper = nullptr,
             detail::RetryPolicy::Clock clock = nullptr,
             detail::RetryPolicy::Random random = nullptr);

  // A JSON call: body (when given) is sent as application/json; retried per the policy. A call that
  // is not idempotent (a docling async submit) is retried only when the server surely did not get
  // it (the connection was refused) or said so with 429 / 503.
  Response request(std::string_view method, std::string_view path, const Json* body,
                   const RequestOptions& request_options, bool idempotent = true);

  // A multipart/form-data POST (file uploads); retried like JSON calls, each attempt sending every
  // part again. Files to be read from disk are checked before anything is sent. The timeout bounds
  // stalls rather than the whole upload.
  Response request_form(std::string_view path, detail::Form form,
                        const RequestOptions& request_options, bool idempotent = true);

  // A streaming call: params with "stream": true, sent once (streams are never retried). Returns
  // once the status and headers are in; an error status throws its typed error.
  Stream stream(std::string_view path, const Json& params, const RequestOptions& request_options);

  // The request of a JSON call (body sent as application/json when given) and of an upload.
  detail::HttpRequest build_json(std::string_view method, std::string_view path, const Json* body,
                                 const RequestOptions& request_options) const;
  detail::HttpRequest build_form(std::string_view path, detail::Form form,
                                 const RequestOptions& request_options) const;
  // The request a stream sends: params with "stream": true, event-stream headers, the deadline.
  detail::HttpRequest build_stream(std::string_view path, const Json& params,
                                   const RequestOptions& request_options) const;
  // The request a call would send, headers merged, with body and timeout left to the caller.
  detail::HttpRequest build(std::string_view method, std::string_view path,
                            const RequestOptions& request_options) const;
  // Sends with retries; returns the answer of a successful status, throws a typed error otherwise.
  Response send(detail::HttpRequest request, const RequestOptions& request_options,
                bool idempotent = true);
  // The Response of a 2xx answer (its body moved out); a malformed JSON body throws, redacted.
  Response make_response(detail::HttpResponse& answer, bool keep_text, bool unparsed = false) const;
  // The answer's status and headers with its body released (for results that parsed it).
  static Response without_body(Response&& response) {
    return Response(kUnparsedBody, response.status_, std::move(response.headers_), {});
  }
  // An unparsed answer (HttpRequest::unparsed_body) as the Response a call gives: its JSON
  // parsed now, as make_response would have (a malformed body throws, redacted).
  Response parse_answer(Response&& unparsed, bool keep_text) const {
    detail::HttpResponse answer;
    answer.status = unparsed.status_;
    answer.headers = std::move(unparsed.headers_);
    answer.body = std::move(unparsed.body_);
    return make_response(answer, keep_text);
  }
  // The body of an unparsed answer, moved out.
  static std::string take_body(Response& response) { return std::move(response.body_); }

  // The retry loop in steps, for both paths: start_call resolves the budget and deadline,
  // begin_attempt stamps the retry count, settle judges what an attempt gave (an answer, or the
  // failure that replaced it) and throws the call's final error when there is no retry.
  CallProgress start_call(detail::HttpRequest request, const RequestOptions& request_options,
                          bool idempotent) const;
  void begin_attempt(CallProgress& call) const;
  AttemptVerdict settle(CallProgress& call, detail::HttpResponse* answer,
                        const std::exception_ptr& failure) const;

  // Async forms (src/async_calls.cpp): the same calls, run on the engine thread.
  Future<Response> request_async(std::string_view method, std::string_view path, const Json* body,
                                 const RequestOptions& request_options, bool idempotent = true);
  Future<Response> request_form_async(std::string_view path, detail::Form form,
                                      const RequestOptions& request_options,
                                      bool idempotent = true);
  Future<Response> send_async(detail::HttpRequest request, const RequestOptions& request_options,
                              bool idempotent = true,
                              decltype(CallProgress::on_attempt) on_attempt = nullptr);
  Future<void> stream_async(std::string_view path, const Json& params,
                            std::function<void(const SSEEvent&)> on_event,
                            const RequestOptions& request_options);
  // POSTs each params to path, at most options.max_in_flight at once; blocks until all are done.
  std::vector<Result<Response>> request_many(std::string_view path, std::vector<Json> params,
                                             const BatchOptions& options, bool unparsed = false);
  // The engine, made and started on first use. Throws BabyAPIError once closed.
  detail::Engine& engine();
  // Throws the error a non-stream answer to a stream request stands for (status or body).
  // call_context: the call's own (a rotated key), else the Client's.
  [[noreturn]] void throw_not_a_stream(int status, const HeaderList& headers,
                                       const std::string& body, const std::string* type,
                                       const detail::ErrorContext* call_context = nullptr) const;
  // Waits delay through the sleeper; with a token the wait ends early, throwing
  // APIUserAbortError, when it is cancelled.
  void sleep(std::chrono::milliseconds delay, const std::optional<CancelToken>& cancel) const;

  // Pauses through the injectable sleeper (docling waits use it too).
  void sleep(std::chrono::milliseconds delay) const { sleeper_(delay); }
  // The time deadlines and polls are measured in: the transport's clock when it is not the
  // built-in one (a fake's virtual time), else the steady clock.
  std::chrono::steady_clock::time_point now() const {
    return custom_transport_ ? transport_->now() : std::chrono::steady_clock::now();
  }
  // One log line through ClientOptions::logger, or on stderr; at a level BABYAPI_LOG lets through.
  void log(detail::LogLevel level, const std::string& message) const noexcept;
  bool logs(detail::LogLevel level) const noexcept;
  // The hooks of ClientOptions, for an attempt that does not go through begin_attempt/settle (a
  // stream). Exceptions they throw are logged and dropped.
  void observe_request(const detail::HttpRequest& request, int attempt) const noexcept;
  void observe_response(const detail::HttpRequest& request, int attempt, int status,
                        const HeaderList* headers, const std::exception_ptr& failure,
                        std::chrono::steady_clock::time_point started) const noexcept;
  // Sets Authorization from ClientOptions::api_key_provider (when set) and returns the key.
  void provide_api_key(detail::HttpRequest& request, std::string* key) const;
  // The error context of a call made with key (a provider's), or the Client's.
  detail::ErrorContext error_context_for(const std::string& key) const;
  // The secrets error messages and logs must not echo.
  const detail::ErrorContext& error_context() const noexcept { return error_context_; }

  const ClientOptions& options() const noexcept { return options_; }
  // A core with overrides as its defaults that shares this one's transport and engine
  // (Client::with_options).
  std::shared_ptr<ClientCore> view(const RequestOptions& overrides);
  // For an async call to hold: a view's own core (which nothing else may keep alive), else null.
  std::shared_ptr<ClientCore> keep_alive_if_view() { return root_ ? shared_from_this() : nullptr; }
  void close();
  // Throws BabyAPIError once close() has been called.
  void check_open() const;

 private:
  ClientOptions options_;
  std::shared_ptr<Transport> transport_;
  // A view's root (Client::with_options): the core whose engine it uses. Null for a root.
  std::shared_ptr<ClientCore> root_;
  bool custom_transport_ = false;  // not the built-in curl one (ClientOptions::transport)
  Sleeper sleeper_;
  detail::RetryPolicy::Clock clock_;
  detail::RetryPolicy::Random random_;
  detail::ErrorContext error_context_;
  HeaderList base_headers_;  // User-Agent, Accept, Authorization and default_headers
  std::atomic<bool> closed_{false};
  bool real_sleeper_ = true;  // sleeper_ is the default one, which a cancel may cut short
  std::mutex engine_mutex_;
  std::unique_ptr<detail::Engine> engine_;
  bool engine_closed_ = false;

 public:
  ~ClientCore();
  // Completes every pending async call with an error and stops the engine thread.
  void shutdown_engine() noexcept;
};

// The error a cancelled call ends with.
std::exception_ptr user_abort_error();

// Serialises a request body; invalid UTF-8 in a string is a BabyAPIError, not a json exception.
std::string dump_json_body(const Json& body);

}  // namespace babyapi::detail
