// Configuration: ClientOptions for a whole Client (each field falls back to an environment variable
// or a default) and RequestOptions to override timeout, retries and headers for one call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "babyapi/cancel.hpp"
#include "babyapi/header_list.hpp"

namespace babyapi {

// Extra request headers by name. Names are matched without regard to case when merged.
using Headers = std::map<std::string, std::string>;

class Transport;     // include/babyapi/transport.hpp
struct HttpRequest;  // include/babyapi/transport.hpp

// How much the SDK says: BABYAPI_LOG=off|warn|info|debug (warn when unset).
enum class LogLevel { kOff = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

// How one attempt of a call ended, for ClientOptions::on_response.
struct AttemptEnd {
  int attempt = 0;                        // 0 for the first attempt, 1 for the first retry, ...
  int status = 0;                         // the HTTP status; 0 when no answer came
  const HeaderList* headers = nullptr;    // the answer's headers; null when no answer came
  const std::exception* error = nullptr;  // what came instead of an answer; null when one came
  std::chrono::microseconds elapsed{0};   // from sending to the end of the answer (a stream: its
                                          // status and headers)
};

// Observers: run once per attempt, inside the retry loop, on the thread making the attempt (the
// caller's, or the engine's for async calls). They must not block, and what they throw is
// logged and dropped. The request carries every header, Authorization included: never log it.
using RequestObserver = std::function<void(const HttpRequest& request, int attempt)>;
using ResponseObserver = std::function<void(const HttpRequest& request, const AttemptEnd& end)>;
// Receives each log line BABYAPI_LOG lets through (same levels), already escaped and redacted,
// instead of stderr. May run on any thread, concurrently.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;
// Gives the API key for each attempt (rotating keys). What it throws fails the call.
using ApiKeyProvider = std::function<std::string()>;

struct ClientOptions {
  // Empty: BABYAPI_API_KEY, else BABY_API_KEY; with neither, Client's constructor throws.
  std::string api_key;
  // Empty: BABYAPI_BASE_URL, else https://api.babyapi.org.
  std::string base_url;
  // Whole-request deadline for JSON requests (per attempt). Streams ignore it (see RequestOptions).
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  // Retries after the first attempt for transient failures (connection errors, 408, 409, 429,
  // >=500).
  int max_retries = 2;
  // Backoff starts here and doubles each retry, capped by max_retry_delay, with jitter.
  std::chrono::milliseconds retry_base_delay = std::chrono::milliseconds(250);
  std::chrono::milliseconds max_retry_delay = std::chrono::seconds(8);
  // Empty: BABYAPI_DEFAULT_MODEL. Used when a call that needs a model names none (baby.infer).
  std::string default_model;
  // Sent with every request; per-call RequestOptions::headers win over these.
  Headers default_headers;
  // Bound on establishing a connection (TCP + TLS), for every request including streams.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // CA bundle file / directory for TLS verification; empty uses the system's. Verification itself
  // is always on.
  std::string ca_info;
  std::string ca_path;
  // Unset: libcurl's proxy environment variables (https_proxy, no_proxy, ...) apply.
  // An empty string disables proxies; otherwise the proxy URL to use.
  std::optional<std::string> proxy;
  // The most bytes one answer may take once decoded: a JSON body, an error body, or a single
  // stream event. Past it the call throws ResponseTooLargeError (never retried).
  std::size_t max_response_bytes = std::size_t{256} << 20;
  // Unset: no bound. Set: the whole call (every attempt and every back-off, or a stream's whole
  // life) ends with APITimeoutError once this much time has passed.
  std::optional<std::chrono::milliseconds> total_timeout;
  // A server asking to wait longer than this before a retry is not waited for: its status error
  // is thrown at once, with retry_after() set.
  std::chrono::milliseconds max_retry_after = std::chrono::seconds(60);
  // The most connections the async engine (futures, stream_async, create_many) keeps open at once,
  // open or idle. Transfers past it wait in the engine's queue for a free connection; over HTTP/2
  // each connection carries many transfers. 1,000 concurrent HTTP/1.1 streams need it at 1,000 or
  // more (and as many file descriptors: see RLIMIT_NOFILE).
  int max_connections = 256;
  // Unset: libcurl. Set: every request of this Client goes through it (the test kit's
  // babyapi::testing::FakeTransport, or a transport of your own).
  std::shared_ptr<Transport> transport;
  // Hooks (see RequestObserver, ResponseObserver, LogSink, ApiKeyProvider above).
  RequestObserver on_request;
  ResponseObserver on_response;
  LogSink logger;
  // Set: called for every attempt instead of using api_key (which may then stay empty).
  ApiKeyProvider api_key_provider;
};

// Called during an upload with the bytes sent so far and the total (0 when not yet known).
// Runs on the calling thread; exceptions it throws abort the request and reach the caller.
using ProgressCallback = std::function<void(std::uint64_t sent, std::uint64_t total)>;

// Per-call overrides; every field left unset keeps the Client's setting.
struct RequestOptions {
  // JSON requests: the whole-request deadline. Streams: the longest silence between bytes.
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<int> max_retries;
  Headers headers;
  ProgressCallback on_upload_progress;
  // Overrides ClientOptions::total_timeout for this call.
  std::optional<std::chrono::milliseconds> total_timeout;
  // A file path: the body of a successful answer is written there as it arrives, never held in
  // memory (Response::text() stays empty). For large binary answers such as a docling ZIP.
  std::string download_to;
  // Keep the exact bytes of a JSON answer for Response::text(). By default a JSON answer is held
  // once, as its parsed tree, and text() re-serializes it; this doubles memory for large answers.
  bool keep_text = false;
  // Cancels the call from any thread: token.cancel() ends it with APIUserAbortError and closes its
  // connection. A blocking call with a token runs on the Client's engine thread while this thread
  // waits, so that a cancel is seen at once, also mid-back-off.
  std::optional<CancelToken> cancel;
};

}  // namespace babyapi
