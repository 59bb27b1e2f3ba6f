// The simulated Docling nodes: round-robin, pinning by name, and each node's async tasks.
#include <algorithm>
#include <cstdio>
#include <utility>

#include "docling.hpp"
#include "textutil.hpp"

namespace emu {
namespace {

ApiError bad_task_header(const std::string& why) {
  return ApiError(400, "Invalid x-emulator-task header: " + why, "invalid_request_error",
                  "x-emulator-task", "emulator_bad_task");
}

bool flag_value(const std::string& key, const std::string& v) {
  if (v == "1" || v == "true") return true;
  if (v == "0" || v == "false") return false;
  throw bad_task_header(key + " must be 1|true|0|false");
}

// UUID-shaped (version 4 layout) and unique within the process: the counter fills the last
// group, a splitmix64 of it the others.
std::string make_task_id(std::uint64_t n) {
  std::uint64_t h = n + 0x9E3779B97F4A7C15ULL;
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
  h ^= h >> 31;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(h >> 32),
                static_cast<unsigned long long>((h >> 16) & 0xFFFF),
                static_cast<unsigned long long>((h >> 4) & 0xFFF),
                static_cast<unsigned long long>(0x8000 | ((h << 4) & 0x3FF0) | (n >> 48 & 0xF)),
                static_cast<unsigned long long>(n & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace

const char* task_state_name(TaskState s) {
  switch (s) {
    case TaskState::pending:
      return "pending";
    case TaskState::started:
      return "started";
    case TaskState::success:
      return "success";
    case TaskState::failure:
      return "failure";
  }
  return "pending";
}

TaskPlan parse_task_plan(const httplib::Request& req) {
  TaskPlan plan;
  if (!req.has_header("x-emulator-task")) return plan;
  std::vector<std::pair<std::string, std::string>> items;
  std::string err;
  if (!parse_kv_list(req.get_header_value("x-emulator-task"), items, err)) {
    throw bad_task_header(err);
  }
  for (const auto& [k, v] : items) {
    if (k == "fail") {
      plan.fail = flag_value(k, v);
    } else if (k == "hang") {
      plan.hang = flag_value(k, v);
    } else if (k == "duration-ms") {
      long long n = 0;
      if (!parse_long(v, n) || n < 0 || n > 3600000) {
        throw bad_task_header("duration-ms must be an integer 0..3600000");
      }
      plan.duration_ms = n;
    } else if (k == "state") {
      // Any lowercase word: lets tests meet states docling-serve's schema allows
      // (partial_success, skipped) and ones no server should send.
      if (v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
        throw bad_task_header("state must be a lowercase word");
      plan.end_state = v;
    } else if (k == "no-wait") {
      plan.no_wait = flag_value(k, v);
    } else {
      throw bad_task_header("unknown key '" + k + "'");
    }
  }
  return plan;
}

TaskState DoclingTask::state(Clock::time_point now) const {
  if (now < started_at) return TaskState::pending;
  if (!done_at || now < *done_at) return TaskState::started;
  return fail ? TaskState::failure : TaskState::success;
}

DoclingCluster::DoclingCluster(int nodes)
    : nodes_(std::max(1, nodes)),
      tasks_(static_cast<std::size_t>(nodes_)),
      order_(static_cast<std::size_t>(nodes_)),
      result_bytes_(static_cast<std::size_t>(nodes_), 0) {}

std::string DoclingCluster::node_name(int node) {
  return "docling-node-" + std::to_string(node + 1);
}

int DoclingCluster::find_node(std::string_view name) const {
  for (int i = 0; i < nodes_; ++i) {
    if (node_name(i) == name) return i;
  }
  return -1;
}

int DoclingCluster::next_node() {
  return static_cast<int>(round_robin_.fetch_add(1) % static_cast<std::uint64_t>(nodes_));
}

std::shared_ptr<const DoclingTask> DoclingCluster::submit(int node, std::string type,
                                                          std::size_t num_docs,
                                                          const TaskPlan& plan,
                                                          DoclingAnswer result) {
  using std::chrono::milliseconds;
  auto task = std::make_shared<DoclingTask>();
  task->id = make_task_id(task_count_.fetch_add(1) + 1);
  task->type = std::move(type);
  task->node = node;
  task->num_docs = num_docs;
  task->fail = plan.fail;
  task->end_state = plan.end_state;
  task->no_wait = plan.no_wait;
  const auto now = DoclingTask::Clock::now();
  // Default: started after 10 ms, done after 30 ms; duration-ms=N: started after N/3 (at
  // most 10 ms), done after N.
  task->started_at = now + milliseconds(std::min<long long>(10, plan.duration_ms / 3));
  if (!plan.hang) task->done_at = now + milliseconds(plan.duration_ms);
  if (!plan.fail && !plan.hang) task->result = std::move(result);

  std::lock_guard<std::mutex> lk(mu_);
  auto& tasks = tasks_[static_cast<std::size_t>(node)];
  auto& order = order_[static_cast<std::size_t>(node)];
  std::size_t& bytes = result_bytes_[static_cast<std::size_t>(node)];
  tasks[task->id] = task;
  order.push_back(task->id);
  bytes += task->result.body.size();
  while (order.size() > 1 && (order.size() > kTasksPerNode || bytes > kResultBytesPerNode)) {
    auto it = tasks.find(order.front());
    bytes -= it->second->result.body.size();
    tasks.erase(it);
    order.pop_front();
  }
  return task;
}

std::shared_ptr<const DoclingTask> DoclingCluster::find(int node, const std::string& id) const {
  if (node < 0 || node >= nodes_) return nullptr;
  std::lock_guard<std::mutex> lk(mu_);
  const auto& tasks = tasks_[static_cast<std::size_t>(node)];
  auto it = tasks.find(id);
  return it == tasks.end() ? nullptr : it->second;
}

}  // namespace emu
