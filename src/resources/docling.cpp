// client.docling: thin shapes over ClientCore, plus wait_for_result's polling loop.
#include "babyapi/docling.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "babyapi/errors.hpp"
#include "client_core.hpp"
#include "http/form.hpp"
#include "util/strings.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// An async submit names the node that owns its task in a header; the SDK copies it into the JSON.
Response pin_answer(Response res) {
  const std::string node = res.docling_id();
  if (!node.empty() && res.json().is_object()) res.json()[kDoclingIdField] = node;
  return res;
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

std::string task_error(const Json& status) {
  for (const char* key : {"error_message", "error", "detail", "message"}) {
    if (status.contains(key) && !status[key].is_null()) {
      return status[key].is_string() ? status[key].get<std::string>() : status[key].dump();
    }
  }
  return "no error message given";
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

Response Docling::convert_source(const Json& body, const RequestOptions& request_options) const {
  return core_->request("POST", "/docling/v1/convert/source", &body, request_options);
}

Response Docling::convert_source_async(const Json& body,
                                       const RequestOptions& request_options) const {
  return pin_answer(
      core_->request("POST", "/docling/v1/convert/source/async", &body, request_options));
}

Response Docling::convert_file(const Files& files, const Json& options,
                               const RequestOptions& request_options) const {
  detail::Form form = file_parts(files);
  detail::append_option_fields(form, options);
  return core_->request_form("/docling/v1/convert/file", std::move(form), request_options);
}

Response Docling::convert_file_async(const Files& files, const Json& options,
                                     const RequestOptions& request_options) const {
  detail::Form form = file_parts(files);
  detail::append_option_fields(form, options);
  return pin_answer(
      core_->request_form("/docling/v1/convert/file/async", std::move(form), request_options));
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
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", static_cast<double>(wait.count()) / 1000.0);
  return core_->request("GET", task_path("/docling/v1/status/poll/", task_id) + "?wait=" + seconds,
                        nullptr, options);
}

Response Docling::get_result(std::string_view task_id,
                             const RequestOptions& request_options) const {
  return core_->request("GET", task_path("/docling/v1/result/", task_id), nullptr, request_options);
}

Response Docling::wait_for_result(std::string_view task_id, const WaitOptions& wait,
                                  const RequestOptions& request_options) const {
  if (wait.interval.count() <= 0) throw BabyAPIError("WaitOptions::interval must be positive");
  RequestOptions pinned = request_options;
  if (!wait.docling_id.empty()) pinned.headers[kDoclingIdHeader] = wait.docling_id;
  const auto deadline = SteadyClock::now() + wait.timeout;

  for (;;) {
    const auto started = SteadyClock::now();
    const auto remaining = std::chrono::duration_cast<milliseconds>(deadline - started);
    if (remaining.count() <= 0) {
      throw APITimeoutError("Docling task " + std::string(task_id) + " did not finish within " +
                            std::to_string(wait.timeout.count()) + " ms");
    }
    // Ask the server to hold the answer until the task ends or this much time passes.
    const milliseconds hold = std::min(wait.interval, remaining);
    Response status = poll_status(task_id, hold, pinned);
    if (wait.on_poll) wait.on_poll(status.json());

    const std::string state = task_state(status.json());
    if (state == "success") return get_result(task_id, pinned);
    if (state == "failure" || state == "error") {
      ErrorDetails details;
      details.status = status.status();
      details.request_id = status.request_id();
      details.body = status.text();
      details.type = "docling_task_" + state;
      throw BabyAPIError(
          "Docling task " + std::string(task_id) + " failed: " + task_error(status.json()),
          std::move(details));
    }
    // A server that answered before the hold passed (no long-poll support) gets the rest of it
    // as a pause, so polling never spins.
    const auto spent = SteadyClock::now() - started;
    if (spent < hold) {
      std::this_thread::sleep_for(
          std::min<SteadyClock::duration>(hold - spent, deadline - SteadyClock::now()));
    }
  }
}

Response DoclingChunk::source(std::string_view kind, bool async, const Json& body,
                              const RequestOptions& request_options) const {
  const std::string path =
      "/docling/v1/chunk/" + std::string(kind) + "/source" + (async ? "/async" : "");
  Response res = core_->request("POST", path, &body, request_options);
  return async ? pin_answer(std::move(res)) : res;
}

Response DoclingChunk::file(std::string_view kind, bool async, const Files& files,
                            const Json& options, const RequestOptions& request_options) const {
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
  const std::string path =
      "/docling/v1/chunk/" + std::string(kind) + "/file" + (async ? "/async" : "");
  Response res = core_->request_form(path, std::move(form), request_options);
  return async ? pin_answer(std::move(res)) : res;
}

// The four entry points of each chunker differ only in the path they name.
#define BABYAPI_CHUNKER(name)                                                                    \
  Response DoclingChunk::name##_source(const Json& body, const RequestOptions& ro) const {       \
    return source(#name, false, body, ro);                                                       \
  }                                                                                              \
  Response DoclingChunk::name##_source_async(const Json& body, const RequestOptions& ro) const { \
    return source(#name, true, body, ro);                                                        \
  }                                                                                              \
  Response DoclingChunk::name##_file(const Files& files, const Json& options,                    \
                                     const RequestOptions& ro) const {                           \
    return file(#name, false, files, options, ro);                                               \
  }                                                                                              \
  Response DoclingChunk::name##_file_async(const Files& files, const Json& options,              \
                                           const RequestOptions& ro) const {                     \
    return file(#name, true, files, options, ro);                                                \
  }

BABYAPI_CHUNKER(hybrid)
BABYAPI_CHUNKER(hierarchical)

#undef BABYAPI_CHUNKER

}  // namespace babyapi
