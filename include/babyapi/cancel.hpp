// CancelToken: a copyable handle that cancels calls from any thread. Put one in
// RequestOptions::cancel; cancel() then ends every call that carries it with APIUserAbortError.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "babyapi/config.hpp"

namespace babyapi::detail {
struct CancelState;
}

BABYAPI_NAMESPACE_BEGIN

/// A copyable handle that cancels calls from any thread.
///
/// Put one in RequestOptions::cancel (or BatchOptions::request_options.cancel for a whole batch);
/// cancel() then ends every call that carries it with APIUserAbortError and closes its
/// connection, so the server stops working on it. A cancelled token stays cancelled: use a fresh
/// one for new calls.
///
/// \code
/// babyapi::CancelToken token;
/// babyapi::RequestOptions options;
/// options.cancel = token;
/// std::thread stopper([token] { token.cancel(); });  // from anywhere, at any time
/// try {
///   for (const babyapi::SSEEvent& event : client.chat.completions.stream(params, options)) {
///     std::cout << event.text();
///   }
/// } catch (const babyapi::APIUserAbortError&) {
///   std::cerr << "stopped\n";
/// }
/// stopper.join();
/// \endcode
class BABYAPI_EXPORT CancelToken {
 public:
  /// A fresh token, not cancelled. Copies share its state: cancelling one cancels them all.
  CancelToken();

  /// Cancels every call carrying this token, now and later: a blocking call (mid-transfer or
  /// mid-back-off), a Stream (its next read throws), a Future, a batch, a docling wait. Safe from
  /// any thread and idempotent. Not async-signal-safe: from a signal, wake a thread that calls it.
  void cancel() const;
  /// True once cancel() was called on this token or any copy of it.
  bool cancelled() const noexcept;

  /// For code that waits on its own: runs callback once when the token is cancelled (at once, on
  /// this thread, when it already is). Returns an id for remove(). Callbacks run on the thread
  /// that calls cancel(), must be quick and must not throw.
  std::uint64_t on_cancel(std::function<void()> callback) const;
  /// Unregisters a callback; once remove() returns, that callback is not running and never will.
  void remove(std::uint64_t id) const;

  /// Waits up to delay; true when the token was cancelled meanwhile (or before).
  bool wait_for(std::chrono::milliseconds delay) const;

 private:
  std::shared_ptr<detail::CancelState> state_;
};

BABYAPI_NAMESPACE_END
