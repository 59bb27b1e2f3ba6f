// Configuration: ClientOptions for a whole Client (each field falls back to an environment variable
// or a default) and RequestOptions to override timeout, retries and headers for one call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "babyapi/cancel.hpp"
#include "babyapi/config.hpp"

BABYAPI_NAMESPACE_BEGIN

// Extra request headers by name. Names are matched without regard to case when merged.
using Headers = std::map<std::string, std::string>;

struct BABYAPI_EXPORT ClientOptions {
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
};

// Called during an upload with the bytes sent so far and the total (0 when not yet known).
// Runs on the calling thread; exceptions it throws abort the request and reach the caller.
using ProgressCallback = std::function<void(std::uint64_t sent, std::uint64_t total)>;

// Per-call overrides; every field left unset keeps the Client's setting.
struct BABYAPI_EXPORT RequestOptions {
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

BABYAPI_NAMESPACE_END
