// The curl_multi event loop behind a Client's async calls (see engine.hpp).
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "babyapi/errors.hpp"
#include "http/curl_pool.hpp"
#include "http/engine.hpp"
#include "http/engine_parts.hpp"

namespace babyapi::detail {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Upper bound on one curl_multi_poll wait; a post or a cancel wakes it at once.
constexpr int kMaxPollMs = 1000;
// Idle easy handles kept for reuse (connections live in the multi handle's cache, not in them).
constexpr std::size_t kMaxIdleEasy = 64;

std::exception_ptr closed_error() { return engine_closed_error(); }

class CurlEngine final : public Engine {
 public:
  explicit CurlEngine(TransportConfig config) : config_(std::move(config)) {
    ensure_curl_global_init();
    multi_.reset(curl_multi_init());
    if (!multi_) throw std::bad_alloc();
    curl_multi_setopt(multi_.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // Bounded: without it, 10,000 futures open 10,000 sockets at once. Transfers past the bound
    // wait inside libcurl for a connection to come free; idle ones past it are closed.
    const long connections = std::max(1, config_.max_connections);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, connections);
  }

  ~CurlEngine() override { shutdown(); }

  bool post(std::function<void()> task) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return false;
      posted_.push_back(std::move(task));
      if (!thread_.joinable()) {
        thread_ = std::thread([this] { run(); });
        return true;  // the loop drains the queue before it first waits
      }
    }
    curl_multi_wakeup(multi_.get());
    return true;
  }

  std::uint64_t start(const HttpRequest& request, Completion done,
                      std::shared_ptr<BodyHooks> hooks) override {
    const std::uint64_t id = next_id_++;
    if (stopping_now()) {
      doomed_.add([done = std::move(done)] { done(HttpResponse{}, closed_error()); });
      return id;
    }
    auto transfer = std::make_unique<Transfer>();
    transfer->id = id;
    transfer->request = &request;
    transfer->done = std::move(done);
    transfer->hooks = std::move(hooks);
    transfer->easy = take_easy();
    CURL* easy = transfer->easy.get();
    try {
      transfer->resources = configure_easy(easy, request, config_, transfer->state);
    } catch (...) {
      // Not sent: the completion still runs on the loop, never inside the caller's start().
      doomed_.add([done = std::move(transfer->done), error = std::current_exception()]() mutable {
        done(HttpResponse{}, std::move(error));  // no copy stays in this task
      });
      return id;
    }
    if (transfer->hooks) {
      curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_hooked_body);
      curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
      watch_progress(easy, transfer->state);  // silence bounds may be set once the status is in
    }
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
    if (curl_multi_add_handle(multi_.get(), easy) != CURLM_OK) {
      doomed_.add([done = std::move(transfer->done)] {
        done(HttpResponse{}, std::make_exception_ptr(BabyAPIError("curl_multi_add_handle failed")));
      });
      return id;
    }
    transfers_.emplace(id, std::move(transfer));
    return id;
  }

  std::uint64_t after(milliseconds delay, TimerDone done) override {
    const std::uint64_t id = next_id_++;
    if (stopping_now()) {
      doomed_.add([done = std::move(done)] { done(closed_error()); });
      return id;
    }
    timers_.add(id, Clock::now() + std::max(delay, milliseconds(0)), std::move(done));
    return id;
  }

  void abort(std::uint64_t id, std::exception_ptr error) override {
    if (auto found = transfers_.find(id); found != transfers_.end()) {
      std::unique_ptr<Transfer> transfer = std::move(found->second);
      transfers_.erase(found);
      // Removing an unfinished transfer closes its connection: the server sees the end at once.
      curl_multi_remove_handle(multi_.get(), transfer->easy.get());
      finish_download(transfer->state, false);
      run_completion(*transfer, HttpResponse{}, std::move(error));
      return;
    }
    timers_.end(id, std::move(error));
  }

  bool on_engine_thread() const noexcept override {
    return loop_thread_id_.load() == std::this_thread::get_id();
  }

  void shutdown() noexcept override {
    std::thread thread;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      thread = std::move(thread_);
    }
    if (thread.joinable()) {
      curl_multi_wakeup(multi_.get());
      thread.join();
    }
  }

 private:
  struct Transfer {
    std::uint64_t id = 0;
    const HttpRequest* request = nullptr;
    EasyHandle easy;
    TransferResources resources;
    TransferState state;
    Completion done;
    std::shared_ptr<BodyHooks> hooks;
    bool body_decided = false;
    bool body_taken = false;
  };

  static size_t on_hooked_body(char* data, size_t size, size_t count, void* user) noexcept {
    auto& transfer = *static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    TransferState& state = transfer.state;
    try {
      if (!transfer.body_decided) {
        transfer.body_decided = true;
        transfer.body_taken = transfer.hooks->take_body(state.status, state.headers);
        if (!transfer.body_taken && state.idle_timeout.count() == 0) {
          state.idle_timeout = transfer.hooks->answer_idle_timeout;
        }
      }
      if (!transfer.body_taken) return store_body(state, data, bytes);
      state.last_byte = Clock::now();
      transfer.hooks->on_bytes(std::string_view(data, bytes));
      return bytes;
    } catch (...) {
      state.error = std::current_exception();
      return 0;
    }
  }

  bool stopping_now() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
  }

  EasyHandle take_easy() {
    if (!idle_easy_.empty()) {
      EasyHandle handle = std::move(idle_easy_.back());
      idle_easy_.pop_back();
      curl_easy_reset(handle.get());
      return handle;
    }
    EasyHandle handle(curl_easy_init());
    if (!handle) throw std::bad_alloc();
    return handle;
  }

  static void run_completion(Transfer& transfer, HttpResponse&& answer, std::exception_ptr error) {
    run_guarded([&] { transfer.done(std::move(answer), std::move(error)); });
  }

  void finish(CURL* easy, CURLcode code) {
    auto* raw = static_cast<Transfer*>(nullptr);
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&raw));
    auto found = transfers_.find(raw->id);
    std::unique_ptr<Transfer> transfer = std::move(found->second);
    transfers_.erase(found);
    curl_multi_remove_handle(multi_.get(), easy);
    TransferState& state = transfer->state;
    HttpResponse answer;
    std::exception_ptr error;
    try {
      if (state.error || code != CURLE_OK) {
        finish_download(state, false);
        if (state.error) std::rethrow_exception(std::exchange(state.error, nullptr));
        throw_transfer_error(code, state, transfer->request->url);
      }
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      finish_download(state, true);
      answer =
          HttpResponse{static_cast<int>(status), std::move(state.headers), std::move(state.body)};
    } catch (...) {
      error = std::current_exception();
    }
    // A handle whose transfer failed may hold a half-used connection: it is not kept.
    if (!error && idle_easy_.size() < kMaxIdleEasy) idle_easy_.push_back(std::move(transfer->easy));
    run_completion(*transfer, std::move(answer), std::move(error));
  }

  bool run_posted() { return run_posted_tasks(mutex_, posted_); }

  void perform() {
    int running = 0;
    curl_multi_perform(multi_.get(), &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &left)) {
      if (message->msg == CURLMSG_DONE) finish(message->easy_handle, message->data.result);
    }
  }

  int wait_ms() const {
    long long wait = kMaxPollMs;
    if (const auto next = timers_.next()) {
      const auto until = *next - Clock::now();
      wait = std::min<long long>(wait, std::chrono::ceil<milliseconds>(until).count());
    }
    return static_cast<int>(std::max<long long>(wait, 0));
  }

  void run() {
    block_process_signals();
    loop_thread_id_.store(std::this_thread::get_id());
    for (;;) {
      const bool ran = run_posted();
      doomed_.run();
      if (stopping_now()) break;
      perform();
      timers_.fire_due(Clock::now());
      doomed_.run();
      if (ran) continue;  // a task may have posted more, or started transfers to drive at once
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!posted_.empty() || stopping_) continue;
      }
      int ready = 0;
      curl_multi_poll(multi_.get(), nullptr, 0, wait_ms(), &ready);
    }
    // Shut down: every pending call completes with an error. Completions may start more work;
    // that is refused (doomed) and completed the same way, until nothing is left.
    for (;;) {
      run_posted();
      std::vector<std::uint64_t> ids;
      for (const auto& entry : transfers_) ids.push_back(entry.first);
      for (const std::uint64_t id : timers_.ids()) ids.push_back(id);
      for (const std::uint64_t id : ids) abort(id, closed_error());
      doomed_.run();
      std::lock_guard<std::mutex> lock(mutex_);
      if (transfers_.empty() && timers_.empty() && posted_.empty() && doomed_.empty()) break;
    }
    idle_easy_.clear();
    loop_thread_id_.store(std::thread::id());
  }

  TransportConfig config_;
  MultiHandle multi_;

  std::mutex mutex_;  // guards the three below
  std::vector<std::function<void()>> posted_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<std::thread::id> loop_thread_id_{};

  // Engine thread only.
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> transfers_;
  TimerQueue timers_;
  DoomedList doomed_;  // completions owed for work refused or unsendable
  std::vector<EasyHandle> idle_easy_;
};

}  // namespace

std::unique_ptr<Engine> make_curl_engine(const TransportConfig& config) {
  return std::make_unique<CurlEngine>(config);
}

}  // namespace babyapi::detail
