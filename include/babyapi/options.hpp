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
#include <utility>

#include "babyapi/cancel.hpp"
#include "babyapi/config.hpp"
#include "babyapi/header_list.hpp"

BABYAPI_NAMESPACE_BEGIN

/// Extra request headers by name. Names are matched without regard to case when merged.
using Headers = std::map<std::string, std::string>;

class Transport;     // include/babyapi/transport.hpp
struct HttpRequest;  // include/babyapi/transport.hpp

/// How much the SDK says: BABYAPI_LOG=off|warn|info|debug (warn when unset).
enum class LogLevel { kOff = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

/// How one attempt of a call ended, for ClientOptions::on_response.
struct BABYAPI_EXPORT AttemptEnd {
  int attempt = 0;                        ///< 0 for the first attempt, 1 for the first retry, ...
  int status = 0;                         ///< the HTTP status; 0 when no answer came
  const HeaderList* headers = nullptr;    ///< the answer's headers; null when no answer came
  const std::exception* error = nullptr;  ///< what came instead of an answer; null when one came
  std::chrono::microseconds elapsed{0};   ///< from sending to the end of the answer (a stream: its
                                          ///< status and headers)
};

/// The observer of an attempt's start (ClientOptions::on_request): the request as it is sent, and
/// the attempt's number (0 for the first). Observers run once per attempt, inside the retry loop,
/// on the thread making the attempt (the caller's, or the engine's for async calls). They must not
/// block, and what they throw is logged and dropped. The request carries every header,
/// Authorization included: never log it.
using RequestObserver = std::function<void(const HttpRequest& request, int attempt)>;
/// The observer of an attempt's end (ClientOptions::on_response): the request and how the attempt
/// ended. It follows RequestObserver's rules.
using ResponseObserver = std::function<void(const HttpRequest& request, const AttemptEnd& end)>;
/// Receives each log line BABYAPI_LOG lets through (same levels), already escaped and redacted,
/// instead of stderr. May run on any thread, concurrently.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;
/// Gives the API key for each attempt (rotating keys). What it throws fails the call.
using ApiKeyProvider = std::function<std::string()>;

/// Configuration of a whole Client: credentials, endpoint, timeouts, retries, TLS, limits and
/// hooks.
///
/// Every field has a default; api_key, base_url and default_model fall back to environment
/// variables when left empty. The Client's constructor resolves and checks them, and throws
/// BabyAPIError for an option it cannot use: no API key anywhere, a base_url that is not http:// or
/// https://, a negative max_retries or delay, a timeout or limit that is not positive, and so on.
/// Client::options() gives the resolved values. Each field has a chainable `with_` setter, so that
/// nothing depends on the order of an aggregate.
///
/// \code
/// babyapi::Client client(babyapi::ClientOptions{}
///                            .with_base_url("http://127.0.0.1:8080")
///                            .with_default_model("mistral")
///                            .with_timeout(std::chrono::seconds(30))
///                            .with_max_retries(0)
///                            .with_header("x-app", "my-app"));  // api_key from BABYAPI_API_KEY
/// \endcode
struct BABYAPI_EXPORT ClientOptions {
  /// The bearer key. Empty: BABYAPI_API_KEY, else BABY_API_KEY; with neither (and no
  /// api_key_provider), Client's constructor throws BabyAPIError.
  std::string api_key;
  /// Where the API lives, starting with http:// or https://. Empty: BABYAPI_BASE_URL, else
  /// https://api.babyapi.org.
  std::string base_url;
  /// Whole-request deadline for JSON requests, per attempt; for uploads, the longest stall (no byte
  /// moving). Streams ignore it (see RequestOptions::timeout).
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  /// Retries after the first attempt for transient failures (connection errors, 408, 409, 429,
  /// >=500); 0 turns retries off.
  int max_retries = 2;
  /// Backoff starts here and doubles each retry, capped by max_retry_delay, with jitter (up to a
  /// quarter less).
  std::chrono::milliseconds retry_base_delay = std::chrono::milliseconds(250);
  /// The longest backoff between two attempts. A delay the server asks for (Retry-After) is bounded
  /// by max_retry_after instead.
  std::chrono::milliseconds max_retry_delay = std::chrono::seconds(8);
  /// Empty: BABYAPI_DEFAULT_MODEL. Used when a call that needs a model names none (baby.infer).
  std::string default_model;
  /// Sent with every request; per-call RequestOptions::headers win over these.
  Headers default_headers;
  /// Bound on establishing a connection (TCP + TLS), for every request including streams.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  /// CA bundle file for TLS verification (libcurl's CURLOPT_CAINFO). When both it and ca_path are
  /// empty, SSL_CERT_FILE and SSL_CERT_DIR apply, else the system's CAs. Verification itself is
  /// always on. Used by the built-in transport only.
  std::string ca_info;
  /// CA certificate directory for TLS verification (libcurl's CURLOPT_CAPATH); see ca_info.
  std::string ca_path;
  /// Unset: libcurl's proxy environment variables (https_proxy, no_proxy, ...) apply.
  /// An empty string disables proxies; otherwise the proxy URL to use.
  std::optional<std::string> proxy;
  /// The most bytes one answer may take once decoded: a JSON body, an error body, or a single
  /// stream event (default 256 MiB). Past it the call throws ResponseTooLargeError (never retried).
  std::size_t max_response_bytes = std::size_t{256} << 20;
  /// Unset: no bound. Set: the whole call (every attempt and every back-off, or a stream's whole
  /// life) ends with APITimeoutError once this much time has passed.
  std::optional<std::chrono::milliseconds> total_timeout;
  /// A server asking to wait longer than this before a retry is not waited for: its status error
  /// is thrown at once, with retry_after() set.
  std::chrono::milliseconds max_retry_after = std::chrono::seconds(60);
  /// The most connections the async engine (futures, stream_async, create_many) keeps open at once,
  /// open or idle. Transfers past it wait in the engine's queue for a free connection; over HTTP/2
  /// each connection carries many transfers. 1,000 concurrent HTTP/1.1 streams need it at 1,000 or
  /// more (and as many file descriptors: see RLIMIT_NOFILE).
  int max_connections = 256;
  /// Unset: libcurl. Set: every request of this Client goes through it (the test kit's
  /// babyapi::testing::FakeTransport, or a transport of your own); ca_info, ca_path, proxy and
  /// max_connections then do not apply.
  std::shared_ptr<Transport> transport;
  /// Called before every attempt (see RequestObserver); unset: none.
  RequestObserver on_request;
  /// Called after every attempt, with how it ended (see ResponseObserver); unset: none.
  ResponseObserver on_response;
  /// Receives the SDK's log lines instead of stderr (see LogSink); unset: stderr.
  LogSink logger;
  /// Set: called for every attempt instead of using api_key (which may then stay empty).
  ApiKeyProvider api_key_provider;

  /// Sets api_key. Like every `with_` setter it returns this object, so calls chain:
  /// `ClientOptions{}.with_base_url("http://127.0.0.1:8080").with_max_retries(0)`.
  ClientOptions& with_api_key(std::string value) {
    api_key = std::move(value);
    return *this;
  }
  /// Sets base_url.
  ClientOptions& with_base_url(std::string value) {
    base_url = std::move(value);
    return *this;
  }
  /// Sets timeout.
  ClientOptions& with_timeout(std::chrono::milliseconds value) {
    timeout = std::move(value);
    return *this;
  }
  /// Sets max_retries.
  ClientOptions& with_max_retries(int value) {
    max_retries = std::move(value);
    return *this;
  }
  /// Sets retry_base_delay.
  ClientOptions& with_retry_base_delay(std::chrono::milliseconds value) {
    retry_base_delay = std::move(value);
    return *this;
  }
  /// Sets max_retry_delay.
  ClientOptions& with_max_retry_delay(std::chrono::milliseconds value) {
    max_retry_delay = std::move(value);
    return *this;
  }
  /// Sets default_model.
  ClientOptions& with_default_model(std::string value) {
    default_model = std::move(value);
    return *this;
  }
  /// Replaces default_headers as a whole (with_header() adds one).
  ClientOptions& with_default_headers(Headers value) {
    default_headers = std::move(value);
    return *this;
  }
  /// Sets connect_timeout.
  ClientOptions& with_connect_timeout(std::chrono::milliseconds value) {
    connect_timeout = std::move(value);
    return *this;
  }
  /// Sets ca_info.
  ClientOptions& with_ca_info(std::string value) {
    ca_info = std::move(value);
    return *this;
  }
  /// Sets ca_path.
  ClientOptions& with_ca_path(std::string value) {
    ca_path = std::move(value);
    return *this;
  }
  /// Sets proxy: the proxy URL, or "" for no proxy at all.
  ClientOptions& with_proxy(std::string value) {
    proxy = std::move(value);
    return *this;
  }
  /// Sets max_response_bytes.
  ClientOptions& with_max_response_bytes(std::size_t value) {
    max_response_bytes = std::move(value);
    return *this;
  }
  /// Sets total_timeout.
  ClientOptions& with_total_timeout(std::chrono::milliseconds value) {
    total_timeout = std::move(value);
    return *this;
  }
  /// Sets max_retry_after.
  ClientOptions& with_max_retry_after(std::chrono::milliseconds value) {
    max_retry_after = std::move(value);
    return *this;
  }
  /// Sets max_connections.
  ClientOptions& with_max_connections(int value) {
    max_connections = std::move(value);
    return *this;
  }
  /// Sets transport.
  ClientOptions& with_transport(std::shared_ptr<Transport> value) {
    transport = std::move(value);
    return *this;
  }
  /// Sets on_request.
  ClientOptions& with_on_request(RequestObserver value) {
    on_request = std::move(value);
    return *this;
  }
  /// Sets on_response.
  ClientOptions& with_on_response(ResponseObserver value) {
    on_response = std::move(value);
    return *this;
  }
  /// Sets logger.
  ClientOptions& with_logger(LogSink value) {
    logger = std::move(value);
    return *this;
  }
  /// Sets api_key_provider.
  ClientOptions& with_api_key_provider(ApiKeyProvider value) {
    api_key_provider = std::move(value);
    return *this;
  }
  /// Adds (or replaces) one default header.
  ClientOptions& with_header(const std::string& name, std::string value) {
    default_headers[name] = std::move(value);
    return *this;
  }
};

/// Called during an upload with the bytes sent so far and the total (0 when not yet known).
/// Runs on the thread making the transfer (the caller's, or the engine's for asynchronous calls);
/// an exception it throws aborts the request and reaches the caller.
using ProgressCallback = std::function<void(std::uint64_t sent, std::uint64_t total)>;

/// Per-call overrides, the last argument of each call (create_many takes them in
/// BatchOptions::request_options); every field left unset keeps the Client's setting.
///
/// \code
/// babyapi::Response res = client.chat.completions.create(
///     params, babyapi::RequestOptions{}
///                 .with_timeout(std::chrono::seconds(30))
///                 .with_max_retries(0)
///                 .with_header("x-trace", "abc123"));
/// \endcode
struct BABYAPI_EXPORT RequestOptions {
  /// JSON requests: the whole-request deadline. Streams: the longest silence between bytes.
  std::optional<std::chrono::milliseconds> timeout;
  /// Overrides ClientOptions::max_retries for this call (0: a single attempt); must not be
  /// negative.
  std::optional<int> max_retries;
  /// Extra headers of this call; they win over ClientOptions::default_headers of the same name.
  Headers headers;
  /// Reports upload progress: the bytes of the request body sent so far (docling's file uploads);
  /// unset: no reports.
  ProgressCallback on_upload_progress;
  /// Overrides ClientOptions::total_timeout for this call.
  std::optional<std::chrono::milliseconds> total_timeout;
  /// A file path: the body of a successful answer is written there as it arrives, never held in
  /// memory (Response::text() stays empty). For large binary answers such as a docling ZIP.
  std::string download_to;
  /// Keep the exact bytes of a JSON answer for Response::text(). By default a JSON answer is held
  /// once, as its parsed tree, and text() re-serializes it; this doubles memory for large answers.
  bool keep_text = false;
  /// Cancels the call from any thread: token.cancel() ends it with APIUserAbortError and closes its
  /// connection. A blocking call with a token runs on the Client's engine thread while this thread
  /// waits, so that a cancel is seen at once, also mid-back-off.
  std::optional<CancelToken> cancel;

  /// Sets timeout. Like every `with_` setter it returns this object, so calls chain:
  /// `RequestOptions{}.with_timeout(30s).with_header("x-trace", "abc")`.
  RequestOptions& with_timeout(std::chrono::milliseconds value) {
    timeout = std::move(value);
    return *this;
  }
  /// Sets max_retries.
  RequestOptions& with_max_retries(int value) {
    max_retries = std::move(value);
    return *this;
  }
  /// Replaces headers as a whole (with_header() adds one).
  RequestOptions& with_headers(Headers value) {
    headers = std::move(value);
    return *this;
  }
  /// Sets on_upload_progress.
  RequestOptions& with_upload_progress(ProgressCallback value) {
    on_upload_progress = std::move(value);
    return *this;
  }
  /// Sets total_timeout.
  RequestOptions& with_total_timeout(std::chrono::milliseconds value) {
    total_timeout = std::move(value);
    return *this;
  }
  /// Sets download_to.
  RequestOptions& with_download_to(std::string value) {
    download_to = std::move(value);
    return *this;
  }
  /// Sets keep_text.
  RequestOptions& with_keep_text(bool value) {
    keep_text = std::move(value);
    return *this;
  }
  /// Sets cancel: this call carries the token.
  RequestOptions& with_cancel(CancelToken value) {
    cancel = std::move(value);
    return *this;
  }
  /// Adds (or replaces) one header of this call.
  RequestOptions& with_header(const std::string& name, std::string value) {
    headers[name] = std::move(value);
    return *this;
  }
};

BABYAPI_NAMESPACE_END
