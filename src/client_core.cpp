#include "client_core.hpp"

#include <thread>

#include "babyapi/errors.hpp"
#include "babyapi/version.hpp"
#include "error_mapper.hpp"
#include "http/engine.hpp"
#include "stream_state.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace babyapi::detail {
namespace {

using babyapi::HeaderList;
using std::chrono::milliseconds;

constexpr const char* kRetryCountHeader = "x-babyapi-retry-count";

void check_header(const std::string& name, const std::string& value) {
  const bool bad_name = name.empty() || name.find_first_of(":\r\n \t") != std::string::npos;
  if (bad_name || value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    throw BabyAPIError("Invalid header \"" + name +
                       "\": names must be non-empty tokens and values "
                       "must not contain line breaks or NUL bytes");
  }
}

// Adds or replaces a header, comparing names without regard to case.
void set_header(HeaderList& headers, const std::string& name, const std::string& value) {
  check_header(name, value);
  for (auto& [key, existing] : headers) {
    if (detail::iequals(key, name)) {
      existing = value;
      return;
    }
  }
  headers.emplace_back(name, value);
}

// Bytes a URL path cannot carry: libcurl would send them raw or mangle them.
void check_path(std::string_view path) {
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      throw BabyAPIError(
          "Invalid request path: it holds a space or a control byte, which a URL cannot carry; "
          "percent-encode it first");
    }
  }
}

using SteadyClock = std::chrono::steady_clock;

std::optional<SteadyClock::time_point> deadline_for(const ClientOptions& options,
                                                    const RequestOptions& request_options,
                                                    SteadyClock::time_point now) {
  const std::optional<milliseconds> total =
      request_options.total_timeout ? request_options.total_timeout : options.total_timeout;
  if (!total) return std::nullopt;
  if (total->count() <= 0) throw BabyAPIError("total_timeout must be positive");
  return now + *total;
}

std::string call_summary(SteadyClock::time_point started, SteadyClock::time_point now,
                         int attempts) {
  const auto took = std::chrono::duration_cast<milliseconds>(now - started);
  return "the call took " + std::to_string(took.count()) + " ms over " + std::to_string(attempts) +
         (attempts == 1 ? " attempt" : " attempts");
}

}  // namespace

std::string dump_json_body(const Json& body) {
  try {
    return body.dump();
  } catch (const Json::type_error& error) {
    throw BabyAPIError(std::string("Request body cannot be sent as JSON: ") + error.what());
  }
}

ClientCore::ClientCore(ClientOptions options, std::shared_ptr<Transport> transport, Sleeper sleeper,
                       detail::RetryPolicy::Clock clock, detail::RetryPolicy::Random random)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      custom_transport_(dynamic_cast<detail::EngineSource*>(transport_.get()) == nullptr),
      sleeper_(std::move(sleeper)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      real_sleeper_(!sleeper_ && !custom_transport_) {
  if (!sleeper_) {
    // A transport of the user's own keeps the time: a fake's sleep() only moves its clock.
    Transport* const keeper = custom_transport_ ? transport_.get() : nullptr;
    sleeper_ = [keeper](milliseconds delay) {
      if (keeper != nullptr) {
        keeper->sleep(delay);
      } else {
        std::this_thread::sleep_for(delay);
      }
    };
  }
  for (const auto& [name, value] : options_.default_headers) check_header(name, value);
  // The headers every request starts from, built once rather than for each call.
  base_headers_.emplace_back("User-Agent", std::string("babyapi-cpp/") + BABYAPI_VERSION_STRING);
  base_headers_.emplace_back("Accept", "application/json");
  if (!options_.api_key_provider)
    base_headers_.emplace_back("Authorization", "Bearer " + options_.api_key);
  for (const auto& [name, value] : options_.default_headers) set_header(base_headers_, name, value);
  error_context_.api_key = options_.api_key;
  error_context_.url_userinfo = detail::userinfo_of(options_.base_url);
}

std::shared_ptr<ClientCore> ClientCore::view(const RequestOptions& overrides) {
  check_open();
  ClientOptions options = options_;
  if (overrides.timeout) {
    if (overrides.timeout->count() <= 0)
      throw BabyAPIError("with_options: timeout must be positive");
    options.timeout = *overrides.timeout;
  }
  if (overrides.max_retries) {
    if (*overrides.max_retries < 0)
      throw BabyAPIError("with_options: max_retries must not be negative");
    options.max_retries = *overrides.max_retries;
  }
  if (overrides.total_timeout) options.total_timeout = overrides.total_timeout;
  for (const auto& [name, value] : overrides.headers) {
    // Replaces a default header of the same name in any case.
    for (auto it = options.default_headers.begin(); it != options.default_headers.end();) {
      it = detail::iequals(it->first, name) ? options.default_headers.erase(it) : std::next(it);
    }
    options.default_headers[name] = value;
  }
  auto core =
      std::make_shared<ClientCore>(std::move(options), transport_, sleeper_, clock_, random_);
  core->real_sleeper_ = real_sleeper_;
  core->root_ = root_ ? root_ : shared_from_this();
  return core;
}

void ClientCore::check_open() const {
  if (closed_.load()) throw BabyAPIError("This client has been closed; create a new Client");
}

void ClientCore::close() {
  closed_.store(true);
  if (root_) return;  // a view: the pool and the engine are its root's
  shutdown_engine();
  transport_->close();
}

ClientCore::~ClientCore() { shutdown_engine(); }

void ClientCore::shutdown_engine() noexcept {
  if (root_) return;  // a view's engine is its root's
  std::unique_ptr<detail::Engine> engine;
  {
    std::lock_guard<std::mutex> lock(engine_mutex_);
    engine_closed_ = true;
    engine = std::move(engine_);
  }
  // Completions run on the engine thread while it winds down; they may still use this core.
  if (engine) engine->shutdown();
}

detail::Engine& ClientCore::engine() {
  check_open();
  if (root_) return root_->engine();
  std::lock_guard<std::mutex> lock(engine_mutex_);
  if (engine_closed_) {
    throw BabyAPIError(
        "This Client was closed (or destroyed): it makes no more asynchronous calls");
  }
  if (!engine_) {
    auto* source = dynamic_cast<detail::EngineSource*>(transport_.get());
    engine_ = source != nullptr ? source->make_engine() : detail::make_transport_engine(transport_);
  }
  return *engine_;
}

std::exception_ptr user_abort_error() {
  return std::make_exception_ptr(APIUserAbortError(
      "The call was cancelled (CancelToken::cancel or Future::cancel); its connection was "
      "closed"));
}

void ClientCore::sleep(milliseconds delay, const std::optional<CancelToken>& cancel) const {
  if (!cancel) {
    sleeper_(delay);
    return;
  }
  // The default sleeper is replaced by a wait the token can cut short; an injected one (tests)
  // is kept, and the token checked after it.
  if (real_sleeper_ ? cancel->wait_for(delay) : (sleeper_(delay), cancel->cancelled())) {
    std::rethrow_exception(user_abort_error());
  }
}

detail::HttpRequest ClientCore::build(std::string_view method, std::string_view path,
                                      const RequestOptions& request_options) const {
  check_open();
  if (path.find("://") != std::string_view::npos) {
    throw BabyAPIError(
        "Paths are relative to base_url; absolute URLs are refused so the API key "
        "never reaches another host: \"" +
        std::string(path) + "\"");
  }
  check_path(path);
  detail::HttpRequest request;
  request.method = std::string(method);
  request.url = options_.base_url;
  if (path.empty() || path.front() != '/') request.url += '/';
  request.url += path;
  request.timeout = request_options.timeout.value_or(options_.timeout);
  request.connect_timeout = options_.connect_timeout;
  request.on_upload_progress = request_options.on_upload_progress;
  request.max_response_bytes = options_.max_response_bytes;
  request.download_to = request_options.download_to;
  if (request.timeout.count() <= 0) throw BabyAPIError("RequestOptions::timeout must be positive");

  HeaderList& headers = request.headers;
  // Room for the call's own headers, Content-Type and the retry count, so that none reallocates.
  headers.reserve(base_headers_.size() + request_options.headers.size() + 3);
  headers = base_headers_;
  for (const auto& [name, value] : request_options.headers) set_header(headers, name, value);
  return request;
}

detail::HttpRequest ClientCore::build_json(std::string_view method, std::string_view path,
                                           const Json* body,
                                           const RequestOptions& request_options) const {
  detail::HttpRequest request = build(method, path, request_options);
  if (body != nullptr) {
    request.body = dump_json_body(*body);
    set_header(request.headers, "Content-Type", "application/json");
  }
  return request;
}

detail::HttpRequest ClientCore::build_form(std::string_view path, detail::Form form,
                                           const RequestOptions& request_options) const {
  // Files are checked before anything is sent: a directory or a FIFO is refused by what it is.
  for (const detail::FormPart& part : form) {
    if (part.is_file && !part.path.empty()) detail::check_upload_file(part.path);
  }
  detail::HttpRequest request = build("POST", path, request_options);
  request.form = std::make_shared<const detail::Form>(std::move(form));
  // An upload of a large file can rightly take longer than any fixed deadline: for uploads the
  // timeout bounds a stall (no byte moving) instead of the whole exchange.
  request.idle_timeout = request.timeout;
  request.timeout = std::chrono::milliseconds(0);
  return request;
}

Response ClientCore::request(std::string_view method, std::string_view path, const Json* body,
                             const RequestOptions& request_options, bool idempotent) {
  return send(build_json(method, path, body, request_options), request_options, idempotent);
}

Response ClientCore::request_form(std::string_view path, detail::Form form,
                                  const RequestOptions& request_options, bool idempotent) {
  return send(build_form(path, std::move(form), request_options), request_options, idempotent);
}

detail::HttpRequest ClientCore::build_stream(std::string_view path, const Json& params,
                                             const RequestOptions& request_options) const {
  if (!params.is_object()) throw BabyAPIError("Stream parameters must be a JSON object");
  Json body = params;
  body["stream"] = true;
  detail::HttpRequest request = build("POST", path, request_options);
  request.body = dump_json_body(body);
  request.deadline = deadline_for(options_, request_options, now());
  request.download_to.clear();
  set_header(request.headers, "Content-Type", "application/json");
  set_header(request.headers, "Accept", "text/event-stream");
  set_header(request.headers, kRetryCountHeader, "0");
  request.cancel = request_options.cancel;
  return request;
}

void ClientCore::provide_api_key(detail::HttpRequest& request, std::string* key) const {
  if (!options_.api_key_provider) return;
  std::string value = options_.api_key_provider();
  if (value.empty() || value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    throw BabyAPIError(
        "ClientOptions::api_key_provider gave an empty key, or one with a line break or NUL byte");
  }
  set_header(request.headers, "Authorization", "Bearer " + value);
  if (key != nullptr) *key = std::move(value);
}

detail::ErrorContext ClientCore::error_context_for(const std::string& key) const {
  detail::ErrorContext context = error_context_;
  if (!key.empty()) context.api_key = key;
  return context;
}

bool ClientCore::logs(detail::LogLevel level) const noexcept { return detail::log_enabled(level); }

void ClientCore::log(detail::LogLevel level, const std::string& message) const noexcept {
  detail::log_line(options_.logger, level, message);
}

void ClientCore::observe_request(const detail::HttpRequest& request, int attempt) const noexcept {
  if (!options_.on_request) return;
  try {
    options_.on_request(request, attempt);
  } catch (const std::exception& error) {
    log(detail::LogLevel::kWarn, std::string("ClientOptions::on_request threw: ") + error.what());
  } catch (...) {
    log(detail::LogLevel::kWarn, "ClientOptions::on_request threw");
  }
}

void ClientCore::observe_response(const detail::HttpRequest& request, int attempt, int status,
                                  const HeaderList* headers, const std::exception_ptr& failure,
                                  SteadyClock::time_point started) const noexcept {
  if (!options_.on_response) return;
  AttemptEnd end;
  end.attempt = attempt;
  end.status = status;
  end.headers = headers;
  end.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started);
  const auto notify = [&] {
    try {
      options_.on_response(request, end);
    } catch (const std::exception& error) {
      log(detail::LogLevel::kWarn,
          std::string("ClientOptions::on_response threw: ") + error.what());
    } catch (...) {
      log(detail::LogLevel::kWarn, "ClientOptions::on_response threw");
    }
  };
  if (!failure) {
    notify();
    return;
  }
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    end.error = &error;
    notify();
  } catch (...) {
    notify();
  }
}

Stream ClientCore::stream(std::string_view path, const Json& params,
                          const RequestOptions& request_options) {
  detail::HttpRequest request = build_stream(path, params, request_options);
  std::string key;
  provide_api_key(request, &key);
  // For streams RequestOptions::timeout bounds silence; by default there is no bound at all.
  const milliseconds idle = request_options.timeout.value_or(milliseconds(0));
  observe_request(request, 0);
  const auto started = SteadyClock::now();
  std::unique_ptr<detail::StreamTransfer> transfer;
  try {
    transfer = transport_->open_stream(request, idle);
  } catch (...) {
    observe_response(request, 0, 0, nullptr, std::current_exception(), started);
    throw;
  }
  const int status = transfer->status();
  observe_response(request, 0, status, &transfer->headers(), nullptr, started);
  const detail::ErrorContext context = error_context_for(key);
  // Log lines are built only when logging is on: this runs for every call.
  const auto what = [path] { return "POST " + std::string(path); };
  if (logs(detail::LogLevel::kDebug)) {
    log(detail::LogLevel::kDebug, what() + " (stream) -> " + std::to_string(status));
  }
  const std::string* type = find_header(transfer->headers(), "content-type");
  const bool event_stream = type != nullptr && detail::media_type(*type) == "text/event-stream";
  if (status >= 200 && status < 300 && event_stream) {
    SSEParserOptions parser_options;
    parser_options.max_event_size = options_.max_response_bytes;
    return Stream(std::make_unique<StreamState>(shared_from_this(), std::move(transfer),
                                                parser_options, context));
  }

  // Not a stream: an error status, or a 2xx answer in another shape (a proxy that ignored
  // "stream": true). Either way the body says what went wrong; read it, bounded.
  std::string answer;
  for (std::string_view bytes = transfer->read(); !bytes.empty(); bytes = transfer->read()) {
    if (answer.size() + bytes.size() > options_.max_response_bytes) {
      throw ResponseTooLargeError("The answer to a stream request grew past max_response_bytes (" +
                                  std::to_string(options_.max_response_bytes) + " bytes)");
    }
    answer.append(bytes);
  }
  log(detail::LogLevel::kInfo,
      what() + " (stream) answered HTTP " + std::to_string(status) + " without an event stream");
  throw_not_a_stream(status, transfer->headers(), answer, type, &context);
}

void ClientCore::throw_not_a_stream(int status, const HeaderList& headers, const std::string& body,
                                    const std::string* type,
                                    const detail::ErrorContext* call_context) const {
  detail::ErrorContext context = call_context != nullptr ? *call_context : error_context_;
  const detail::RetryPolicy policy(detail::RetryConfig{}, clock_, random_);
  context.retry_after = policy.server_delay(headers);
  if (status < 200 || status >= 300) detail::throw_status_error(status, headers, body, context);
  std::string message;
  ErrorDetails details = detail::parse_error_body(status, headers, body, message, context);
  const std::string shown_type = type != nullptr ? *type : std::string("no content type");
  throw BabyAPIError("A stream was asked for, but the server answered HTTP " +
                         std::to_string(status) + " with " + shown_type +
                         " instead of text/event-stream: " + message,
                     std::move(details));
}

Response ClientCore::make_response(detail::HttpResponse& answer, bool keep_text,
                                   bool unparsed) const {
  if (unparsed) {
    return Response(kUnparsedBody, answer.status, std::move(answer.headers),
                    std::move(answer.body));
  }
  try {
    return Response(answer.status, std::move(answer.headers), std::move(answer.body), keep_text);
  } catch (const BabyAPIError& error) {
    // A body that claims JSON and is not: Response cannot know the key, so redact here.
    ErrorDetails details = error.details();
    details.body = detail::redact_bounded(details.body, error_context_, detail::kMaxErrorBodyBytes);
    throw BabyAPIError(error.message(), std::move(details));
  }
}

CallProgress ClientCore::start_call(detail::HttpRequest request,
                                    const RequestOptions& request_options, bool idempotent) const {
  detail::RetryConfig config;
  config.max_retries = request_options.max_retries.value_or(options_.max_retries);
  config.base_delay = options_.retry_base_delay;
  config.max_delay = options_.max_retry_delay;
  config.max_retry_after = options_.max_retry_after;
  if (config.max_retries < 0)
    throw BabyAPIError("RequestOptions::max_retries must not be negative");
  request.deadline = deadline_for(options_, request_options, now());
  CallProgress call{std::move(request),
                    detail::RetryPolicy(config, clock_, random_),
                    idempotent,
                    false,
                    SteadyClock::time_point{},
                    SteadyClock::time_point{},
                    std::string(),
                    0,
                    std::string(),
                    nullptr};
  call.idempotent = idempotent;
  call.keep_text = request_options.keep_text;
  call.started = now();
  return call;
}

void ClientCore::begin_attempt(CallProgress& call) const {
  set_header(call.request.headers, kRetryCountHeader, std::to_string(call.retries));
  provide_api_key(call.request, &call.api_key);
  observe_request(call.request, call.retries);
  call.attempt_started = SteadyClock::now();
}

AttemptVerdict ClientCore::settle(CallProgress& call, detail::HttpResponse* answer,
                                  const std::exception_ptr& failure) const {
  const int attempts = call.retries + 1;
  const detail::HttpRequest& request = call.request;
  const detail::RetryPolicy& policy = call.policy;
  // Log lines are built only when logging is on: this runs for every call.
  const auto what = [&request, this] {
    return request.method + " " + request.url.substr(options_.base_url.size());
  };
  observe_response(request, call.retries, answer != nullptr ? answer->status : 0,
                   answer != nullptr ? &answer->headers : nullptr, failure, call.attempt_started);
  std::optional<milliseconds> delay;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const APIConnectionError& error) {
      const detail::TransferTraits traits = detail::transfer_traits(error);
      const bool may_retry = traits.retryable && (call.idempotent || !traits.maybe_sent);
      if (may_retry) delay = policy.next_delay(call.retries, detail::AttemptOutcome{0, nullptr});
      if (!delay) {
        if (dynamic_cast<const APITimeoutError*>(&error) != nullptr) {
          throw APITimeoutError(error.message() + "; " +
                                call_summary(call.started, now(), attempts));
        }
        throw;
      }
      call.failure = error.message();
      if (logs(detail::LogLevel::kInfo)) {
        log(detail::LogLevel::kInfo,
            detail::redact(what() + ": " + error.what() + "; retrying in " +
                               std::to_string(delay->count()) + " ms",
                           error_context_for(call.api_key)));
      }
    }
    if (call.on_attempt) call.on_attempt(0, std::nullopt);
  } else {
    if (logs(detail::LogLevel::kDebug)) {
      const std::string* id = find_header(answer->headers, "x-request-id");
      log(detail::LogLevel::kDebug, what() + " -> " + std::to_string(answer->status) +
                                        " (request id " + (id ? *id : "") + ")");
    }
    if (call.on_attempt) {
      call.on_attempt(answer->status, answer->status == 429 || answer->status == 503
                                          ? policy.server_delay(answer->headers)
                                          : std::nullopt);
    }
    if (answer->status >= 200 && answer->status < 300) {
      return AttemptVerdict{make_response(*answer, call.keep_text, call.request.unparsed_body),
                            milliseconds(0), nullptr};
    }
    detail::ErrorContext context = error_context_for(call.api_key);
    context.retry_after = policy.server_delay(answer->headers);
    // A request that may not be repeated is retried only on answers that say it was not
    // processed (429, 503).
    const bool may_retry = call.idempotent || answer->status == 429 || answer->status == 503;
    if (may_retry) {
      delay =
          policy.next_delay(call.retries, detail::AttemptOutcome{answer->status, &answer->headers});
    }
    if (!delay) {
      log(detail::LogLevel::kInfo, what() + " failed with HTTP " + std::to_string(answer->status));
      detail::throw_status_error(answer->status, answer->headers, answer->body, context);
    }
    call.failure = "the last attempt answered HTTP " + std::to_string(answer->status);
    log(detail::LogLevel::kInfo, what() + " answered HTTP " + std::to_string(answer->status) +
                                     "; retrying in " + std::to_string(delay->count()) + " ms");
  }
  ++call.retries;
  if (request.deadline) {
    const auto remaining = std::chrono::duration_cast<milliseconds>(*request.deadline - now());
    if (*delay >= remaining) {
      // The back-off never sleeps past the bound: wait out what is left, then give up.
      return AttemptVerdict{
          std::nullopt, std::max(remaining, milliseconds(0)),
          std::make_exception_ptr(
              APITimeoutError("The call passed its total_timeout before it could be retried (" +
                              call.failure + "); " + call_summary(call.started, now(), attempts)))};
    }
  }
  return AttemptVerdict{std::nullopt, *delay, nullptr};
}

Response ClientCore::send(detail::HttpRequest request, const RequestOptions& request_options,
                          bool idempotent) {
  if (request_options.cancel) {
    // A cancellable call runs on the engine, where a cancel reaches it at once.
    return send_async(std::move(request), request_options, idempotent).get();
  }
  CallProgress call = start_call(std::move(request), request_options, idempotent);
  for (;;) {
    begin_attempt(call);
    detail::HttpResponse answer;
    std::exception_ptr failure;
    try {
      answer = transport_->send(call.request);
    } catch (const APIConnectionError&) {
      failure = std::current_exception();
    }
    AttemptVerdict verdict = settle(call, failure ? nullptr : &answer, failure);
    if (verdict.response) return std::move(*verdict.response);
    if (verdict.fail_after_delay) {
      if (verdict.delay.count() > 0) sleeper_(verdict.delay);
      std::rethrow_exception(verdict.fail_after_delay);
    }
    sleeper_(verdict.delay);
  }
}

}  // namespace babyapi::detail
