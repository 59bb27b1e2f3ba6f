// /docling/*: N simulated docling-serve nodes behind round-robin (see README.md). Every
// request is served by one node, named in x-babyapi-docling-id; async tasks live on the node
// that accepted them. Errors are FastAPI-shaped ({"detail": ...}) like docling-serve's.
#include <cmath>
#include <cstdlib>
#include <functional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "docling.hpp"
#include "form_reader.hpp"
#include "netutil.hpp"
#include "textutil.hpp"

namespace emu {
namespace {

constexpr const char* kNodeHeader = "x-babyapi-docling-id";
constexpr double kMaxPollWaitSeconds = 600.0;

struct Ctx {
  Call& call;
  DoclingCluster& cluster;
  int node = -1;
  FormBody form;  // streamed (multipart) routes only
};
using Handler = std::function<void(Ctx&)>;
using ClusterPtr = std::shared_ptr<DoclingCluster>;

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

void send_detail(httplib::Response& res, int status, OJson detail) {
  send_json(res, status, OJson{{"detail", std::move(detail)}});
}

// Every /docling/* route: pick the node (pinned or next in turn), read a streamed body, then
// faults and auth, then the handler. The node is named on every answer, faults included.
Route docling(const ClusterPtr& cluster, Handler handler) {
  return [cluster, handler = std::move(handler)](Call& call) {
    const std::string pinned = trim(call.req.get_header_value(kNodeHeader));
    const int node = pinned.empty() ? cluster->next_node() : cluster->find_node(pinned);
    if (node >= 0) {
      const std::string name = DoclingCluster::node_name(node);
      call.res.set_header(kNodeHeader, name);
      call.emu.log_update(call.log, [&](LogEntry& e) { e.record["docling_node"] = name; });
    }
    Ctx ctx{call, *cluster, node, {}};
    if (call.reader) ctx.form = read_form(call);
    // A body that could not be read to its end leaves bytes on the connection: close it.
    const bool read_failed = call.reader && !ctx.form.ok && ctx.form.bytes > 0;
    if (!call.emu.guard(call)) {
      if (read_failed && !call.res.content_provider_) end_connection_after_answer(call);
      return;
    }
    if (node < 0) {
      send_detail(call.res, 404, "Unknown docling node: " + pinned);
      if (read_failed) end_connection_after_answer(call);
      return;
    }
    if (read_failed) {
      send_detail(call.res, 400, "There was an error parsing the body");
      end_connection_after_answer(call);
      return;
    }
    try {
      handler(ctx);
    } catch (const DetailError& e) {
      send_json(call.res, e.status, OJson{{"detail", e.detail}});
    }
  };
}

// ---- Request parsing -----------------------------------------------------------------

OJson json_body(const Call& call) {
  OJson j = OJson::parse(call.req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    throw unprocessable(OJson::array({"body", 0}), "JSON decode error", "json_invalid");
  if (!j.is_object()) {
    throw unprocessable(OJson::array({"body"}),
                        "Input should be a valid dictionary or object to extract fields from",
                        "model_attributes_type");
  }
  return j;
}

OJson loc_with(OJson loc, const OJson& more) {
  loc.push_back(more);
  return loc;
}

std::string check_format(const std::string& f, const OJson& loc) {
  for (const auto& known : export_formats()) {
    if (f == known) return f;
  }
  throw unprocessable(loc,
                      "Input should be 'md', 'json', 'html', 'html_split_page', 'text' or "
                      "'doctags'",
                      "enum");
}

// to_formats from a JSON options object (a string or a list of strings); default ["md"].
std::vector<std::string> json_formats(const OJson& options, const OJson& loc) {
  std::vector<std::string> formats;
  if (!options.is_object() || !options.contains("to_formats") || options["to_formats"].is_null())
    return {"md"};
  const OJson& v = options["to_formats"];
  const OJson at = loc_with(loc, "to_formats");
  if (v.is_string()) return {check_format(v.get<std::string>(), at)};
  if (!v.is_array()) throw unprocessable(at, "Input should be a valid list", "list_type");
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      throw unprocessable(loc_with(at, i), "Input should be a valid string", "string_type");
    formats.push_back(check_format(v[i].get<std::string>(), loc_with(at, i)));
  }
  return formats;
}

// to_formats from form fields named `name` (repeated, or one JSON list); default ["md"].
std::vector<std::string> form_formats(const FormBody& form, const std::string& name) {
  std::vector<std::string> formats;
  const OJson at = OJson::array({"body", name});
  for (const FormField& f : form.fields) {
    if (f.name != name) continue;
    const OJson list = f.value.rfind('[', 0) == 0 ? OJson::parse(f.value, nullptr, false) : OJson();
    if (list.is_array()) {
      formats = json_formats(OJson{{"to_formats", list}}, OJson::array({"body"}));
    } else {
      formats.push_back(check_format(trim(f.value), loc_with(at, formats.size())));
    }
  }
  if (formats.empty()) formats.push_back("md");
  return formats;
}

std::vector<DoclingInput> json_sources(const OJson& body) {
  const OJson loc = OJson::array({"body", "sources"});
  if (!body.contains("sources") || body["sources"].is_null() ||
      (body["sources"].is_array() && body["sources"].empty())) {
    throw unprocessable(loc, "Field required", "missing");
  }
  const OJson& sources = body["sources"];
  if (!sources.is_array()) throw unprocessable(loc, "Input should be a valid list", "list_type");
  std::vector<DoclingInput> inputs;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const OJson& s = sources[i];
    const OJson at = loc_with(loc, i);
    auto text = [&](const char* key) {
      if (!s.contains(key) || s[key].is_null())
        throw unprocessable(loc_with(at, key), "Field required", "missing");
      if (!s[key].is_string())
        throw unprocessable(loc_with(at, key), "Input should be a valid string", "string_type");
      return s[key].get<std::string>();
    };
    if (!s.is_object()) {
      throw unprocessable(at, "Input should be a valid dictionary or object",
                          "model_attributes_type");
    }
    const std::string kind =
        s.contains("kind") && s["kind"].is_string() ? s["kind"].get<std::string>() : "";
    DoclingInput in;
    if (kind == "http") {
      in.url = text("url");
    } else if (kind == "file") {
      const std::string b64 = text("base64_string");
      in.filename = text("filename");
      if (!base64_decode(b64, kFormKeepBytes, in.head, in.size)) {
        throw unprocessable(loc_with(at, "base64_string"), "Invalid base64-encoded string",
                            "value_error");
      }
      in.fnv1a64 = fnv1a64(in.head);
    } else {
      throw unprocessable(loc_with(at, "kind"),
                          "Input tag '" + kind +
                              "' found using 'kind' does not match any of the "
                              "expected tags: 'file', 'http'",
                          "union_tag_invalid");
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

std::vector<DoclingInput> form_inputs(FormBody& form) {
  std::vector<DoclingInput> inputs;
  for (FormFile& f : form.files) {
    if (f.name != "files") continue;
    DoclingInput in;
    in.filename = f.filename;
    in.content_type = f.content_type;
    in.size = f.size;
    in.fnv1a64 = f.fnv1a64;
    in.head = std::move(f.head);
    inputs.push_back(std::move(in));
  }
  if (inputs.empty())
    throw unprocessable(OJson::array({"body", "files"}), "Field required", "missing");
  return inputs;
}

long long tokens_value(const OJson& v, const OJson& loc) {
  long long n = 0;
  if (v.is_number_integer()) {
    n = v.get<long long>();
  } else if (!v.is_string() || !parse_long(trim(v.get<std::string>()), n)) {
    throw unprocessable(loc, "Input should be a valid integer", "int_parsing");
  }
  if (n < 1)
    throw unprocessable(loc, "Input should be greater than or equal to 1", "greater_than_equal");
  return n;
}

bool bool_value(const OJson& v, const OJson& loc) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    const std::string s = to_lower(trim(v.get<std::string>()));
    if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  }
  throw unprocessable(loc, "Input should be a valid boolean", "bool_parsing");
}

// docling-serve's target kinds the emulator answers: inbody (the default) and zip. The others
// (s3, put, presigned_url) push results elsewhere, which an offline emulator cannot do.
bool zip_target_kind(const std::string& kind, const OJson& loc) {
  if (kind == "inbody") return false;
  if (kind == "zip") return true;
  throw unprocessable(loc, "Input should be 'inbody' or 'zip' (the emulator's targets)", "enum");
}

// ---- Jobs ------------------------------------------------------------------------------

struct Job {
  bool chunk = false;
  bool zip_target = false;   // docling-serve's ZipTarget; the default InBodyTarget otherwise
  bool deflate_zip = false;  // x-emulator-zip: deflate (docling-serve deflates; default stored)
  ChunkOptions chunking;
  std::vector<std::string> formats{"md"};
  std::vector<DoclingInput> inputs;
};

Job source_job(const Call& call, bool chunk, bool hierarchical) {
  const OJson body = json_body(call);
  Job job;
  job.chunk = chunk;
  job.chunking.hierarchical = hierarchical;
  job.inputs = json_sources(body);
  if (body.contains("target") && !body["target"].is_null()) {
    const OJson& target = body["target"];
    const OJson loc = OJson::array({"body", "target", "kind"});
    if (!target.is_object() || !target.contains("kind") || !target["kind"].is_string())
      throw unprocessable(loc, "Field required", "missing");
    job.zip_target = zip_target_kind(target["kind"].get<std::string>(), loc);
  }
  const char* options_key = chunk ? "convert_options" : "options";
  if (body.contains(options_key)) {
    job.formats = json_formats(body[options_key], OJson::array({"body", options_key}));
  }
  if (chunk && body.contains("chunking_options") && body["chunking_options"].is_object()) {
    const OJson& c = body["chunking_options"];
    const OJson loc = OJson::array({"body", "chunking_options"});
    if (c.contains("max_tokens") && !c["max_tokens"].is_null())
      job.chunking.max_tokens = tokens_value(c["max_tokens"], loc_with(loc, "max_tokens"));
    if (c.contains("merge_peers") && !c["merge_peers"].is_null())
      job.chunking.merge_peers = bool_value(c["merge_peers"], loc_with(loc, "merge_peers"));
  }
  return job;
}

Job file_job(FormBody& form, bool chunk, bool hierarchical) {
  Job job;
  job.chunk = chunk;
  job.chunking.hierarchical = hierarchical;
  job.formats = form_formats(form, chunk ? "convert_to_formats" : "to_formats");
  for (const FormField& f : form.fields) {
    const OJson loc = OJson::array({"body", f.name});
    if (chunk && f.name == "chunking_max_tokens")
      job.chunking.max_tokens = tokens_value(f.value, loc);
    if (chunk && f.name == "chunking_merge_peers")
      job.chunking.merge_peers = bool_value(f.value, loc);
    if (f.name == "target_type") job.zip_target = zip_target_kind(trim(f.value), loc);
  }
  job.inputs = form_inputs(form);
  return job;
}

// The answer of the sync endpoint, and the stored result of the async one. When it is a ZIP
// rather than JSON follows docling-jobkit: see docling_archive.cpp.
DoclingAnswer run_job(const Job& job) {
  std::vector<DoclingDoc> docs;
  for (const DoclingInput& in : job.inputs) docs.push_back(convert_document(in));
  if (job.chunk) {
    OJson chunks = OJson::array();
    OJson documents = OJson::array();
    for (const DoclingDoc& doc : docs) {
      for (auto& c : chunk_document(doc, job.chunking)) chunks.push_back(std::move(c));
      documents.push_back(OJson{{"kind", "ExportResult"},
                                {"content", export_document(doc, job.formats)},
                                {"status", "success"},
                                {"errors", OJson::array()},
                                {"timings", OJson::object()}});
    }
    const OJson chunked{{"chunks", std::move(chunks)},
                        {"documents", std::move(documents)},
                        {"processing_time", 0.0}};
    if (job.zip_target) return archive_chunks(chunked, job.deflate_zip);
    return DoclingAnswer{dump(chunked), "application/json"};
  }
  if (job.zip_target || docs.size() != 1) {
    return archive_documents(docs, job.formats, job.deflate_zip);
  }
  OJson out;
  out["document"] = export_document(docs.front(), job.formats);
  out["status"] = "success";
  out["errors"] = OJson::array();
  out["processing_time"] = 0.0;
  out["timings"] = OJson::object();
  return DoclingAnswer{dump(out), "application/json"};
}

// docling-serve's PublicFailureInfo of a failed task (status polls and the result).
OJson task_failure() {
  return OJson{{"category", "internal"},
               {"message", "Injected task failure"},
               {"retryable", false},
               {"phase", "execution"},
               {"details", OJson::object()}};
}

OJson task_json(const DoclingTask& t, DoclingTask::Clock::time_point now, bool mirror) {
  const TaskState s = t.state(now);
  OJson j;
  j["task_id"] = t.id;
  j["task_type"] = t.type;
  const std::string state =
      s == TaskState::success && !t.end_state.empty() ? t.end_state : task_state_name(s);
  j["task_status"] = state;
  if (mirror) j["status"] = state;  // BabyAPI's proxy mirrors it
  j["task_position"] = s == TaskState::pending ? OJson(0) : OJson(nullptr);
  if (s == TaskState::pending) {
    j["task_meta"] = nullptr;
  } else {
    const bool done = s == TaskState::success || s == TaskState::failure;
    j["task_meta"] = OJson{{"num_docs", t.num_docs},
                           {"num_processed", done ? t.num_docs : 0},
                           {"num_succeeded", s == TaskState::success ? t.num_docs : 0},
                           {"num_failed", s == TaskState::failure ? t.num_docs : 0}};
  }
  if (s == TaskState::failure) {
    j["error_message"] = "Injected task failure";
    j["failure"] = task_failure();
  }
  return j;
}

void answer_job(Ctx& ctx, Job job, bool async) {
  const std::string zip = ctx.call.req.get_header_value("x-emulator-zip");
  if (!zip.empty() && zip != "deflate" && zip != "store") {
    throw bad_request("Invalid x-emulator-zip header: expected deflate or store", "x-emulator-zip",
                      "emulator_bad_zip");
  }
  job.deflate_zip = zip == "deflate";
  if (!async) {
    send_answer(ctx.call.res, run_job(job));
    return;
  }
  const TaskPlan plan = parse_task_plan(ctx.call.req);
  auto task = ctx.cluster.submit(ctx.node, job.chunk ? "chunk" : "convert", job.inputs.size(), plan,
                                 run_job(job));
  send_json(ctx.call.res, 200, task_json(*task, DoclingTask::Clock::now(), false));
}

double wait_seconds(const httplib::Request& req) {
  if (!req.has_param("wait")) return 0.0;
  const std::string v = trim(req.get_param_value("wait"));
  char* end = nullptr;
  const double s = std::strtod(v.c_str(), &end);
  if (v.empty() || !end || *end != '\0' || !std::isfinite(s)) {
    throw unprocessable(OJson::array({"query", "wait"}), "Input should be a valid number",
                        "float_parsing");
  }
  return std::min(std::max(s, 0.0), kMaxPollWaitSeconds);
}

void poll(Ctx& ctx) {
  using Clock = DoclingTask::Clock;
  double wait_s = wait_seconds(ctx.call.req);
  auto task = ctx.cluster.find(ctx.node, ctx.call.req.matches[1]);
  if (!task) {
    send_detail(ctx.call.res, 404, "Task not found.");
    return;
  }
  if (task->no_wait) wait_s = 0.0;  // a server without long polling
  // Long poll: until the task ends or `wait` seconds pass (shutdown and a client that
  // leaves end it early). A task's end time is known, so a timed wait suffices.
  const auto now = Clock::now();
  auto until =
      now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_s));
  if (task->done_at && *task->done_at < until) until = *task->done_at;
  if (until > now) {
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now);
    const int fd = find_connection_fd(ctx.call.req.local_port, ctx.call.req.remote_port);
    ctx.call.emu.wait(ms, nullptr, fd);
  }
  send_json(ctx.call.res, 200, task_json(*task, Clock::now(), true));
}

void result(Ctx& ctx) {
  auto task = ctx.cluster.find(ctx.node, ctx.call.req.matches[1]);
  if (!task) {
    send_detail(ctx.call.res, 404, "Task not found.");
    return;
  }
  const TaskState state = task->state(DoclingTask::Clock::now());
  if (state == TaskState::failure) {
    // docling-serve answers a failed task's result as 200 TaskFailureResult (app.py task_result).
    send_json(ctx.call.res, 200, OJson{{"kind", "TaskFailureResult"}, {"failure", task_failure()}});
    return;
  }
  if (state != TaskState::success) {
    send_detail(ctx.call.res, 404, "Task result not found. Please wait for a completion status.");
    return;
  }
  send_answer(ctx.call.res, task->result);
}

}  // namespace

void register_docling_routes(Emulator& emu) {
  auto cluster = std::make_shared<DoclingCluster>(emu.config().docling_nodes);
  std::vector<std::pair<std::string, std::regex>> known;  // for 405 answers
  auto get = [&](const std::string& pattern, Handler h) {
    emu.route("GET", pattern, docling(cluster, std::move(h)), /*self_guarded=*/true);
    known.emplace_back("GET", std::regex(pattern));
  };
  auto post_json = [&](const std::string& pattern, Handler h) {
    emu.route("POST", pattern, docling(cluster, std::move(h)), /*self_guarded=*/true);
    known.emplace_back("POST", std::regex(pattern));
  };
  auto post_form = [&](const std::string& pattern, Handler h) {
    emu.route_streamed(pattern, docling(cluster, std::move(h)));
    known.emplace_back("POST", std::regex(pattern));
  };

  get("/docling/health", [](Ctx& ctx) { send_json(ctx.call.res, 200, OJson{{"status", "ok"}}); });
  get("/docling/ready", [](Ctx& ctx) { send_json(ctx.call.res, 200, OJson{{"status", "ready"}}); });
  get("/docling/version", [](Ctx& ctx) {
    OJson v;
    for (const char* k : {"docling-serve", "docling-jobkit", "docling", "docling-core",
                          "docling-ibm-models", "docling-parse", "python"}) {
      v[k] = "emulator";
    }
    v["platform"] = std::string(kName) + " " + kVersion;
    v["node"] = DoclingCluster::node_name(ctx.node);
    send_json(ctx.call.res, 200, v);
  });

  for (const bool async : {false, true}) {
    const std::string tail = async ? "/async" : "";
    post_json("/docling/v1/convert/source" + tail,
              [async](Ctx& ctx) { answer_job(ctx, source_job(ctx.call, false, false), async); });
    post_form("/docling/v1/convert/file" + tail,
              [async](Ctx& ctx) { answer_job(ctx, file_job(ctx.form, false, false), async); });
    for (const bool hier : {false, true}) {
      auto path = [&](const char* input) {
        std::string p = "/docling/v1/chunk/";
        p.append(hier ? "hierarchical" : "hybrid").append(input).append(tail);
        return p;
      };
      post_json(path("/source"), [async, hier](Ctx& ctx) {
        answer_job(ctx, source_job(ctx.call, true, hier), async);
      });
      post_form(path("/file"), [async, hier](Ctx& ctx) {
        answer_job(ctx, file_job(ctx.form, true, hier), async);
      });
    }
  }
  get("/docling/v1/status/poll/([^/]+)", poll);
  get("/docling/v1/result/([^/]+)", result);

  // Any other /docling/* request is still served by a node: 405 for a known path, else 404.
  auto other = docling(cluster, [known](Ctx& ctx) {
    for (const auto& [method, re] : known) {
      if (method != ctx.call.req.method && std::regex_match(ctx.call.req.path, re)) {
        send_detail(ctx.call.res, 405, "Method Not Allowed");
        return;
      }
    }
    send_detail(ctx.call.res, 404, "Not Found");
  });
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    emu.route(method, "/docling(/.*)?", other, /*self_guarded=*/true);
  }
}

}  // namespace emu
