// The engine of a transport that is not the built-in one (see engine.hpp): the test kit's
// FakeTransport, or a user's own. Transfers run through the transport's blocking calls on the
// engine thread, one step at a time: a send is one step, a stream is its opening and then one step
// per read. Steps of different transfers take turns, and posted tasks (cancels, new calls) run
// between them, so a cancel reaches a stream between two of its reads.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "babyapi/errors.hpp"
#include "http/engine.hpp"
#include "http/engine_parts.hpp"

namespace babyapi::detail {
namespace {

using std::chrono::milliseconds;

class TransportEngine final : public Engine {
 public:
  explicit TransportEngine(std::shared_ptr<Transport> transport)
      : transport_(std::move(transport)) {}

  ~TransportEngine() override { shutdown(); }

  bool post(std::function<void()> task) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return false;
    posted_.push_back(std::move(task));
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    wake_.notify_one();
    return true;
  }

  std::uint64_t start(const HttpRequest& request, Completion done,
                      std::shared_ptr<BodyHooks> hooks) override {
    const std::uint64_t id = next_id_++;
    if (stopping_now()) {
      doomed_.add([done = std::move(done)] { done(HttpResponse{}, engine_closed_error()); });
      return id;
    }
    auto transfer = std::make_unique<Transfer>();
    transfer->request = &request;
    transfer->done = std::move(done);
    transfer->hooks = std::move(hooks);
    transfers_.emplace(id, std::move(transfer));
    ready_.push_back(id);
    return id;
  }

  std::uint64_t after(milliseconds delay, TimerDone done) override {
    const std::uint64_t id = next_id_++;
    if (stopping_now()) {
      doomed_.add([done = std::move(done)] { done(engine_closed_error()); });
      return id;
    }
    timers_.add(id, transport_->now() + std::max(delay, milliseconds(0)), std::move(done));
    return id;
  }

  void abort(std::uint64_t id, std::exception_ptr error) override {
    if (auto found = transfers_.find(id); found != transfers_.end()) {
      // Dropping the StreamTransfer ends the exchange, as closing a connection does.
      std::unique_ptr<Transfer> transfer = std::move(found->second);
      transfers_.erase(found);
      run_guarded([&] { transfer->done(HttpResponse{}, std::move(error)); });
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
      wake_.notify_one();
    }
    if (thread.joinable()) thread.join();
  }

 private:
  struct Transfer {
    const HttpRequest* request = nullptr;
    Completion done;
    std::shared_ptr<BodyHooks> hooks;
    std::unique_ptr<StreamTransfer> stream;  // a stream once opened
    bool body_taken = false;
    std::string body;  // a stream's body when the hooks did not take it (an error answer)
  };

  bool stopping_now() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
  }

  // One step of transfer id: its send, its stream's opening, or one read.
  void step(std::uint64_t id) {
    auto found = transfers_.find(id);
    if (found == transfers_.end()) return;  // aborted meanwhile
    Transfer& transfer = *found->second;
    std::exception_ptr error;
    std::optional<HttpResponse> answer;
    try {
      answer = advance(transfer);
    } catch (...) {
      error = std::current_exception();
    }
    if (!error && !answer) {
      ready_.push_back(id);  // more to read: after the others have had their turn
      return;
    }
    // Completed outside the catch handler, as the curl engine does: the caller may be the one
    // that frees the exception.
    std::unique_ptr<Transfer> done = std::move(found->second);
    transfers_.erase(found);
    HttpResponse result = answer ? std::move(*answer) : HttpResponse{};
    run_guarded([&] { done->done(std::move(result), std::move(error)); });
  }

  // The answer once the transfer is complete; nullopt while a stream has more to read.
  std::optional<HttpResponse> advance(Transfer& transfer) {
    const HttpRequest& request = *transfer.request;
    if (!transfer.hooks) return transport_->send(request);
    if (!transfer.stream) {
      transfer.stream = transport_->open_stream(request, request.idle_timeout);
      transfer.body_taken =
          transfer.hooks->take_body(transfer.stream->status(), transfer.stream->headers());
      return std::nullopt;
    }
    const std::string_view bytes = transfer.stream->read();
    if (bytes.empty()) {
      return HttpResponse{transfer.stream->status(), transfer.stream->headers(),
                          std::move(transfer.body)};
    }
    if (transfer.body_taken) {
      transfer.hooks->on_bytes(bytes);
    } else {
      const std::size_t bound = request.max_response_bytes;
      if (bound != 0 && transfer.body.size() + bytes.size() > bound) {
        throw ResponseTooLargeError("The answer grew past max_response_bytes (" +
                                    std::to_string(bound) + " bytes)");
      }
      transfer.body.append(bytes);
    }
    return std::nullopt;
  }

  bool run_posted() { return run_posted_tasks(mutex_, posted_); }

  void run() {
    block_process_signals();
    loop_thread_id_.store(std::this_thread::get_id());
    for (;;) {
      run_posted();
      doomed_.run();
      if (stopping_now()) break;
      if (!ready_.empty()) {
        const std::uint64_t id = ready_.front();
        ready_.pop_front();
        step(id);
        continue;
      }
      timers_.fire_due(transport_->now());
      doomed_.run();
      std::unique_lock<std::mutex> lock(mutex_);
      if (!posted_.empty() || stopping_ || !ready_.empty()) continue;
      if (const auto next = timers_.next()) {
        lock.unlock();
        // Only timers are left: wait for the first through the transport's own sleep (a fake's
        // virtual time moves at once). A post made meanwhile runs when it returns.
        const auto wait = std::chrono::ceil<milliseconds>(*next - transport_->now());
        if (wait.count() > 0) transport_->sleep(wait);
        continue;
      }
      wake_.wait(lock, [this] { return !posted_.empty() || stopping_; });
    }
    // Shut down: every pending call completes with an error. Completions may start more work;
    // that is refused (doomed) and completed the same way, until nothing is left.
    for (;;) {
      run_posted();
      std::vector<std::uint64_t> ids = timers_.ids();
      for (const auto& entry : transfers_) ids.push_back(entry.first);
      for (const std::uint64_t id : ids) abort(id, engine_closed_error());
      ready_.clear();
      doomed_.run();
      std::lock_guard<std::mutex> lock(mutex_);
      if (transfers_.empty() && timers_.empty() && posted_.empty() && doomed_.empty()) break;
    }
    loop_thread_id_.store(std::thread::id());
  }

  std::shared_ptr<Transport> transport_;

  std::mutex mutex_;  // guards the three below
  std::condition_variable wake_;
  std::vector<std::function<void()>> posted_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<std::thread::id> loop_thread_id_{};

  // Engine thread only.
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> transfers_;
  std::deque<std::uint64_t> ready_;  // transfers with a step to take, in turn
  TimerQueue timers_;
  DoomedList doomed_;
};

}  // namespace

std::unique_ptr<Engine> make_transport_engine(std::shared_ptr<Transport> transport) {
  return std::make_unique<TransportEngine>(std::move(transport));
}

}  // namespace babyapi::detail
