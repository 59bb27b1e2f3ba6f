// ClientCore: what every resource calls. It merges ClientOptions with RequestOptions, adds the
// auth, user-agent and retry-count headers, runs the retry policy around non-streaming sends and
// maps HTTP error answers to typed errors.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"
#include "babyapi/stream.hpp"
#include "error_mapper.hpp"
#include "http/transport.hpp"
#include "retry_policy.hpp"

namespace babyapi {

class ClientCore : public std::enable_shared_from_this<ClientCore> {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;

  // options must already be resolved (resolve_options). A null sleeper sleeps for real.
  ClientCore(ClientOptions options, std::unique_ptr<detail::Transport> transport,
             Sleeper sleeper = nullptr, detail::RetryPolicy::Clock clock = nullptr,
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

  // The request a call would send, headers merged, with body and timeout left to the caller.
  detail::HttpRequest build(std::string_view method, std::string_view path,
                            const RequestOptions& request_options) const;
  // Sends with retries; returns the answer of a successful status, throws a typed error otherwise.
  Response send(detail::HttpRequest request, const RequestOptions& request_options,
                bool idempotent = true);
  // The Response of a 2xx answer (its body moved out); a malformed JSON body throws, redacted.
  Response make_response(detail::HttpResponse& answer, bool keep_text) const;

  // Pauses through the injectable sleeper (docling waits use it too).
  void sleep(std::chrono::milliseconds delay) const { sleeper_(delay); }
  // The secrets error messages and logs must not echo.
  const detail::ErrorContext& error_context() const noexcept { return error_context_; }

  const ClientOptions& options() const noexcept { return options_; }
  void close();
  // Throws BabyAPIError once close() has been called.
  void check_open() const;

 private:
  ClientOptions options_;
  std::unique_ptr<detail::Transport> transport_;
  Sleeper sleeper_;
  detail::RetryPolicy::Clock clock_;
  detail::RetryPolicy::Random random_;
  detail::ErrorContext error_context_;
  std::atomic<bool> closed_{false};
};

// Serialises a request body; invalid UTF-8 in a string is a BabyAPIError, not a json exception.
std::string dump_json_body(const Json& body);

}  // namespace babyapi
