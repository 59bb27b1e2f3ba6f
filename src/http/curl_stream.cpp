#include "http/curl_stream.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "babyapi/errors.hpp"
#include "util/strings.hpp"

namespace babyapi::detail {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Upper bound on one curl_multi_poll wait; curl wakes earlier on socket activity or its own timers.
constexpr int kMaxPollMs = 1000;

class CurlStreamTransfer final : public StreamTransfer {
 public:
  CurlStreamTransfer(CurlPool& pool, const HttpRequest& request, const TransportConfig& config,
                     milliseconds idle_timeout)
      : pool_(pool), request_(request), idle_timeout_(idle_timeout) {
    const milliseconds answer_bound = request_.timeout;
    request_.timeout = milliseconds(0);  // a long generation must never be cut
    // The silence bound is checked here, in pump(): libcurl's progress check cannot tell a stalled
    // server from a transfer we paused because the consumer is busy.
    request_.idle_timeout = milliseconds(0);
    easy_ = pool_.acquire_easy();
    multi_ = pool_.acquire_multi();
    resources_ = configure_easy(easy_.get(), request_, config, state_);
    curl_easy_setopt(easy_.get(), CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(easy_.get(), CURLOPT_WRITEDATA, this);
    if (curl_multi_add_handle(multi_.get(), easy_.get()) != CURLM_OK) throw std::bad_alloc();
    attached_ = true;
    state_.last_byte = Clock::now();  // waiting for the headers is silence too
    try {
      if (request_.cancel) {
        // Runs on the cancelling thread: the flag, then a wakeup of the poll in pump().
        cancel_id_ = request_.cancel->on_cancel([this] {
          interrupted_.store(true);
          curl_multi_wakeup(multi_.get());
        });
      }
      pump([this] { return state_.headers_done || done_; });
      if (!state_.headers_done) finish_or_throw();  // ended (or failed) before any answer
      // An answer that is not an event stream (an error, or a proxy that ignored "stream") is
      // read whole by the caller: without a silence bound of its own, a server that stops
      // mid-body would hang it forever. The request's timeout bounds its silence then.
      if (idle_timeout_.count() == 0 && !is_event_stream()) idle_timeout_ = answer_bound;
    } catch (...) {
      stop_watching();
      curl_multi_remove_handle(multi_.get(), easy_.get());  // no destructor runs after a throw
      throw;
    }
  }

  ~CurlStreamTransfer() override {
    stop_watching();
    if (attached_) curl_multi_remove_handle(multi_.get(), easy_.get());
    // Only a transfer that ran to its clean end leaves a connection worth keeping; anything else
    // (an early break included) closes it, so the server sees the stream end.
    if (done_ && result_ == CURLE_OK && !state_.error) {
      pool_.release(std::move(easy_));
      pool_.release(std::move(multi_));
    }
  }

  int status() const override { return state_.status; }
  size_t pauses() const override { return pauses_; }
  const HeaderList& headers() const override { return state_.headers; }

  std::string_view read() override {
    check_interrupted();  // also when bytes are already held: a cancel stops the stream at once
    held_.clear();
    held_.swap(pending_);
    if (!held_.empty()) return held_;
    if (!done_) {
      resume();
      pump([this] { return !pending_.empty() || done_; });
      held_.swap(pending_);
      if (!held_.empty()) return held_;
    }
    finish_or_throw();
    return {};
  }

 private:
  bool is_event_stream() const {
    if (state_.status < 200 || state_.status >= 300) return false;
    const std::string* type = find_header(state_.headers, "content-type");
    return type != nullptr && media_type(*type) == "text/event-stream";
  }

  static size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
    auto& self = *static_cast<CurlStreamTransfer*>(user);
    const size_t bytes = size * count;
    // The consumer takes everything held at each read, so memory per stream stays near the limit
    // however fast the server is and however slow the consumer.
    if (!self.pending_.empty() &&
        self.pending_.size() + bytes > self.request_.stream_buffer_limit) {
      self.paused_ = true;
      ++self.pauses_;
      return CURL_WRITEFUNC_PAUSE;  // libcurl keeps these bytes and offers them again on resume
    }
    try {
      self.pending_.append(data, bytes);
      self.state_.last_byte = Clock::now();
      return bytes;
    } catch (...) {
      self.state_.error = std::current_exception();
      return 0;
    }
  }

  void resume() {
    if (!paused_) return;
    paused_ = false;
    state_.last_byte = Clock::now();  // time spent paused is the consumer's, not the server's
    const CURLcode code = curl_easy_pause(easy_.get(), CURLPAUSE_CONT);
    if (state_.error) std::rethrow_exception(state_.error);
    if (code != CURLE_OK) throw_transfer_error(code, state_, request_.url);
  }

  // Drives the transfer until ready() holds, the transfer ends, the idle timeout passes (no byte
  // in, headers included) or the call's deadline passes.
  // Once remove() returns, the cancel callback is not running and never will.
  void stop_watching() noexcept {
    if (cancel_id_) request_.cancel->remove(*cancel_id_);
    cancel_id_.reset();
  }

  void check_interrupted() const {
    if (interrupted_.load()) std::rethrow_exception(user_abort_error_now());
  }
  void check_cancelled() const override { check_interrupted(); }

  static std::exception_ptr user_abort_error_now() {
    return std::make_exception_ptr(APIUserAbortError(
        "The stream was cancelled (CancelToken::cancel); its connection was closed"));
  }

  template <class Ready>
  void pump(Ready ready) {
    for (;;) {
      check_interrupted();
      int running = 0;
      const CURLMcode code = curl_multi_perform(multi_.get(), &running);
      if (state_.error) std::rethrow_exception(state_.error);
      if (code != CURLM_OK) throw_multi_error(code);
      collect_result();
      if (ready() || done_) return;

      const auto now = Clock::now();
      long long wait_ms = kMaxPollMs;
      if (request_.deadline) {
        if (now >= *request_.deadline) {
          throw TransferError<APITimeoutError>(
              "Stream from " + origin_of(request_.url) + " passed the call's total_timeout",
              TransferTraits{false, true});
        }
        wait_ms = std::min<long long>(
            wait_ms, std::chrono::ceil<milliseconds>(*request_.deadline - now).count());
      }
      if (idle_timeout_.count() > 0) {
        const auto idle = std::chrono::duration_cast<milliseconds>(now - state_.last_byte);
        if (idle >= idle_timeout_) {
          throw TransferError<APITimeoutError>("Stream from " + origin_of(request_.url) +
                                                   " was silent for " +
                                                   std::to_string(idle_timeout_.count()) + " ms",
                                               TransferTraits{true, true});
        }
        wait_ms = std::min<long long>(wait_ms, (idle_timeout_ - idle).count());
      }
      int ready_fds = 0;
      errno = 0;
      const CURLMcode polled =
          curl_multi_poll(multi_.get(), nullptr, 0, static_cast<int>(wait_ms), &ready_fds);
      // libcurl already treats EINTR in poll() as a timeout; should a build report it instead,
      // a signal landing in this thread is still no reason to fail the stream.
      if (polled == CURLM_UNRECOVERABLE_POLL && errno == EINTR) continue;
      if (polled != CURLM_OK) throw_multi_error(polled);
      check_interrupted();
    }
  }

  [[noreturn]] void throw_multi_error(CURLMcode code) const {
    const std::string message =
        "Stream from " + origin_of(request_.url) + " failed: " + curl_multi_strerror(code);
    if (code == CURLM_OUT_OF_MEMORY) {
      throw TransferError<BabyAPIError>(message, TransferTraits{false, true});
    }
    throw TransferError<APIConnectionError>(message, TransferTraits{false, true});
  }

  void collect_result() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &left)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy_.get()) {
        done_ = true;
        result_ = message->data.result;
      }
    }
  }

  // The transfer is over: fine when it ended cleanly, else the typed transport error.
  void finish_or_throw() {
    if (state_.error) std::rethrow_exception(state_.error);
    if (result_ != CURLE_OK) throw_transfer_error(result_, state_, request_.url);
  }

  CurlPool& pool_;
  HttpRequest request_;  // owns the URL and body libcurl points into
  milliseconds idle_timeout_;
  MultiHandle multi_;  // declared before easy_ so the easy handle goes first
  EasyHandle easy_;
  TransferResources resources_;
  TransferState state_;
  bool attached_ = false;
  bool paused_ = false;
  size_t pauses_ = 0;
  bool done_ = false;
  CURLcode result_ = CURLE_OK;
  std::string pending_;  // bytes received, not yet handed to the consumer
  std::string held_;     // bytes handed out by the last read()
  std::atomic<bool> interrupted_{false};
  std::optional<std::uint64_t> cancel_id_;
};

}  // namespace

std::unique_ptr<StreamTransfer> open_curl_stream(CurlPool& pool, const HttpRequest& request,
                                                 const TransportConfig& config,
                                                 milliseconds idle_timeout) {
  return std::make_unique<CurlStreamTransfer>(pool, request, config, idle_timeout);
}

}  // namespace babyapi::detail
