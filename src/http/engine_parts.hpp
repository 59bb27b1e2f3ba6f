// Pieces both engines share (src/http/curl_engine.cpp, src/http/transport_engine.cpp): the timer
// queue, the completions owed for refused work, and the guard that keeps user code's exceptions out
// of the loop. Engine thread only.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "babyapi/errors.hpp"
#include "http/engine.hpp"

namespace babyapi::detail {

// Completions and timers run user code (continuations): nothing of theirs may escape into the loop.
template <class F>
void run_guarded(F&& f) noexcept {
  try {
    f();
  } catch (...) {
  }
}

inline std::exception_ptr engine_closed_error() {
  return std::make_exception_ptr(
      BabyAPIError("The Client was closed (or destroyed) before this call completed"));
}

// Runs the tasks posted so far (queue is guarded by mutex); true when there were any.
inline bool run_posted_tasks(std::mutex& mutex, std::vector<std::function<void()>>& queue) {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(mutex);
    tasks.swap(queue);
  }
  for (auto& task : tasks) run_guarded(task);
  return !tasks.empty();
}

// An engine thread takes no process signals: they go to the application's threads.
inline void block_process_signals() noexcept {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

// Timers by due time; several may share one.
class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;

  void add(std::uint64_t id, Clock::time_point when, Engine::TimerDone done) {
    timers_.emplace(id, Timer{when, std::move(done)});
    order_.emplace(when, id);
  }
  // Ends timer id now with error (null: as if it fired). False when there is no such timer.
  bool end(std::uint64_t id, std::exception_ptr error) {
    auto found = timers_.find(id);
    if (found == timers_.end()) return false;
    Engine::TimerDone done = std::move(found->second.done);
    auto [first, last] = order_.equal_range(found->second.when);
    for (auto it = first; it != last; ++it) {
      if (it->second == id) {
        order_.erase(it);
        break;
      }
    }
    timers_.erase(found);
    run_guarded([&] { done(std::move(error)); });
    return true;
  }
  // Fires every timer due by now, earliest first.
  void fire_due(Clock::time_point now) {
    while (!order_.empty() && order_.begin()->first <= now) end(order_.begin()->second, nullptr);
  }
  std::optional<Clock::time_point> next() const {
    if (order_.empty()) return std::nullopt;
    return order_.begin()->first;
  }
  bool empty() const noexcept { return timers_.empty(); }
  std::vector<std::uint64_t> ids() const {
    std::vector<std::uint64_t> out;
    for (const auto& entry : timers_) out.push_back(entry.first);
    return out;
  }

 private:
  struct Timer {
    Clock::time_point when;
    Engine::TimerDone done;
  };
  std::unordered_map<std::uint64_t, Timer> timers_;
  std::multimap<Clock::time_point, std::uint64_t> order_;
};

// Work owed a completion, run on the loop rather than inside the caller's start().
class DoomedList {
 public:
  void add(std::function<void()> done) { doomed_.push_back(std::move(done)); }
  // Runs them all, and those they add, until none is left.
  void run() {
    while (!doomed_.empty()) {
      std::vector<std::function<void()>> doomed;
      doomed.swap(doomed_);
      for (auto& done : doomed) run_guarded(done);
    }
  }
  bool empty() const noexcept { return doomed_.empty(); }

 private:
  std::vector<std::function<void()>> doomed_;
};

}  // namespace babyapi::detail
