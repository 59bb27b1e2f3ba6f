#include "client_core.hpp"

#include <filesystem>
#include <fstream>
#include <thread>

#include "babyapi/errors.hpp"
#include "babyapi/version.hpp"
#include "error_mapper.hpp"
#include "stream_state.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace babyapi {
namespace {

using babyapi::HeaderList;
using std::chrono::milliseconds;

constexpr const char* kRetryCountHeader = "x-babyapi-retry-count";

void check_header(const std::string& name, const std::string& value) {
  const bool bad_name = name.empty() || name.find_first_of(":\r\n \t") != std::string::npos;
  if (bad_name || value.find_first_of("\r\n") != std::string::npos) {
    throw BabyAPIError("Invalid header \"" + name +
                       "\": names must be non-empty tokens and values "
                       "must not contain line breaks");
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

}  // namespace

std::string dump_json_body(const Json& body) {
  try {
    return body.dump();
  } catch (const Json::type_error& error) {
    throw BabyAPIError(std::string("Request body cannot be sent as JSON: ") + error.what());
  }
}

ClientCore::ClientCore(ClientOptions options, std::unique_ptr<detail::Transport> transport,
                       Sleeper sleeper, detail::RetryPolicy::Clock clock,
                       detail::RetryPolicy::Random random)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      sleeper_(sleeper ? std::move(sleeper)
                       : Sleeper([](milliseconds delay) { std::this_thread::sleep_for(delay); })),
      clock_(std::move(clock)),
      random_(std::move(random)) {
  for (const auto& [name, value] : options_.default_headers) check_header(name, value);
}

void ClientCore::check_open() const {
  if (closed_.load()) throw BabyAPIError("This client has been closed; create a new Client");
}

void ClientCore::close() {
  closed_.store(true);
  transport_->close();
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
  detail::HttpRequest request;
  request.method = std::string(method);
  request.url = options_.base_url;
  if (path.empty() || path.front() != '/') request.url += '/';
  request.url += path;
  request.timeout = request_options.timeout.value_or(options_.timeout);
  request.connect_timeout = options_.connect_timeout;
  request.on_upload_progress = request_options.on_upload_progress;
  if (request.timeout.count() <= 0) throw BabyAPIError("RequestOptions::timeout must be positive");

  HeaderList& headers = request.headers;
  headers.emplace_back("User-Agent", std::string("babyapi-cpp/") + BABYAPI_VERSION_STRING);
  headers.emplace_back("Accept", "application/json");
  headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  for (const auto& [name, value] : options_.default_headers) set_header(headers, name, value);
  for (const auto& [name, value] : request_options.headers) set_header(headers, name, value);
  return request;
}

Response ClientCore::request(std::string_view method, std::string_view path, const Json* body,
                             const RequestOptions& request_options) {
  detail::HttpRequest request = build(method, path, request_options);
  if (body != nullptr) {
    request.body = dump_json_body(*body);
    set_header(request.headers, "Content-Type", "application/json");
  }
  return send(std::move(request), request_options);
}

Response ClientCore::request_form(std::string_view path, detail::Form form,
                                  const RequestOptions& request_options) {
  for (const detail::FormPart& part : form) {
    if (!part.is_file || part.path.empty()) continue;
    std::error_code error;
    const auto status = std::filesystem::status(part.path, error);
    if (error || !std::filesystem::is_regular_file(status)) {
      throw BabyAPIError("Cannot upload \"" + part.path + "\": no such file");
    }
    if (!std::ifstream(part.path, std::ios::binary)) {
      throw BabyAPIError("Cannot upload \"" + part.path + "\": the file cannot be read");
    }
  }
  detail::HttpRequest request = build("POST", path, request_options);
  request.form = std::make_shared<const detail::Form>(std::move(form));
  // An upload of a large file can rightly take longer than any fixed deadline: for uploads the
  // timeout bounds a stall (no byte moving) instead of the whole exchange.
  request.idle_timeout = request.timeout;
  request.timeout = std::chrono::milliseconds(0);
  return send(std::move(request), request_options);
}

Stream ClientCore::stream(std::string_view path, const Json& params,
                          const RequestOptions& request_options) {
  if (!params.is_object()) throw BabyAPIError("Stream parameters must be a JSON object");
  Json body = params;
  body["stream"] = true;
  detail::HttpRequest request = build("POST", path, request_options);
  request.body = dump_json_body(body);
  set_header(request.headers, "Content-Type", "application/json");
  set_header(request.headers, "Accept", "text/event-stream");
  set_header(request.headers, kRetryCountHeader, "0");
  // For streams RequestOptions::timeout bounds silence; by default there is no bound at all.
  const milliseconds idle = request_options.timeout.value_or(milliseconds(0));
  std::unique_ptr<detail::StreamTransfer> transfer = transport_->open_stream(request, idle);
  // Log lines are built only when logging is on: this runs for every call.
  const auto what = [path] { return "POST " + std::string(path); };
  if (detail::log_enabled(detail::LogLevel::kDebug)) {
    detail::log_line(detail::LogLevel::kDebug,
                     what() + " (stream) -> " + std::to_string(transfer->status()));
  }
  if (transfer->status() >= 400) {
    std::string error_body;
    constexpr size_t kMaxErrorBody = 1 << 20;
    for (std::string_view bytes = transfer->read();
         !bytes.empty() && error_body.size() < kMaxErrorBody; bytes = transfer->read()) {
      error_body.append(bytes);
    }
    detail::log_line(detail::LogLevel::kInfo,
                     what() + " (stream) failed with HTTP " + std::to_string(transfer->status()));
    detail::throw_status_error(transfer->status(), transfer->headers(), error_body);
  }
  return Stream(std::make_unique<StreamState>(shared_from_this(), std::move(transfer)));
}

Response ClientCore::send(detail::HttpRequest request, const RequestOptions& request_options) {
  detail::RetryConfig config;
  config.max_retries = request_options.max_retries.value_or(options_.max_retries);
  config.base_delay = options_.retry_base_delay;
  config.max_delay = options_.max_retry_delay;
  if (config.max_retries < 0)
    throw BabyAPIError("RequestOptions::max_retries must not be negative");
  const detail::RetryPolicy policy(config, clock_, random_);
  // Log lines are built only when logging is on: this runs for every call.
  const auto what = [&request, this] {
    return request.method + " " + request.url.substr(options_.base_url.size());
  };

  for (int retries = 0;; ++retries) {
    set_header(request.headers, kRetryCountHeader, std::to_string(retries));
    detail::HttpResponse answer;
    std::optional<milliseconds> delay;
    try {
      answer = transport_->send(request);
    } catch (const APIConnectionError& error) {
      delay = policy.next_delay(retries, detail::AttemptOutcome{0, nullptr});
      if (!delay) throw;
      if (detail::log_enabled(detail::LogLevel::kInfo)) {
        detail::log_line(detail::LogLevel::kInfo, what() + ": " + error.what() + "; retrying in " +
                                                      std::to_string(delay->count()) + " ms");
      }
    }
    if (!delay) {
      if (detail::log_enabled(detail::LogLevel::kDebug)) {
        std::string id;
        for (const auto& [name, value] : answer.headers) {
          if (detail::iequals(name, "x-request-id")) id = value;
        }
        detail::log_line(detail::LogLevel::kDebug, what() + " -> " + std::to_string(answer.status) +
                                                       " (request id " + id + ")");
      }
      if (answer.status < 400) {
        return Response(answer.status, std::move(answer.headers), std::move(answer.body));
      }
      delay = policy.next_delay(retries, detail::AttemptOutcome{answer.status, &answer.headers});
      if (!delay) {
        detail::log_line(detail::LogLevel::kInfo,
                         what() + " failed with HTTP " + std::to_string(answer.status));
        detail::throw_status_error(answer.status, answer.headers, answer.body);
      }
      detail::log_line(detail::LogLevel::kInfo,
                       what() + " answered HTTP " + std::to_string(answer.status) +
                           "; retrying in " + std::to_string(delay->count()) + " ms");
    }
    sleeper_(*delay);
  }
}

}  // namespace babyapi
