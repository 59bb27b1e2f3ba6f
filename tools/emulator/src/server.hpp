// babyapi-emulator core: shared state (request log, fault counters, hold latches,
// stream registry), the per-request wrapper (request id, log, faults, auth) and the
// declarations the route modules use.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace emu {

using OJson = nlohmann::ordered_json;

inline constexpr const char* kName = "babyapi-emulator";
inline constexpr const char* kVersion = "0.1.0";
inline constexpr std::int64_t kCreated = 1700000000;  // fixed "created" of every object
inline constexpr std::size_t kLogCapacity = 1000;
inline constexpr std::size_t kLogBodyCap = 1024 * 1024;
// A multipart part's bytes are logged (content, content_base64) only up to this size.
inline constexpr std::size_t kLogPartCap = std::size_t{64} * 1024;

struct Config {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string api_key;  // empty: any non-empty Bearer token is accepted
  int docling_nodes = 2;
  bool exit_on_stdin_eof = false;
  bool verbose = false;
};

// An error answer in OpenAI shape; thrown by validation code, answered by the wrapper.
struct ApiError : std::runtime_error {
  ApiError(int status_, std::string message, std::string type_, OJson param_, OJson code_);
  int status;
  std::string type;
  OJson param;
  OJson code;
};

// 400 invalid_request_error naming the offending parameter (empty → param null).
ApiError bad_request(const std::string& message, const std::string& param = "",
                     const std::string& code = "invalid_value");

// JSON text; invalid UTF-8 in strings is replaced rather than throwing.
std::string dump(const OJson& j);
OJson openai_error_body(const std::string& message, const std::string& type, const OJson& param,
                        const OJson& code);
void send_json(httplib::Response& res, int status, const OJson& body);
void send_openai_error(httplib::Response& res, int status, const std::string& message,
                       const std::string& type, const OJson& param, const OJson& code);

struct LogEntry {
  OJson record;  // fixed part, built when the request arrives
  // Fields below change later and are guarded by the log mutex.
  int status = 0;
  OJson fault;   // null, or {"header":..., "applied":bool}
  OJson stream;  // null, or {"key","state","events_sent","bytes_sent"}
  bool client_closed = false;
};

struct StreamState {
  std::string key;  // hold-key/key option, else the request id
  std::string request_id;
  std::string state = "open";  // open | completed | client_closed | cut | shutdown
  std::size_t events_sent = 0;
  std::size_t bytes_sent = 0;
  std::shared_ptr<LogEntry> log;
};

class Emulator;

// What a route handler gets.
struct Call {
  Emulator& emu;
  const httplib::Request& req;
  httplib::Response& res;
  std::string request_id;
  std::uint64_t seq;
  std::shared_ptr<LogEntry> log;  // null for /_emulator/* (not logged)
  // Streamed routes only (route_streamed): the body is still unread and must be read
  // through this reader, once; set body_consumed when done (else the wrapper drains it).
  const httplib::ContentReader* reader = nullptr;
  bool body_consumed = false;
};

using Route = std::function<void(Call&)>;

enum class WaitEnd { predicate, timeout, shutdown, client_closed };

class Emulator {
 public:
  explicit Emulator(Config cfg);

  const Config& config() const { return cfg_; }
  int port() const { return port_.load(); }
  void set_port(int port) { port_.store(port); }

  // Registers every route plus the error/post-routing handlers on svr.
  void install(httplib::Server& svr);
  // For route modules, during install(): wraps fn and registers it. The wrapper applies
  // x-emulator-fault and auth before fn unless self_guarded (then fn calls guard()).
  void route(const std::string& method, const std::string& pattern, Route fn,
             bool self_guarded = false);
  // A POST route whose body httplib does not read: fn reads it through call.reader (so a
  // huge upload never sits in memory). Always self-guarded: fn reads the body, then guard().
  void route_streamed(const std::string& pattern, Route fn);
  // x-emulator-fault, then auth. False when the request has been answered.
  bool guard(Call& call);

  void begin_shutdown();
  bool shutting_down() const { return shutdown_.load(); }
  void set_exit_hook(std::function<void()> hook) { exit_hook_ = std::move(hook); }
  void request_exit() const {
    if (exit_hook_) exit_hook_();
  }

  // Waits until pred() (evaluated under the state mutex), the timeout, shutdown,
  // or — when watch_fd >= 0 — the peer closing that connection.
  WaitEnd wait(std::chrono::milliseconds timeout, const std::function<bool()>& pred, int watch_fd);

  // Hold latches: release() before or after the hold starts both work.
  void release(const std::string& key);
  bool released_locked(const std::string& key) const { return released_.count(key) != 0; }

  std::shared_ptr<StreamState> open_stream(const Call& call, const std::string& key);
  void stream_progress(StreamState& s, std::size_t events, std::size_t bytes);
  // Moves an open stream to its final state (first call wins).
  void finish_stream(StreamState& s, const std::string& state);
  OJson stream_json_locked(const StreamState& s) const;
  std::shared_ptr<StreamState> find_stream_locked(const std::string& key) const;

  // 1-based count of requests seen with this exact x-emulator-fault value.
  long long count_fault(const std::string& header_value);
  std::size_t reset_faults();

  std::shared_ptr<LogEntry> log_request(const httplib::Request& req, const std::string& rid,
                                        std::uint64_t seq);
  void log_update(const std::shared_ptr<LogEntry>& e, const std::function<void(LogEntry&)>& fn);
  OJson log_snapshot(const std::string& path_filter) const;
  std::size_t log_clear();

  std::mutex& state_mutex() { return state_mu_; }

 private:
  httplib::Server::Handler wrap(Route fn, bool internal, bool self_guarded);
  void run(Call& call, const Route& fn, bool internal, bool self_guarded);
  bool check_auth(Call& call) const;
  void register_internal_routes();

  Config cfg_;
  std::atomic<int> port_{0};
  std::atomic<bool> shutdown_{false};
  std::atomic<std::uint64_t> seq_{0};
  std::function<void()> exit_hook_;
  httplib::Server* svr_ = nullptr;

  // state_mu_ guards released_, streams_, stream_order_ and StreamState fields.
  mutable std::mutex state_mu_;
  std::condition_variable state_cv_;
  std::set<std::string> released_;
  std::map<std::string, std::shared_ptr<StreamState>> streams_;
  std::deque<std::string> stream_order_;

  std::mutex fault_mu_;
  std::map<std::string, long long> fault_counts_;

  mutable std::mutex log_mu_;
  std::deque<std::shared_ptr<LogEntry>> log_;
};

// Route modules.
void register_generation_routes(Emulator& emu);  // chat, completions, /infer
void register_model_routes(Emulator& emu);       // models, embeddings, rerank, health, tts
void register_docling_routes(Emulator& emu);     // /docling/* (simulated docling-serve nodes)

// faults.cpp: applies x-emulator-fault; true when the request has been answered.
bool apply_fault(Call& call);

// Shared by the JSON routes: the body parsed as a JSON object, else ApiError 400.
OJson parse_json_body(const Call& call);

// A multipart part's bytes in a log record: "content" and "content_base64" when the part
// is small (size <= kLogPartCap and bytes holds all of it), else both null.
void add_part_content(OJson& part, const std::string& bytes, std::uint64_t size);

// After a failed body read, once the answer is set: it is sent with Connection: close and
// then the connection is shut, so what is left of the body is never parsed as a request.
void end_connection_after_answer(Call& call);

}  // namespace emu
