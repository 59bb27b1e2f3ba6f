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

/// How Docling::wait_for_result() polls a task.
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

  /// Sets docling_id. Like every `with_` setter it returns this object, so calls chain:
  /// `WaitOptions{}.with_docling_id(task.docling_id()).with_interval(500ms)`.
  WaitOptions& with_docling_id(std::string value) {
    docling_id = std::move(value);
    return *this;
  }
  /// Sets interval.
  WaitOptions& with_interval(std::chrono::milliseconds value) {
    interval = std::move(value);
    return *this;
  }
  /// Sets timeout.
  WaitOptions& with_timeout(std::chrono::milliseconds value) {
    timeout = std::move(value);
    return *this;
  }
  /// Sets on_poll.
  WaitOptions& with_on_poll(std::function<void(const Json& status)> value) {
    on_poll = std::move(value);
    return *this;
  }
};

/// The pinning header async calls need: x-babyapi-docling-id.
inline constexpr const char* kDoclingIdHeader = "x-babyapi-docling-id";
/// The member the SDK adds to an async submit's JSON, naming the node that owns the task.
inline constexpr const char* kDoclingIdField = "_babyapi_docling_id";

/// docling-serve's chunkers, as `client.docling.chunk`: documents split into chunks for RAG
/// (POST /docling/v1/chunk/{hybrid,hierarchical}/{source,file}, and /async for tasks).
///
/// Hybrid chunking is docling's HybridChunker (structure-aware chunks fitted to a token budget),
/// hierarchical chunking its HierarchicalChunker (chunks that follow the document's structure).
/// Each chunker takes documents by source (URLs and the like, in a JSON body) or as uploaded
/// files, synchronously or as an async task, and each call also comes as a Future. The answer is
/// JSON for any number of documents unless the zip target is asked for.
///
/// Source forms take docling-serve's JSON body: {"sources": [...], "convert_options": {...},
/// "chunking_options": {...}, ...}. File forms take the same options without "sources", as form
/// fields: convert_options members travel as convert_<name> fields, chunking_options members as
/// chunking_<name> (`{{"chunking_options", {{"max_tokens", 256}}}}` sends chunking_max_tokens=256),
/// any other member under its own name.
///
/// \code
/// babyapi::Response chunks = client.docling.chunk.hybrid_source({
///     {"sources", {{{"kind", "http"}, {"url", "https://arxiv.org/pdf/2408.09869"}}}},
/// });
/// client.docling.chunk.hierarchical_file("./handbook.pdf");
/// \endcode
class BABYAPI_EXPORT DoclingChunk {
 public:
  /// Made by the Client, which holds one as `client.docling.chunk`; code of its own uses that
  /// member and has no need to call this.
  explicit DoclingChunk(CorePtr core) : core_(std::move(core)) {}

  /// Hybrid chunking of the documents body names (POST /docling/v1/chunk/hybrid/source).
  Response hybrid_source(const Json& body, const RequestOptions& request_options = {}) const;
  /// Hybrid chunking of uploaded files (POST /docling/v1/chunk/hybrid/file), streamed from disk as
  /// Docling::convert_file() streams them; options as the class description says.
  /// \throws BabyAPIError before sending when files is empty or a file cannot be read, or when
  ///         options is neither a JSON object nor null
  Response hybrid_file(const Files& files, const Json& options = Json::object(),
                       const RequestOptions& request_options = {}) const;
  /// Hierarchical chunking of the documents body names (POST
  /// /docling/v1/chunk/hierarchical/source).
  Response hierarchical_source(const Json& body, const RequestOptions& request_options = {}) const;
  /// Hierarchical chunking of uploaded files (POST /docling/v1/chunk/hierarchical/file); see
  /// hybrid_file().
  /// \throws BabyAPIError before sending when files is empty or a file cannot be read, or when
  ///         options is neither a JSON object nor null
  Response hierarchical_file(const Files& files, const Json& options = Json::object(),
                             const RequestOptions& request_options = {}) const;

  /// hybrid_source() as an async task: answers {"task_id", ...} plus _babyapi_docling_id, the node
  /// that owns the task; finish it with Docling::wait_for_result(). Like every async submit it is
  /// sent once when in doubt (see Docling::convert_source_async()).
  Response hybrid_source_async(const Json& body, const RequestOptions& request_options = {}) const;
  /// hybrid_file() as an async task (see hybrid_source_async()).
  Response hybrid_file_async(const Files& files, const Json& options = Json::object(),
                             const RequestOptions& request_options = {}) const;
  /// hierarchical_source() as an async task (see hybrid_source_async()).
  Response hierarchical_source_async(const Json& body,
                                     const RequestOptions& request_options = {}) const;
  /// hierarchical_file() as an async task (see hybrid_source_async()).
  Response hierarchical_file_async(const Files& files, const Json& options = Json::object(),
                                   const RequestOptions& request_options = {}) const;

  /// hybrid_source() as a Future, run on the Client's engine like create_async: returns at once;
  /// get() gives the Response or rethrows its typed error. The calls below do the same for each
  /// call above; they are named *_future because *_async already names docling-serve's async
  /// tasks.
  Future<Response> hybrid_source_future(const Json& body,
                                        const RequestOptions& request_options = {}) const;
  /// hybrid_file() as a Future (see hybrid_source_future()).
  Future<Response> hybrid_file_future(const Files& files, const Json& options = Json::object(),
                                      const RequestOptions& request_options = {}) const;
  /// hierarchical_source() as a Future (see hybrid_source_future()).
  Future<Response> hierarchical_source_future(const Json& body,
                                              const RequestOptions& request_options = {}) const;
  /// hierarchical_file() as a Future (see hybrid_source_future()).
  Future<Response> hierarchical_file_future(const Files& files,
                                            const Json& options = Json::object(),
                                            const RequestOptions& request_options = {}) const;
  /// hybrid_source_async() as a Future: the submit, whose answer carries _babyapi_docling_id.
  Future<Response> hybrid_source_async_future(const Json& body,
                                              const RequestOptions& request_options = {}) const;
  /// hybrid_file_async() as a Future (see hybrid_source_async_future()).
  Future<Response> hybrid_file_async_future(const Files& files,
                                            const Json& options = Json::object(),
                                            const RequestOptions& request_options = {}) const;
  /// hierarchical_source_async() as a Future (see hybrid_source_async_future()).
  Future<Response> hierarchical_source_async_future(
      const Json& body, const RequestOptions& request_options = {}) const;
  /// hierarchical_file_async() as a Future (see hybrid_source_async_future()).
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

/// BabyAPI's Docling proxy, as `client.docling`: PDFs, Office files, HTML and images converted to
/// Markdown, JSON, HTML, text or doctags, and documents chunked for RAG (see chunk).
///
/// Documents come by source (a URL, in docling-serve's JSON body) or as uploaded files (Files),
/// converted at once or as async tasks. An async task lives on the node that took the submit:
/// its answer carries that node's id as _babyapi_docling_id, and wait_for_result() (or each
/// poll_status() and get_result() with the x-babyapi-docling-id header) must name it. The answer
/// is JSON when one document is converted to the default in-body target; several documents, or
/// the zip target, give application/zip (check Response::content_type()). Every call
/// authenticates with the Client's API key and throws what any call throws.
///
/// \code
/// babyapi::Response res = client.docling.convert_file("./report.pdf", {{"to_formats", {"md"}}});
/// std::cout << res["document"]["md_content"].get<std::string>() << "\n";
///
/// babyapi::Response submitted = client.docling.convert_file_async("./big.pdf");
/// std::string task_id = submitted["task_id"];
/// babyapi::Response result = client.docling.wait_for_result(
///     task_id, babyapi::WaitOptions{}.with_docling_id(submitted.docling_id()));
/// \endcode
class BABYAPI_EXPORT Docling {
 public:
  /// Made by the Client, which holds one as `client.docling`; code of its own uses that member and
  /// has no need to call this.
  explicit Docling(const CorePtr& core) : chunk(core), core_(core) {}

  /// docling-serve's health check (GET /docling/health): {"status": "ok"} when it is up.
  Response health(const RequestOptions& request_options = {}) const;
  /// docling-serve's readiness check (GET /docling/ready).
  Response ready(const RequestOptions& request_options = {}) const;
  /// The versions docling-serve reports (GET /docling/version).
  Response version(const RequestOptions& request_options = {}) const;

  /// Converts the documents body names (POST /docling/v1/convert/source). body: {"sources":
  /// [{"kind": "http", "url": ...}], "options": {"to_formats": ["md"], ...}}.
  /// res["document"]["md_content"] holds the Markdown.
  Response convert_source(const Json& body, const RequestOptions& request_options = {}) const;
  /// Converts uploaded files (POST /docling/v1/convert/file), streamed from disk as multipart form
  /// data; each option is its own form field: lists repeat the field, booleans are true/false,
  /// numbers text, objects JSON text. RequestOptions::on_upload_progress reports bytes sent. For
  /// uploads the timeout bounds a stall (no byte moving for that long), not the whole upload, so a
  /// large file is never cut off.
  /// \throws BabyAPIError before sending when files is empty or a file cannot be read, or when
  ///         options is neither a JSON object nor null
  Response convert_file(const Files& files, const Json& options = Json::object(),
                        const RequestOptions& request_options = {}) const;

  /// convert_source() as an async task (POST /docling/v1/convert/source/async): answers
  /// {"task_id", ...} with _babyapi_docling_id added, the node that owns the task (also
  /// Response::docling_id()); finish it with wait_for_result().
  ///
  /// Async submits queue a task each time they reach a node, so they are retried only when the
  /// request surely did not arrive (connection refused) or the server said it did nothing (429,
  /// 503); after a timeout or a connection lost mid-request they throw instead.
  Response convert_source_async(const Json& body, const RequestOptions& request_options = {}) const;
  /// convert_file() as an async task (POST /docling/v1/convert/file/async); answered and retried
  /// as convert_source_async() is.
  Response convert_file_async(const Files& files, const Json& options = Json::object(),
                              const RequestOptions& request_options = {}) const;

  /// convert_source() as a Future, run on the Client's engine like create_async: returns at once;
  /// get() gives the Response or rethrows its typed error (see the README's Concurrency section).
  /// The four conversions are named *_future because *_async already names docling-serve's async
  /// tasks: convert_source_async_future is the submit, as a Future.
  Future<Response> convert_source_future(const Json& body,
                                         const RequestOptions& request_options = {}) const;
  /// convert_file() as a Future (see convert_source_future()).
  Future<Response> convert_file_future(const Files& files, const Json& options = Json::object(),
                                       const RequestOptions& request_options = {}) const;
  /// convert_source_async() as a Future: the submit, whose answer carries _babyapi_docling_id.
  Future<Response> convert_source_async_future(const Json& body,
                                               const RequestOptions& request_options = {}) const;
  /// convert_file_async() as a Future (see convert_source_async_future()).
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

  DoclingChunk chunk;  ///< the chunkers: `client.docling.chunk.hybrid_source(...)` and the rest

 private:
  /// A poll asking the server to hold its answer up to `wait`, with request_options as given.
  Response long_poll(std::string_view task_id, std::chrono::milliseconds wait,
                     const RequestOptions& request_options) const;
  CorePtr core_;
};

BABYAPI_NAMESPACE_END
