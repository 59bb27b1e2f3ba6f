// Asynchronous results: Future<T> (what create_async, stream_async and the other *_async calls
// return), Result<T> (a value or the error that stands for it, as create_many returns them) and
// BatchOptions. All asynchronous work of a Client runs on its one engine thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "babyapi/config.hpp"
#include "babyapi/errors.hpp"
#include "babyapi/options.hpp"

BABYAPI_NAMESPACE_BEGIN

/// A value, or the exception a call ended with.
///
/// create_many returns one per request, and Future::then() hands one to its callback: a failed
/// item is a Result holding its error, so one failure never hides the others.
///
/// \code
/// std::vector<babyapi::Result<babyapi::Response>> results =
///     client.embeddings.create_many(std::move(requests));
/// for (auto& result : results) {
///   if (result.ok()) {
///     std::cout << result.value()["data"].size() << " embeddings\n";
///   } else {
///     try {
///       std::rethrow_exception(result.error());
///     } catch (const babyapi::BabyAPIError& error) {
///       std::cerr << error.what() << "\n";
///     }
///   }
/// }
/// \endcode
template <class T>
class Result {
 public:
  explicit Result(T value) : value_(std::move(value)) {}  ///< a success holding value
  /// A failure holding error, which must not be null (ok() would then be true with no value).
  explicit Result(std::exception_ptr error) : error_(std::move(error)) {}

  /// True when this holds a value; false when it holds an error.
  bool ok() const noexcept { return !error_; }
  /// The value; rethrows the stored error (the typed BabyAPIError the call ended with).
  /// \throws BabyAPIError the stored error, as its own subclass, when not ok()
  T& value() & {
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }
  /// \overload
  const T& value() const& {
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }
  /// \overload
  /// On a temporary Result the value is moved out.
  T value() && {
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }
  /// The stored error; null when ok().
  std::exception_ptr error() const noexcept { return error_; }

 private:
  std::optional<T> value_;
  std::exception_ptr error_;
};

/// The outcome of a call that gives no value (a Future<void>, such as stream_async's): success,
/// or the exception it ended with.
template <>
class Result<void> {
 public:
  Result() = default;  ///< a success
  /// A failure holding error.
  explicit Result(std::exception_ptr error) : error_(std::move(error)) {}
  /// True for a success; false when this holds an error.
  bool ok() const noexcept { return !error_; }
  /// Returns on success; rethrows the stored error otherwise.
  /// \throws BabyAPIError the stored error, as its own subclass, when not ok()
  void value() const {
    if (error_) std::rethrow_exception(error_);
  }
  /// The stored error; null when ok().
  std::exception_ptr error() const noexcept { return error_; }

 private:
  std::exception_ptr error_;
};

BABYAPI_NAMESPACE_END

// Internal, outside the versioned namespace like the rest of babyapi::detail (none of it is
// exported); the template arguments carry the ABI version.
namespace babyapi::detail {

/// What a Future and its producer (the engine) share. The first completion wins; later ones (a
/// cancel racing the answer) are dropped.
template <class T>
class FutureState {
 public:
  using Continuation = std::function<void(Result<T>)>;

  /// Completes with result; runs a continuation (outside the lock) when one is waiting.
  void complete(Result<T> result) {
    Continuation next;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (done_) return;
      done_ = true;
      canceller_ = nullptr;  // what it captured (the engine's call) may go now
      if (continuation_) {
        next = std::move(continuation_);
        taken_ = true;
      } else {
        result_.emplace(std::move(result));
      }
    }
    ready_.notify_all();
    if (next) next(std::move(result));
  }

  /// Installed by the producer before the Future is handed out.
  void set_canceller(std::function<void()> canceller) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!done_) canceller_ = std::move(canceller);
  }

  void cancel() {
    std::function<void()> canceller;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (done_) return;
      canceller = canceller_;
    }
    if (canceller) canceller();
  }

  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return done_; });
  }

  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return ready_.wait_for(lock, timeout, [this] { return done_; });
  }

  bool ready() {
    std::lock_guard<std::mutex> lock(mutex_);
    return done_;
  }

  Result<T> take() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return done_; });
    if (taken_) {
      throw BabyAPIError(
          "This Future's result was already taken (by get() or then()); a result is delivered "
          "once");
    }
    taken_ = true;
    Result<T> result = std::move(*result_);
    result_.reset();
    return result;
  }

  void then(Continuation continuation) {
    std::optional<Result<T>> now;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (taken_ || continuation_) {
        throw BabyAPIError("This Future already has a consumer (get() or then()); it has one");
      }
      if (!done_) {
        continuation_ = std::move(continuation);
        return;
      }
      taken_ = true;
      now.emplace(std::move(*result_));
      result_.reset();
    }
    continuation(std::move(*now));
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  bool done_ = false;
  bool taken_ = false;
  std::optional<Result<T>> result_;
  Continuation continuation_;
  std::function<void()> canceller_;
};

}  // namespace babyapi::detail

BABYAPI_NAMESPACE_BEGIN

/// The result of an asynchronous call, to come. Copies share one result, which is delivered once:
/// to get() or to then(). Destroying a Future does not cancel its call; cancel() does.
///
/// The *_async calls of a Client return one at once; the call itself runs on the Client's engine
/// thread. Every member but valid() throws BabyAPIError on an empty (default-constructed) Future.
///
/// \code
/// babyapi::Future<babyapi::Response> answer = client.chat.completions.create_async(params);
/// // ... other work while the request is in flight ...
/// if (!answer.wait_for(std::chrono::seconds(30))) answer.cancel();  // then get() throws
/// try {
///   std::cout << answer.get().content() << "\n";
/// } catch (const babyapi::APIUserAbortError&) {
///   std::cerr << "cancelled\n";
/// }
/// \endcode
template <class T>
class Future {
 public:
  Future() = default;  ///< not valid(): a placeholder to assign to
  /// Made by the SDK's asynchronous calls; code of its own receives a Future and has no need to
  /// call this.
  explicit Future(std::shared_ptr<detail::FutureState<T>> state) : state_(std::move(state)) {}

  /// True when this Future stands for a call; false when default-constructed.
  bool valid() const noexcept { return static_cast<bool>(state_); }

  /// Waits for the result and returns it; rethrows the typed error the call ended with. Do not
  /// call it from a then() or on_event callback: those run on the engine thread that produces it.
  /// \throws BabyAPIError the call's error, as its own subclass (RateLimitError,
  ///         APITimeoutError, APIUserAbortError after cancel(), ...); also BabyAPIError when the
  ///         Future is empty or its result was already taken by get() or then()
  T get() { return checked().take().value(); }
  /// Waits for the result without taking it; get() then returns at once.
  /// \throws BabyAPIError when the Future is empty
  void wait() const { checked().wait(); }
  /// True when the result is in within timeout.
  /// \throws BabyAPIError when the Future is empty
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) const {
    return checked().wait_for(timeout);
  }
  /// True when the result is in, without waiting.
  /// \throws BabyAPIError when the Future is empty
  bool ready() const { return checked().ready(); }
  /// Cancels the call: its connection is closed at once and the result becomes
  /// APIUserAbortError, unless the result is already in. Safe from any thread.
  /// \throws BabyAPIError when the Future is empty
  void cancel() const { checked().cancel(); }

  /// Runs callback with the result once it is in: on the engine thread, or at once on this thread
  /// when it already is. The callback must not block (it holds up every other call of the
  /// Client); exceptions it throws are dropped. After then(), get() throws: the result went to the
  /// callback. wait() and ready() tell that the result is in, not that the callback has finished.
  /// \throws BabyAPIError when the Future is empty or already has a consumer (get() or then())
  void then(std::function<void(Result<T>)> callback) const {
    checked().then([callback = std::move(callback)](Result<T> result) {
      try {
        callback(std::move(result));
      } catch (...) {  // never into the engine's loop
      }
    });
  }

 private:
  detail::FutureState<T>& checked() const {
    if (!state_) throw BabyAPIError("This Future is empty (default-constructed)");
    return *state_;
  }
  std::shared_ptr<detail::FutureState<T>> state_;
};

/// How create_many runs a batch.
struct BABYAPI_EXPORT BatchOptions {
  /// The most requests in flight at once. 429 and 503 answers halve it for the rest of the batch
  /// (never below 1); each success then lets it grow back by one, up to this value.
  std::size_t max_in_flight = 16;
  /// Called as items finish, with how many are done of the total; on the engine thread, so it
  /// must be quick.
  std::function<void(std::size_t done, std::size_t total)> on_progress;
  /// Called on the engine thread each time the adaptive in-flight limit changes (for metrics).
  std::function<void(std::size_t limit)> on_limit;
  /// Applied to every item (RequestOptions::cancel cancels the whole batch).
  RequestOptions request_options;
};

BABYAPI_NAMESPACE_END
