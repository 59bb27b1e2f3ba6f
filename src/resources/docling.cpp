// client.docling: thin shapes over detail::ClientCore, plus wait_for_result's polling loop.
#include "babyapi/docling.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "babyapi/errors.hpp"
#include "client_core.hpp"
#include "error_mapper.hpp"
#include "http/form.hpp"
#include "util/strings.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

using std::chrono::milliseconds;

// An async submit names the node that owns its task in a header; the SDK copies it into the JSON.
Response pin_answer(Response res) {
  const std::string node = res.docling_id();
  if (!node.empty() && res.json().is_object()) res.json()[kDoclingIdField] = node;
  return res;
}

// The same for an async submit's Future: the pinned answer, or the submit's own error.
Future<Response> pin_answer(Future<Response> submit) {
  auto pinned = std::make_shared<detail::FutureState<Response>>();
  pinned->set_canceller([submit] { submit.cancel(); });
  submit.then([pinned](Result<Response> result) {
    if (!result.ok()) {
      pinned->complete(std::move(result));
      return;
    }
    std::exception_ptr failed;
    try {
      pinned->complete(Result<Response>(pin_answer(std::move(result).value())));
    } catch (...) {
      failed = std::current_exception();  // completed outside the handler, moved (see async_calls)
    }
    if (failed) pinned->complete(Result<Response>(std::move(failed)));
  });
  return Future<Response>(pinned);
}

detail::Form file_parts(const Files& files) {
  if (files.size() == 0) throw BabyAPIError("Docling: give at least one file");
  detail::Form form;
  for (const File& file : files.items()) {
    detail::FormPart part;
    part.name = "files";
    part.is_file = true;
    part.filename = file.filename();
    part.content_type = file.content_type();
    if (file.from_disk()) {
      part.path = file.path();
    } else {
      part.value = file.bytes();
    }
    form.push_back(std::move(part));
  }
  return form;
}

std::string task_path(std::string_view prefix, std::string_view task_id) {
  if (task_id.empty()) throw BabyAPIError("Docling: the task id must not be empty");
  return std::string(prefix) + detail::percent_encode_segment(task_id);
}

std::string task_state(const Json& status) {
  if (!status.is_object()) return {};
  for (const char* key : {"task_status", "status"}) {
    if (status.contains(key) && status[key].is_string())
      return detail::to_lower(status[key].get<std::string>());
  }
  return {};
}

// The task's own words: error_message, else docling-serve's failure.message, else the other
// spellings proxies use. Rendered without recursion and bounded: the server is not trusted.
std::string task_error(const Json& status) {
  if (!status.is_object()) return "no error message given";
  if (status.contains("error_message") && !status["error_message"].is_null())
    return detail::json_value_text(status["error_message"]);
  if (status.contains("failure") && status["failure"].is_object() &&
      status["failure"].contains("message"))
    return detail::json_value_text(status["failure"]["message"]);
  for (const char* key : {"error", "detail", "message"}) {
    if (status.contains(key) && !status[key].is_null()) return detail::json_value_text(status[key]);
  }
  return "no error message given";
}

// The task states docling-serve reports (docling's ConversionStatus, the type of
// TaskStatusResponse.task_status; docling-jobkit's TaskStatus sets only the first four), plus
// "error", which BabyAPI's proxy may send for a task it lost.
enum class TaskOutcome { kRunning, kResult, kFailed, kUnknown };
TaskOutcome outcome_of(const std::string& state) {
  if (state == "pending" || state == "started") return TaskOutcome::kRunning;
  // partial_success: some documents converted; the result says which (per-document status).
  if (state == "success" || state == "partial_success") return TaskOutcome::kResult;
  // skipped: ended without converting anything, so there is no result to fetch.
  if (state == "failure" || state == "error" || state == "skipped") return TaskOutcome::kFailed;
  return TaskOutcome::kUnknown;
}

ErrorDetails status_details(const Response& status, const std::string& state,
                            const detail::ErrorContext& context) {
  ErrorDetails details;
  details.status = status.status();
  details.request_id = status.request_id();
  details.headers = status.headers();
  details.body = detail::redact_bounded(status.text(), context, detail::kMaxErrorBodyBytes);
  details.type = "docling_task_" + detail::redact_bounded(state, context, 64);
  return details;
}

}  // namespace

Response Docling::health(const RequestOptions& request_options) const {
  return core_->request("GET", "/docling/health", nullptr, request_options);
}

Response Docling::ready(const RequestOptions& request_options) const {
  return core_->request("GET", "/docling/ready", nullptr, request_options);
}

Response Docling::version(const RequestOptions& request_options) const {
  return core_->request("GET", "/docling/version", nullptr, request_options);
}

constexpr const char* kConvertSource = "/docling/v1/convert/source";
constexpr const char* kConvertSourceAsync = "/docling/v1/convert/source/async";
constexpr const char* kConvertFile = "/docling/v1/convert/file";
constexpr const char* kConvertFileAsync = "/docling/v1/convert/file/async";

detail::Form convert_form(const Files& files, const Json& options) {
  detail::Form form = file_parts(files);
  detail::append_option_fields(form, options);
  return form;
}

Response Docling::convert_source(const Json& body, const RequestOptions& request_options) const {
  return core_->request("POST", kConvertSource, &body, request_options);
}

// The async submits are not idempotent: each one that reaches a node queues a task. So they are
// retried only when the server surely did not take them (see detail::ClientCore::request).
Response Docling::convert_source_async(const Json& body,
                                       const RequestOptions& request_options) const {
  return pin_answer(
      core_->request("POST", kConvertSourceAsync, &body, request_options, /*idempotent=*/false));
}

Response Docling::convert_file(const Files& files, const Json& options,
                               const RequestOptions& request_options) const {
  return core_->request_form(kConvertFile, convert_form(files, options), request_options);
}

Response Docling::convert_file_async(const Files& files, const Json& options,
                                     const RequestOptions& request_options) const {
  return pin_answer(core_->request_form(kConvertFileAsync, convert_form(files, options),
                                        request_options, /*idempotent=*/false));
}

Future<Response> Docling::convert_source_future(const Json& body,
                                                const RequestOptions& request_options) const {
  return core_->request_async("POST", kConvertSource, &body, request_options);
}

Future<Response> Docling::convert_source_async_future(const Json& body,
                                                      const RequestOptions& request_options) const {
  return pin_answer(core_->request_async("POST", kConvertSourceAsync, &body, request_options,
                                         /*idempotent=*/false));
}

Future<Response> Docling::convert_file_future(const Files& files, const Json& options,
                                              const RequestOptions& request_options) const {
  return core_->request_form_async(kConvertFile, convert_form(files, options), request_options);
}

Future<Response> Docling::convert_file_async_future(const Files& files, const Json& options,
                                                    const RequestOptions& request_options) const {
  return pin_answer(core_->request_form_async(kConvertFileAsync, convert_form(files, options),
                                              request_options, /*idempotent=*/false));
}

Response Docling::poll_status(std::string_view task_id,
                              const RequestOptions& request_options) const {
  return core_->request("GET", task_path("/docling/v1/status/poll/", task_id), nullptr,
                        request_options);
}

Response Docling::poll_status(std::string_view task_id, std::chrono::milliseconds wait,
                              const RequestOptions& request_options) const {
  if (wait.count() < 0) throw BabyAPIError("poll_status: wait must not be negative");
  RequestOptions options = request_options;
  // The long poll must not trip the request deadline.
  options.timeout = request_options.timeout.value_or(core_->options().timeout) + wait;
  return long_poll(task_id, wait, options);
}

Response Docling::long_poll(std::string_view task_id, std::chrono::milliseconds wait,
                            const RequestOptions& request_options) const {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", static_cast<double>(wait.count()) / 1000.0);
  return core_->request("GET", task_path("/docling/v1/status/poll/", task_id) + "?wait=" + seconds,
                        nullptr, request_options);
}

Response Docling::get_result(std::string_view task_id,
                             const RequestOptions& request_options) const {
  return core_->request("GET", task_path("/docling/v1/result/", task_id), nullptr, request_options);
}

Response Docling::wait_for_result(std::string_view task_id, const WaitOptions& wait,
                                  const RequestOptions& request_options) const {
  if (wait.interval.count() <= 0) throw BabyAPIError("WaitOptions::interval must be positive");
  const ClientOptions& client = core_->options();
  RequestOptions pinned = request_options;
  if (!wait.docling_id.empty()) pinned.headers[kDoclingIdHeader] = wait.docling_id;
  // total_timeout, when set, bounds this call as a whole like wait.timeout does.
  const std::optional<milliseconds> total =
      request_options.total_timeout ? request_options.total_timeout : client.total_timeout;
  if (total && total->count() <= 0) throw BabyAPIError("total_timeout must be positive");
  const milliseconds budget = total ? std::min(*total, wait.timeout) : wait.timeout;
  const auto deadline = core_->now() + budget;
  const std::string id(task_id);

  const auto timed_out = [&](const std::string& why) {
    return APITimeoutError("Docling task " + id + " did not finish within " +
                           std::to_string(budget.count()) + " ms" + why);
  };
  const auto remaining = [&] {
    return std::chrono::duration_cast<milliseconds>(deadline - core_->now());
  };
  // Every request of the wait ends by the deadline: each attempt's timeout is at most what is
  // left, and total_timeout stops retries and back-offs there too. Without this a hanging poll
  // got the client's timeout plus the hold, once per retry.
  const auto bounded = [&](milliseconds left, milliseconds hold) {
    RequestOptions options = pinned;
    options.timeout = std::min(request_options.timeout.value_or(client.timeout) + hold, left);
    options.total_timeout = left;
    return options;
  };
  // A request that timed out at the deadline is the wait timing out; one that timed out earlier
  // (its own timeout, retries spent) is that request's failure.
  const auto call = [&](auto&& send) -> Response {
    try {
      return send();
    } catch (const APITimeoutError& error) {
      if (remaining() <= milliseconds(5)) throw timed_out(": " + error.message());
      throw;
    }
  };

  for (;;) {
    const auto started = core_->now();
    const milliseconds left = remaining();
    // Also guards the requests below: a timeout of 0 would mean none at all.
    if (left.count() <= 0) throw timed_out("");
    // Ask the server to hold the answer until the task ends or this much time passes.
    const milliseconds hold = std::min(wait.interval, left);
    Response status = call([&] { return long_poll(task_id, hold, bounded(left, hold)); });
    if (wait.on_poll) wait.on_poll(status.json());

    const std::string state = task_state(status.json());
    switch (outcome_of(state)) {
      case TaskOutcome::kRunning:
        break;
      case TaskOutcome::kResult: {
        const milliseconds rest = remaining();
        if (rest.count() <= 0) throw timed_out(" (it ended, but no time was left to fetch it)");
        return call([&] { return get_result(task_id, bounded(rest, milliseconds(0))); });
      }
      case TaskOutcome::kFailed:
        throw BabyAPIError("Docling task " + id + " ended in " + state + ": " +
                               detail::redact(task_error(status.json()), core_->error_context()),
                           status_details(status, state, core_->error_context()));
      case TaskOutcome::kUnknown: {
        // Polling on would only wait out the timeout: say what came back instead.
        const detail::ErrorContext& context = core_->error_context();
        const std::string shown =
            state.empty()
                ? std::string("no task_status")
                : "the unknown state \"" + detail::redact_bounded(state, context, 64) + "\"";
        throw BabyAPIError("Docling task " + id + " reported " + shown +
                               "; wait_for_result knows pending, started, success, "
                               "partial_success, failure, skipped and error",
                           status_details(status, state.empty() ? "unknown" : state, context));
      }
    }
    // A server that answered before the hold passed (no long-poll support) gets the rest of it
    // as a pause, so polling never spins. The pause goes through the client's sleeper.
    const auto spent = std::chrono::duration_cast<milliseconds>(core_->now() - started);
    const milliseconds pause = std::min(hold - spent, remaining());
    if (pause.count() > 0) core_->sleep(pause, request_options.cancel);
  }
}

std::string chunk_path(std::string_view kind, std::string_view from, bool async) {
  return "/docling/v1/chunk/" + std::string(kind) + "/" + std::string(from) +
         (async ? "/async" : "");
}

detail::Form chunk_form(const Files& files, const Json& options) {
  if (!options.is_object() && !options.is_null()) {
    throw BabyAPIError("Docling chunking options must be a JSON object");
  }
  detail::Form form = file_parts(files);
  if (options.is_object()) {
    for (const auto& [key, value] : options.items()) {
      if (key == "convert_options") {
        detail::append_option_fields(form, value, "convert_");
      } else if (key == "chunking_options") {
        detail::append_option_fields(form, value, "chunking_");
      } else {
        detail::append_option_fields(form, Json{{key, value}});
      }
    }
  }
  return form;
}

Response DoclingChunk::source(std::string_view kind, bool async, const Json& body,
                              const RequestOptions& request_options) const {
  Response res = core_->request("POST", chunk_path(kind, "source", async), &body, request_options,
                                /*idempotent=*/!async);
  return async ? pin_answer(std::move(res)) : res;
}

Response DoclingChunk::file(std::string_view kind, bool async, const Files& files,
                            const Json& options, const RequestOptions& request_options) const {
  Response res = core_->request_form(chunk_path(kind, "file", async), chunk_form(files, options),
                                     request_options, /*idempotent=*/!async);
  return async ? pin_answer(std::move(res)) : res;
}

Future<Response> DoclingChunk::source_future(std::string_view kind, bool async, const Json& body,
                                             const RequestOptions& request_options) const {
  Future<Response> res = core_->request_async("POST", chunk_path(kind, "source", async), &body,
                                              request_options, /*idempotent=*/!async);
  return async ? pin_answer(std::move(res)) : res;
}

Future<Response> DoclingChunk::file_future(std::string_view kind, bool async, const Files& files,
                                           const Json& options,
                                           const RequestOptions& request_options) const {
  Future<Response> res =
      core_->request_form_async(chunk_path(kind, "file", async), chunk_form(files, options),
                                request_options, /*idempotent=*/!async);
  return async ? pin_answer(std::move(res)) : res;
}

// The four entry points of each chunker differ only in the path they name.
#define BABYAPI_CHUNKER(name)                                                                      \
  Response DoclingChunk::name##_source(const Json& body, const RequestOptions& ro) const {         \
    return source(#name, false, body, ro);                                                         \
  }                                                                                                \
  Response DoclingChunk::name##_source_async(const Json& body, const RequestOptions& ro) const {   \
    return source(#name, true, body, ro);                                                          \
  }                                                                                                \
  Response DoclingChunk::name##_file(const Files& files, const Json& options,                      \
                                     const RequestOptions& ro) const {                             \
    return file(#name, false, files, options, ro);                                                 \
  }                                                                                                \
  Response DoclingChunk::name##_file_async(const Files& files, const Json& options,                \
                                           const RequestOptions& ro) const {                       \
    return file(#name, true, files, options, ro);                                                  \
  }                                                                                                \
  Future<Response> DoclingChunk::name##_source_future(const Json& body, const RequestOptions& ro)  \
      const {                                                                                      \
    return source_future(#name, false, body, ro);                                                  \
  }                                                                                                \
  Future<Response> DoclingChunk::name##_source_async_future(const Json& body,                      \
                                                            const RequestOptions& ro) const {      \
    return source_future(#name, true, body, ro);                                                   \
  }                                                                                                \
  Future<Response> DoclingChunk::name##_file_future(const Files& files, const Json& options,       \
                                                    const RequestOptions& ro) const {              \
    return file_future(#name, false, files, options, ro);                                          \
  }                                                                                                \
  Future<Response> DoclingChunk::name##_file_async_future(const Files& files, const Json& options, \
                                                          const RequestOptions& ro) const {        \
    return file_future(#name, true, files, options, ro);                                           \
  }

BABYAPI_CHUNKER(hybrid)
BABYAPI_CHUNKER(hierarchical)

#undef BABYAPI_CHUNKER

BABYAPI_NAMESPACE_END
