// The async engine of one Client: a single event-loop thread, started on first use, that drives
// one curl_multi handle (connections reused across calls, HTTP/2 multiplexed when offered) and a
// set of timers (retry back-off). Everything that runs on it (completions, timers, posted tasks)
// runs on that one thread, so the engine's own state needs no locks beyond the posting queue.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string_view>

#include "http/transport.hpp"

namespace babyapi::detail {

class Engine {
 public:
  // The end of one transfer: the answer (any status), or the error that replaced it.
  using Completion = std::function<void(HttpResponse&& answer, std::exception_ptr error)>;
  // A timer's end: null when it fired, the error when it was aborted (or the engine shut down).
  using TimerDone = std::function<void(std::exception_ptr error)>;

  // For streams: at the first body byte (status and headers known), take_body says whether the
  // body goes to on_bytes. When it does not, the body is read into the answer (bounded), as for
  // any call. on_bytes may throw: the transfer then fails with that exception.
  struct BodyHooks {
    std::function<bool(int status, const HeaderList& headers)> take_body;
    std::function<void(std::string_view bytes)> on_bytes;
    // Silence bound once the body is known not to be taken (an error answer); 0 = none.
    std::chrono::milliseconds answer_idle_timeout{0};
  };

  virtual ~Engine() = default;

  // Any thread: runs task on the engine thread, in posting order. Returns false, and drops the
  // task, once the engine has shut down.
  virtual bool post(std::function<void()> task) = 0;
  // Engine thread only. Starts an exchange; done runs exactly once, on the engine thread (also
  // when the request cannot even be configured). request (and hooks) must outlive it.
  virtual std::uint64_t start(const HttpRequest& request, Completion done,
                              std::shared_ptr<BodyHooks> hooks = nullptr) = 0;
  // Engine thread only. done runs once delay has passed, or earlier with an error.
  virtual std::uint64_t after(std::chrono::milliseconds delay, TimerDone done) = 0;
  // Engine thread only. Ends a transfer (closing its connection) or a timer now; its completion
  // runs with error. An id that already ended is ignored.
  virtual void abort(std::uint64_t id, std::exception_ptr error) = 0;
  virtual bool on_engine_thread() const noexcept = 0;
  // Any thread but the engine's: completes everything pending with a "closed" BabyAPIError,
  // stops the thread and joins it. Later posts are refused. Idempotent.
  virtual void shutdown() noexcept = 0;
};

std::unique_ptr<Engine> make_curl_engine(const TransportConfig& config);
// The engine of any other transport (ClientOptions::transport): one thread that runs each
// transfer through the transport's own send / open_stream, a stream one read at a time so that
// posts and aborts come between its reads, and keeps its timers on the transport's clock. When
// only timers are left it waits through Transport::sleep (a fake's virtual time passes at once).
std::unique_ptr<Engine> make_transport_engine(std::shared_ptr<Transport> transport);

}  // namespace babyapi::detail
