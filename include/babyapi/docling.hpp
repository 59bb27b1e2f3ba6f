// client.docling: BabyAPI's Docling proxy — convert PDFs, Office files, HTML and images to
// Markdown/JSON/HTML/text/doctags, synchronously or as async tasks pinned to the node that owns
// them, and chunk documents for RAG.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "babyapi/config.hpp"
#include "babyapi/core_fwd.hpp"
#include "babyapi/files.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"

BABYAPI_NAMESPACE_BEGIN

/// How wait_for_result polls a task.
struct BABYAPI_EXPORT WaitOptions {
  /// The node that owns the task: the async submit's _babyapi_docling_id. Sent with every poll and
  /// the result fetch as x-babyapi-docling-id; without it another node may answer 404.
  std::string docling_id;
  /// Longest pause between polls. Polls ask the server to hold the answer up to this long (its
  /// `wait` parameter), so a task that finishes is noticed at once rather than at the next poll.
  std::chrono::milliseconds interval = std::chrono::seconds(2);
  /// Give up (APITimeoutError) when the task has not finished after this long.
  std::chrono::milliseconds timeout = std::chrono::seconds(600);
  /// Called with each status answer ({"task_id", "task_status", ...}).
  std::function<void(const Json& status)> on_poll;

  /// Chainable setters: WaitOptions{}.with_docling_id(task.docling_id()).with_interval(500ms).
  WaitOptions& with_docling_id(std::string value) {
    docling_id = std::move(value);
    return *this;
  }
  WaitOptions& with_interval(std::chrono::milliseconds value) {
    interval = std::move(value);
    return *this;
  }
  WaitOptions& with_timeout(std::chrono::milliseconds value) {
    timeout = std::move(value);
    return *this;
  }
  WaitOptions& with_on_poll(std::function<void(const Json& status)> value) {
    on_poll = std::move(value);
    return *this;
  }
};

/// The pinning header async calls need: x-babyapi-docling-id.
inline constexpr const char* kDoclingIdHeader = "x-babyapi-docling-id";
/// The member the SDK adds to an async submit's JSON, naming the node that owns the task.
inline constexpr const char* kDoclingIdField = "_babyapi_docling_id";

class BABYAPI_EXPORT DoclingChunk {
 public:
  explicit DoclingChunk(CorePtr core) : core_(std::move(core)) {}

  /// Source forms take the JSON body: {"sources": [...], "convert_options": {...},
  /// "chunking_options": {...}, ...}. File forms take the same options without "sources":
  /// convert_options travel as convert_<name> form fields, chunking_options as chunking_<name>.
  Response hybrid_source(const Json& body, const RequestOptions& request_options = {}) const;
  Response hybrid_file(const Files& files, const Json& options = Json::object(),
                       const RequestOptions& request_options = {}) const;
  Response hierarchical_source(const Json& body, const RequestOptions& request_options = {}) const;
  Response hierarchical_file(const Files& files, const Json& options = Json::object(),
                             const RequestOptions& request_options = {}) const;

  /// Async variants: answer {"task_id", ...} plus _babyapi_docling_id; finish with wait_for_result.
  Response hybrid_source_async(const Json& body, const RequestOptions& request_options = {}) const;
  Response hybrid_file_async(const Files& files, const Json& options = Json::object(),
                             const RequestOptions& request_options = {}) const;
  Response hierarchical_source_async(const Json& body,
                                     const RequestOptions& request_options = {}) const;
  Response hierarchical_file_async(const Files& files, const Json& options = Json::object(),
                                   const RequestOptions& request_options = {}) const;

  /// Each call above as a Future, run on the Client's engine like create_async. Named *_future
  /// because *_async already names docling-serve's async tasks.
  Future<Response> hybrid_source_future(const Json& body,
                                        const RequestOptions& request_options = {}) const;
  Future<Response> hybrid_file_future(const Files& files, const Json& options = Json::object(),
                                      const RequestOptions& request_options = {}) const;
  Future<Response> hierarchical_source_future(const Json& body,
                                              const RequestOptions& request_options = {}) const;
  Future<Response> hierarchical_file_future(const Files& files,
                                            const Json& options = Json::object(),
                                            const RequestOptions& request_options = {}) const;
  Future<Response> hybrid_source_async_future(const Json& body,
                                              const RequestOptions& request_options = {}) const;
  Future<Response> hybrid_file_async_future(const Files& files,
                                            const Json& options = Json::object(),
                                            const RequestOptions& request_options = {}) const;
  Future<Response> hierarchical_source_async_future(
      const Json& body, const RequestOptions& request_options = {}) const;
  Future<Response> hierarchical_file_async_future(const Files& files,
                                                  const Json& options = Json::object(),
                                                  const RequestOptions& request_options = {}) const;

 private:
  Future<Response> source_future(std::string_view kind, bool async, const Json& body,
                                 const RequestOptions& request_options) const;
  Future<Response> file_future(std::string_view kind, bool async, const Files& files,
                               const Json& options, const RequestOptions& request_options) const;
  Response source(std::string_view kind, bool async, const Json& body,
                  const RequestOptions& request_options) const;
  Response file(std::string_view kind, bool async, const Files& files, const Json& options,
                const RequestOptions& request_options) const;
  CorePtr core_;
};

class BABYAPI_EXPORT Docling {
 public:
  explicit Docling(const CorePtr& core) : chunk(core), core_(core) {}

  Response health(const RequestOptions& request_options = {}) const;  ///< {"status": "ok"}
  Response ready(const RequestOptions& request_options = {}) const;
  Response version(const RequestOptions& request_options = {}) const;

  /// body: {"sources": [{"kind": "http", "url": ...}], "options": {"to_formats": ["md"], ...}}.
  /// res["document"]["md_content"] holds the Markdown.
  Response convert_source(const Json& body, const RequestOptions& request_options = {}) const;
  /// Uploads files (streamed from disk) as multipart form data; each option is its own form field:
  /// lists repeat the field, booleans are true/false, numbers text, objects JSON text.
  /// RequestOptions::on_upload_progress reports bytes sent. For uploads the timeout bounds a stall
  /// (no byte moving for that long), not the whole upload, so a large file is never cut off.
  Response convert_file(const Files& files, const Json& options = Json::object(),
                        const RequestOptions& request_options = {}) const;

  /// Async submits queue a task each time they reach a node, so they are retried only when the
  /// request surely did not arrive (connection refused) or the server said it did nothing (429,
  /// 503); after a timeout or a connection lost mid-request they throw instead.
  Response convert_source_async(const Json& body, const RequestOptions& request_options = {}) const;
  Response convert_file_async(const Files& files, const Json& options = Json::object(),
                              const RequestOptions& request_options = {}) const;

  /// The four conversions above as Futures, run on the Client's engine like create_async (see
  /// the README's Concurrency section). Named *_future because *_async already names
  /// docling-serve's async tasks: convert_source_async_future is the submit, as a Future.
  Future<Response> convert_source_future(const Json& body,
                                         const RequestOptions& request_options = {}) const;
  Future<Response> convert_file_future(const Files& files, const Json& options = Json::object(),
                                       const RequestOptions& request_options = {}) const;
  Future<Response> convert_source_async_future(const Json& body,
                                               const RequestOptions& request_options = {}) const;
  Future<Response> convert_file_async_future(const Files& files,
                                             const Json& options = Json::object(),
                                             const RequestOptions& request_options = {}) const;

  /// GET /docling/v1/status/poll/{task_id}; pin it with the x-babyapi-docling-id header.
  /// res["task_status"] is pending, started, success or failure.
  Response poll_status(std::string_view task_id, const RequestOptions& request_options = {}) const;
  /// The same, asking the server to hold its answer until the task ends or `wait` passes
  /// (docling-serve's wait parameter): a poll loop without sleeps.
  Response poll_status(std::string_view task_id, std::chrono::milliseconds wait,
                       const RequestOptions& request_options = {}) const;
  /// GET /docling/v1/result/{task_id}; pin it the same way.
  Response get_result(std::string_view task_id, const RequestOptions& request_options = {}) const;
  /// Polls until the task ends: returns the result on success (and partial_success); throws
  /// BabyAPIError carrying the task's status JSON (body()) and error message on failure, skipped
  /// or error, and at once, naming it, on a state it does not know. wait.timeout (and
  /// total_timeout, when set) bounds the whole wait, every poll and retry included:
  /// APITimeoutError once it passes. Pauses between polls go through the client's sleeper.
  Response wait_for_result(std::string_view task_id, const WaitOptions& wait = {},
                           const RequestOptions& request_options = {}) const;

  DoclingChunk chunk;

 private:
  /// A poll asking the server to hold its answer up to `wait`, with request_options as given.
  Response long_poll(std::string_view task_id, std::chrono::milliseconds wait,
                     const RequestOptions& request_options) const;
  CorePtr core_;
};

BABYAPI_NAMESPACE_END
