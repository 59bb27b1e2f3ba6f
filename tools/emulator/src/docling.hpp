// The simulated docling-serve nodes behind /docling/*: toy conversion to Markdown (and the
// other export formats), chunking, and the async task store of each node (see README.md).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server.hpp"

namespace emu {

// A FastAPI-shaped error answer: {"detail": detail}.
struct DetailError {
  int status;
  OJson detail;
};
// 422 {"detail":[{"loc": loc, "msg": msg, "type": type}]}.
DetailError unprocessable(OJson loc, const std::string& msg, const std::string& type);

// One document to convert: an uploaded file part, a base64 source, or a URL source.
struct DoclingInput {
  std::string filename;
  std::string content_type;  // as uploaded; "" for sources
  std::uint64_t size = 0;    // bytes received (all of them, not only head)
  std::uint64_t fnv1a64 = 0;
  std::string head;  // the first bytes (at most 1 MiB), the part that is converted
  std::string url;   // kind=http source: the emulator is offline, it never fetches it
};

struct DoclingDoc {
  std::string filename;
  std::string mimetype;
  std::uint64_t hash = 0;
  std::string markdown;
};

// Markdown passes through, HTML loses its tags, plain text becomes paragraphs, anything
// else (and every URL) becomes a placeholder document.
DoclingDoc convert_document(const DoclingInput& in);

inline const std::vector<std::string>& export_formats() {
  static const std::vector<std::string> formats = {"md",   "json",   "html", "html_split_page",
                                                   "text", "doctags"};
  return formats;
}

// {"filename", "md_content", "json_content", "html_content", "text_content",
//  "doctags_content"}: the formats asked for filled in, the others null.
OJson export_document(const DoclingDoc& doc, const std::vector<std::string>& formats);

// What a sync route answers and a task's result holds: JSON, or docling-serve's ZIP archive.
struct DoclingAnswer {
  std::string body;
  std::string content_type;  // application/json or application/zip
};
// The ZIP docling-serve answers for several documents or the zip target: per document, one file
// per requested format named <file stem>.<md|json|html|txt|doctags>, flat, sorted by name.
// Entries are stored, or deflated as docling-serve's are when deflate is set.
DoclingAnswer archive_documents(const std::vector<DoclingDoc>& docs,
                                const std::vector<std::string>& formats, bool deflate);
// The ZIP of a chunking job with the zip target: chunked_result.json holding the chunk answer.
DoclingAnswer archive_chunks(const OJson& chunked, bool deflate);
// Answers an archive with docling-serve's Content-Disposition header.
void send_answer(httplib::Response& res, const DoclingAnswer& answer);

// A Markdown block: a heading (level 1..6) or a paragraph (level 0).
struct MdBlock {
  int level = 0;
  std::string text;
};
std::vector<MdBlock> parse_markdown(std::string_view md);

struct ChunkOptions {
  bool hierarchical = false;  // one chunk per paragraph; else hybrid (merged up to max_tokens)
  long long max_tokens = 64;  // words
  bool merge_peers = true;
};
// The chunks of one document: [{"filename", "chunk_index", "text", "raw_text", "num_tokens",
// "headings", "captions", "doc_items", "page_numbers"}, ...]; at least one.
OJson chunk_document(const DoclingDoc& doc, const ChunkOptions& options);

// ---- Nodes and tasks -----------------------------------------------------------------

enum class TaskState { pending, started, success, failure };
const char* task_state_name(TaskState s);

// x-emulator-task: fail=1, hang=1, duration-ms=N, state=S, no-wait=1.
struct TaskPlan {
  bool fail = false;
  bool hang = false;
  long long duration_ms = 30;
  std::string end_state;  // non-empty: the state polls report once the task ended (not failed)
  bool no_wait = false;   // polls answer at once, ignoring `wait`
};
// Throws ApiError 400 (code emulator_bad_task) when the header is malformed.
TaskPlan parse_task_plan(const httplib::Request& req);

struct DoclingTask {
  using Clock = std::chrono::steady_clock;
  std::string id;
  std::string type;  // convert | chunk
  int node = 0;
  std::size_t num_docs = 0;
  Clock::time_point started_at;
  std::optional<Clock::time_point> done_at;  // none: hangs in "started"
  bool fail = false;
  std::string end_state;  // reported instead of "success" once ended, when set
  bool no_wait = false;
  DoclingAnswer result;  // answered by /v1/result once the task ended without failing

  TaskState state(Clock::time_point now) const;
};

// The nodes, their round-robin counter and their task stores. A task never changes after
// submit: its state follows from the clock, so nothing has to run in the background.
class DoclingCluster {
 public:
  // Each node forgets its oldest tasks beyond these limits (the newest is always kept).
  static constexpr std::size_t kTasksPerNode = 256;
  static constexpr std::size_t kResultBytesPerNode = std::size_t{64} * 1024 * 1024;

  explicit DoclingCluster(int nodes);
  int size() const { return nodes_; }
  static std::string node_name(int node);      // docling-node-<node + 1>
  int find_node(std::string_view name) const;  // -1 when unknown
  int next_node();

  std::shared_ptr<const DoclingTask> submit(int node, std::string type, std::size_t num_docs,
                                            const TaskPlan& plan, DoclingAnswer result);
  std::shared_ptr<const DoclingTask> find(int node, const std::string& id) const;

 private:
  int nodes_;
  std::atomic<std::uint64_t> round_robin_{0};
  std::atomic<std::uint64_t> task_count_{0};
  mutable std::mutex mu_;
  std::vector<std::map<std::string, std::shared_ptr<const DoclingTask>>> tasks_;
  std::vector<std::deque<std::string>> order_;
  std::vector<std::size_t> result_bytes_;
};

}  // namespace emu
