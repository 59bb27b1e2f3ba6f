#include "babyapi/cancel.hpp"

#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

namespace babyapi::detail {

// Callbacks run under the mutex: remove() then cannot return while one is still running, so a
// callback never outlives what it points to.
struct CancelState {
  std::recursive_mutex mutex;  // a callback may register or remove others on the same token
  std::condition_variable_any cancelled_cv;
  bool cancelled = false;
  std::uint64_t next_id = 1;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> callbacks;
};

}  // namespace babyapi::detail

BABYAPI_NAMESPACE_BEGIN

CancelToken::CancelToken() : state_(std::make_shared<detail::CancelState>()) {}

void CancelToken::cancel() const {
  std::lock_guard<std::recursive_mutex> lock(state_->mutex);
  if (state_->cancelled) return;
  state_->cancelled = true;
  state_->cancelled_cv.notify_all();
  auto callbacks = std::move(state_->callbacks);
  state_->callbacks.clear();
  for (auto& entry : callbacks) entry.second();
}

bool CancelToken::cancelled() const noexcept {
  std::lock_guard<std::recursive_mutex> lock(state_->mutex);
  return state_->cancelled;
}

std::uint64_t CancelToken::on_cancel(std::function<void()> callback) const {
  std::lock_guard<std::recursive_mutex> lock(state_->mutex);
  const std::uint64_t id = state_->next_id++;
  if (state_->cancelled) {
    callback();
    return id;
  }
  state_->callbacks.emplace_back(id, std::move(callback));
  return id;
}

void CancelToken::remove(std::uint64_t id) const {
  std::lock_guard<std::recursive_mutex> lock(state_->mutex);
  auto& callbacks = state_->callbacks;
  for (auto it = callbacks.begin(); it != callbacks.end(); ++it) {
    if (it->first == id) {
      callbacks.erase(it);
      return;
    }
  }
}

bool CancelToken::wait_for(std::chrono::milliseconds delay) const {
  std::unique_lock<std::recursive_mutex> lock(state_->mutex);
  return state_->cancelled_cv.wait_for(lock, delay, [this] { return state_->cancelled; });
}

BABYAPI_NAMESPACE_END
