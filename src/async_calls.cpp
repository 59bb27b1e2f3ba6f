// The async calls of a ClientCore: futures, streams on the engine and batches. Each call object
// lives on the engine thread; the retry loop's steps (start_call, begin_attempt, settle) are the
// blocking path's own, so retries, error mapping, limits and deadlines are not written twice.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "babyapi/errors.hpp"
#include "client_core.hpp"
#include "http/engine.hpp"
#include "util/strings.hpp"

namespace babyapi::detail {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Makes token.cancel() post cancel() of the call to the engine. The call is held weakly: a call
// that has finished is simply gone.
template <class Call>
std::optional<std::uint64_t> watch_token(const std::optional<CancelToken>& token,
                                         detail::Engine& engine,
                                         const std::shared_ptr<Call>& call) {
  if (!token) return std::nullopt;
  std::weak_ptr<Call> weak = call;
  return token->on_cancel([&engine, weak] {
    engine.post([weak] {
      if (auto alive = weak.lock()) alive->cancel();
    });
  });
}

// Future::cancel() posts the same cancel.
template <class T, class Call>
void install_canceller(detail::FutureState<T>& future, detail::Engine& engine,
                       const std::shared_ptr<Call>& call) {
  std::weak_ptr<Call> weak = call;
  future.set_canceller([&engine, weak] {
    engine.post([weak] {
      if (auto alive = weak.lock()) alive->cancel();
    });
  });
}

// One JSON or multipart call with its retries.
class AsyncCall : public std::enable_shared_from_this<AsyncCall> {
 public:
  AsyncCall(ClientCore& core, detail::Engine& engine, CallProgress call,
            std::optional<CancelToken> token)
      : core_(core),
        keep_(core.keep_alive_if_view()),
        engine_(engine),
        call_(std::move(call)),
        token_(std::move(token)),
        future_(std::make_shared<detail::FutureState<Response>>()) {}

  const std::shared_ptr<detail::FutureState<Response>>& future() const noexcept { return future_; }

  // Engine thread, once.
  void begin() {
    token_id_ = watch_token(token_, engine_, shared_from_this());
    if (token_ && token_->cancelled()) {
      finish(Result<Response>(user_abort_error()));
      return;
    }
    attempt();
  }

  // Engine thread: ends the call now with APIUserAbortError (closing its connection).
  void cancel() {
    if (finished_) return;
    if (current_ != 0) {
      engine_.abort(current_, user_abort_error());  // the completion finishes the call
    } else {
      finish(Result<Response>(user_abort_error()));
    }
  }

 private:
  void attempt() {
    std::exception_ptr failed;
    try {
      core_.begin_attempt(call_);  // ClientOptions::api_key_provider may throw
    } catch (...) {
      failed = std::current_exception();
    }
    if (failed) {
      finish(Result<Response>(std::move(failed)));
      return;
    }
    auto self = shared_from_this();
    current_ = engine_.start(call_.request,
                             [self](detail::HttpResponse&& answer, std::exception_ptr error) {
                               self->current_ = 0;
                               self->settled(answer, std::move(error));
                             });
  }

  // The engine keeps no reference to an error once it has handed it on: every exception_ptr is
  // moved into the result, and results are completed outside catch handlers. The caller may
  // then be the one that frees the exception (what ThreadSanitizer can follow: the refcounts
  // inside libstdc++ are invisible to it).
  void settled(detail::HttpResponse& answer, std::exception_ptr error) {
    if (finished_) return;
    AttemptVerdict verdict;
    std::exception_ptr failed;
    try {
      verdict = core_.settle(call_, error ? nullptr : &answer, error);
    } catch (...) {
      failed = std::current_exception();
    }
    error = nullptr;
    if (failed) {
      finish(Result<Response>(std::move(failed)));
      return;
    }
    if (verdict.response) {
      finish(Result<Response>(std::move(*verdict.response)));
      return;
    }
    auto self = shared_from_this();
    try {
      current_ = engine_.after(verdict.delay, [self, fail = std::move(verdict.fail_after_delay)](
                                                  std::exception_ptr aborted) mutable {
        self->current_ = 0;
        if (aborted) {
          self->finish(Result<Response>(std::move(aborted)));
        } else if (fail) {
          self->finish(Result<Response>(std::move(fail)));
        } else {
          self->attempt();
        }
      });
    } catch (...) {
      failed = std::current_exception();
    }
    if (failed) finish(Result<Response>(std::move(failed)));
  }

  void finish(Result<Response> result) {
    if (finished_) return;
    finished_ = true;
    if (token_id_) token_->remove(*token_id_);
    future_->complete(std::move(result));
  }

  ClientCore& core_;
  std::shared_ptr<ClientCore> keep_;  // a view's core lives as long as its calls
  detail::Engine& engine_;
  CallProgress call_;
  std::optional<CancelToken> token_;
  std::optional<std::uint64_t> token_id_;
  std::shared_ptr<detail::FutureState<Response>> future_;
  std::uint64_t current_ = 0;  // the transfer or back-off timer in progress
  bool finished_ = false;
};

bool is_event_stream(int status, const HeaderList& headers) {
  if (status < 200 || status >= 300) return false;
  const std::string* type = find_header(headers, "content-type");
  return type != nullptr && detail::media_type(*type) == "text/event-stream";
}

// A stream read on the engine: each event goes to on_event as it is parsed.
class AsyncStream : public std::enable_shared_from_this<AsyncStream> {
 public:
  AsyncStream(ClientCore& core, detail::Engine& engine, detail::HttpRequest request,
              std::function<void(const SSEEvent&)> on_event, std::optional<CancelToken> token,
              milliseconds answer_idle_timeout, detail::ErrorContext context)
      : core_(core),
        keep_(core.keep_alive_if_view()),
        engine_(engine),
        request_(std::move(request)),
        context_(std::move(context)),
        on_event_(std::move(on_event)),
        token_(std::move(token)),
        future_(std::make_shared<detail::FutureState<void>>()),
        hooks_(std::make_shared<detail::Engine::BodyHooks>()) {
    SSEParserOptions parser_options;
    parser_options.max_event_size = core.options().max_response_bytes;
    parser_ = SSEParser(parser_options);
    hooks_->answer_idle_timeout = answer_idle_timeout;
    // The hooks run inside this stream's own transfer, which ends before the stream object can.
    hooks_->take_body = [this](int status, const HeaderList& headers) {
      observed_ = true;
      core_.observe_response(request_, 0, status, &headers, nullptr, started_);
      if (!is_event_stream(status, headers)) return false;
      headers_ = headers;
      return true;
    };
    hooks_->on_bytes = [this](std::string_view bytes) {
      parser_.feed(bytes, [this](SSEEvent&& event) {
        detail::throw_if_error_event(event, headers_, context_);
        on_event_(event);
      });
    };
  }

  const std::shared_ptr<detail::FutureState<void>>& future() const noexcept { return future_; }

  void begin() {
    token_id_ = watch_token(token_, engine_, shared_from_this());
    if (token_ && token_->cancelled()) {
      finish(Result<void>(user_abort_error()));
      return;
    }
    auto self = shared_from_this();
    core_.observe_request(request_, 0);
    started_ = Clock::now();
    current_ = engine_.start(
        request_,
        [self](detail::HttpResponse&& answer, std::exception_ptr error) {
          self->current_ = 0;
          self->ended(answer, std::move(error));
        },
        hooks_);
  }

  void cancel() {
    if (finished_) return;
    if (current_ != 0) {
      engine_.abort(current_, user_abort_error());
    } else {
      finish(Result<void>(user_abort_error()));
    }
  }

 private:
  // As AsyncCall::settled: no reference to the error stays here once the result is handed on.
  void ended(detail::HttpResponse& answer, std::exception_ptr error) {
    if (finished_) return;
    if (!observed_) {  // no status came: the exchange failed before its answer
      observed_ = true;
      core_.observe_response(request_, 0, error ? 0 : answer.status,
                             error ? nullptr : &answer.headers, error, started_);
    }
    if (error) {
      finish(Result<void>(std::move(error)));  // streams are never retried
      return;
    }
    if (is_event_stream(answer.status, answer.headers)) {
      parser_.finish();  // an event left open by a clean end is dropped, as Stream does
      finish(Result<void>());
      return;
    }
    std::exception_ptr failed;
    try {
      core_.throw_not_a_stream(answer.status, answer.headers, answer.body,
                               find_header(answer.headers, "content-type"), &context_);
    } catch (...) {
      failed = std::current_exception();
    }
    finish(Result<void>(std::move(failed)));
  }

  void finish(Result<void> result) {
    if (finished_) return;
    finished_ = true;
    if (token_id_) token_->remove(*token_id_);
    future_->complete(std::move(result));
  }

  ClientCore& core_;
  std::shared_ptr<ClientCore> keep_;  // a view's core lives as long as its calls
  detail::Engine& engine_;
  detail::HttpRequest request_;
  detail::ErrorContext context_;  // redacts the key this stream was sent with
  Clock::time_point started_;
  bool observed_ = false;  // on_response has run
  std::function<void(const SSEEvent&)> on_event_;
  std::optional<CancelToken> token_;
  std::optional<std::uint64_t> token_id_;
  std::shared_ptr<detail::FutureState<void>> future_;
  std::shared_ptr<detail::Engine::BodyHooks> hooks_;
  SSEParser parser_;
  HeaderList headers_;
  std::uint64_t current_ = 0;
  bool finished_ = false;
};

// Posts begin() of a call to the engine; a closed engine fails the future at once.
template <class T, class Call>
Future<T> launch(detail::Engine& engine, const std::shared_ptr<Call>& call) {
  std::shared_ptr<detail::FutureState<T>> state = call->future();
  install_canceller(*state, engine, call);
  if (!engine.post([call] { call->begin(); })) {
    if constexpr (std::is_void_v<T>) {
      state->complete(Result<void>(std::make_exception_ptr(
          BabyAPIError("This Client was closed: it makes no more asynchronous calls"))));
    } else {
      state->complete(Result<T>(std::make_exception_ptr(
          BabyAPIError("This Client was closed: it makes no more asynchronous calls"))));
    }
  }
  return Future<T>(std::move(state));
}

// A batch: its items go through AsyncCalls, at most `limit` at once, in input order. The limit is
// halved on 429 / 503 (once per Retry-After window), the whole batch waits out that Retry-After
// before starting more items, and each success grows the limit back by one.
class Batch : public std::enable_shared_from_this<Batch> {
 public:
  // Answers from this size on are parsed by the waiting caller rather than on the engine.
  static constexpr std::size_t kCallerParseBytes = 8 * 1024;

  Batch(ClientCore& core, detail::Engine& engine, std::string path, std::vector<Json> params,
        const BatchOptions& options, bool unparsed)
      : core_(core),
        keep_(core.keep_alive_if_view()),
        engine_(engine),
        path_(std::move(path)),
        params_(std::move(params)),
        on_progress_(options.on_progress),
        on_limit_(options.on_limit),
        item_options_(options.request_options),
        token_(options.request_options.cancel),
        cap_(options.max_in_flight),
        limit_(options.max_in_flight),
        recorded_(params_.size(), false),
        unparsed_(unparsed) {
    item_options_.cancel.reset();  // the batch watches the token once for all its items
  }

  void begin() {
    token_id_ = watch_token(token_, engine_, shared_from_this());
    if (token_ && token_->cancelled()) cancel();
    pump();
  }

  void cancel() {
    if (cancelled_) return;
    cancelled_ = true;  // before the cancels below, whose completions pump the batch
    // Running items end through their own completions; items not started end here.
    auto active = active_;
    for (auto& entry : active) entry.second->cancel();
    fail_rest(user_abort_error());
    check_complete();
  }

  // Items not started yet end with error (a cancel, or the engine shutting down).
  void fail_rest(const std::exception_ptr& error) {
    cancelled_ = true;
    for (; next_ < params_.size(); ++next_) record(next_, Result<Response>(error));
  }

  // Any thread but the engine's: blocks until every item has its result. The answers' JSON is
  // parsed here, on the caller's thread, as they arrive: the engine only moves bytes, so a batch
  // of large answers (embeddings) uses a second core instead of queueing behind one.
  std::vector<Result<Response>> wait() {
    std::vector<std::optional<Result<Response>>> results(params_.size());
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      complete_cv_.wait(lock, [this] { return !handoff_.empty() || complete_; });
      if (handoff_.empty()) break;  // complete, and everything taken
      std::pair<std::size_t, Handoff> item = std::move(handoff_.front());
      handoff_.pop_front();
      lock.unlock();
      Result<Response>& result = item.second.result;
      if (item.second.parse) parse_in_place(result);
      results[item.first].emplace(std::move(result));
      lock.lock();
    }
    std::vector<Result<Response>> out;
    out.reserve(results.size());
    for (auto& result : results) out.push_back(std::move(*result));
    return out;
  }

 private:
  // An unparsed answer made the Response a call gives, or the error its body is.
  void parse_in_place(Result<Response>& result) const {
    try {
      result =
          Result<Response>(core_.parse_answer(std::move(result).value(), item_options_.keep_text));
    } catch (...) {
      result = Result<Response>(std::current_exception());
    }
  }

  void pump() {
    while (!cancelled_ && next_ < params_.size() && active_.size() < limit_) {
      const auto now = core_.now();
      if (now < gate_) {
        if (gate_timer_ == 0) {
          auto self = shared_from_this();
          gate_timer_ = engine_.after(std::chrono::ceil<milliseconds>(gate_ - now),
                                      [self](std::exception_ptr aborted) {
                                        self->gate_timer_ = 0;
                                        if (aborted) self->fail_rest(aborted);
                                        self->pump();
                                      });
        }
        return;
      }
      start_item(next_++);
    }
    check_complete();
  }

  void start_item(std::size_t index) {
    try {
      detail::HttpRequest request = core_.build_json("POST", path_, &params_[index], item_options_);
      request.unparsed_body = true;  // parsed by wait(), on the caller's thread (or not at all)
      CallProgress call = core_.start_call(std::move(request), item_options_, true);
      std::weak_ptr<Batch> weak = shared_from_this();
      call.on_attempt = [weak](int status, std::optional<milliseconds> retry_after) {
        if (auto self = weak.lock()) self->observe(status, retry_after);
      };
      auto item = std::make_shared<AsyncCall>(core_, engine_, std::move(call), std::nullopt);
      active_.emplace(index, item);
      auto self = shared_from_this();
      item->future()->then([self, index](Result<Response> result) {
        self->active_.erase(index);
        if (result.ok() && self->limit_ < self->cap_) self->set_limit(self->limit_ + 1);
        self->record(index, std::move(result));
        self->pump();
      });
      item->begin();
    } catch (...) {
      // A request that cannot even be built (bad params) fails alone.
      active_.erase(index);
      record(index, Result<Response>(std::current_exception()));
    }
  }

  void observe(int status, std::optional<milliseconds> retry_after) {
    if (status != 429 && status != 503) return;
    const auto now = core_.now();
    if (now >= gate_) set_limit(std::max<std::size_t>(1, limit_ / 2));  // once per window
    if (retry_after) gate_ = std::max(gate_, now + *retry_after);
  }

  void set_limit(std::size_t limit) {
    if (limit == limit_) return;
    limit_ = limit;
    if (on_limit_) {
      try {
        on_limit_(limit);
      } catch (...) {
      }
    }
  }

  void record(std::size_t index, Result<Response> result) {
    if (recorded_[index]) return;
    recorded_[index] = true;
    // A small answer is parsed here at once: waking the caller would cost more than the parse.
    // A large one (an embeddings answer) goes to the caller's thread to be parsed there.
    bool for_caller = false;
    if (result.ok() && !unparsed_) {
      if (result.value().text().size() < kCallerParseBytes) {
        parse_in_place(result);
      } else {
        for_caller = true;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      handoff_.emplace_back(index, Handoff{std::move(result), for_caller});
    }
    if (for_caller) complete_cv_.notify_all();
    ++done_;
    if (on_progress_) {
      try {
        on_progress_(done_, params_.size());
      } catch (...) {  // a progress display must not break the batch
      }
    }
  }

  void check_complete() {
    if (done_ != params_.size() || !active_.empty()) return;
    if (gate_timer_ != 0) engine_.abort(gate_timer_, nullptr), gate_timer_ = 0;
    if (token_id_) token_->remove(*token_id_), token_id_.reset();
    std::lock_guard<std::mutex> lock(mutex_);
    complete_ = true;
    complete_cv_.notify_all();
  }

  ClientCore& core_;
  std::shared_ptr<ClientCore> keep_;  // a view's core lives as long as its calls
  detail::Engine& engine_;
  std::string path_;
  std::vector<Json> params_;
  std::function<void(std::size_t, std::size_t)> on_progress_;
  std::function<void(std::size_t)> on_limit_;
  RequestOptions item_options_;
  std::optional<CancelToken> token_;
  std::optional<std::uint64_t> token_id_;
  std::size_t cap_;
  std::size_t limit_;
  std::vector<bool> recorded_;  // engine thread: which items have their result
  std::unordered_map<std::size_t, std::shared_ptr<AsyncCall>> active_;
  std::size_t next_ = 0;
  std::size_t done_ = 0;
  bool cancelled_ = false;
  Clock::time_point gate_{};
  std::uint64_t gate_timer_ = 0;

  bool unparsed_;  // answers kept as text for the caller's own reader (embedding matrices)

  std::mutex mutex_;  // guards what follows: the engine hands results to wait()
  std::condition_variable complete_cv_;
  struct Handoff {
    Result<Response> result;
    bool parse;  // an unparsed answer for wait() to parse
  };
  std::deque<std::pair<std::size_t, Handoff>> handoff_;
  bool complete_ = false;
};

}  // namespace

Future<Response> ClientCore::send_async(detail::HttpRequest request,
                                        const RequestOptions& request_options, bool idempotent,
                                        decltype(CallProgress::on_attempt) on_attempt) {
  detail::Engine& loop = engine();
  CallProgress call = start_call(std::move(request), request_options, idempotent);
  call.on_attempt = std::move(on_attempt);
  auto item = std::make_shared<AsyncCall>(*this, loop, std::move(call), request_options.cancel);
  return launch<Response>(loop, item);
}

Future<Response> ClientCore::request_async(std::string_view method, std::string_view path,
                                           const Json* body, const RequestOptions& request_options,
                                           bool idempotent) {
  return send_async(build_json(method, path, body, request_options), request_options, idempotent);
}

Future<Response> ClientCore::request_form_async(std::string_view path, detail::Form form,
                                                const RequestOptions& request_options,
                                                bool idempotent) {
  return send_async(build_form(path, std::move(form), request_options), request_options,
                    idempotent);
}

Future<void> ClientCore::stream_async(std::string_view path, const Json& params,
                                      std::function<void(const SSEEvent&)> on_event,
                                      const RequestOptions& request_options) {
  if (!on_event) throw BabyAPIError("stream_async needs an on_event callback");
  detail::Engine& loop = engine();
  detail::HttpRequest request = build_stream(path, params, request_options);
  std::string key;
  provide_api_key(request, &key);
  // RequestOptions::timeout bounds silence, as for Stream; by default there is none. A stream's
  // life has no whole-exchange bound (total_timeout is its deadline).
  request.idle_timeout = request_options.timeout.value_or(milliseconds(0));
  request.timeout = milliseconds(0);
  const milliseconds answer_idle = request_options.timeout.value_or(options_.timeout);
  auto stream =
      std::make_shared<AsyncStream>(*this, loop, std::move(request), std::move(on_event),
                                    request_options.cancel, answer_idle, error_context_for(key));
  return launch<void>(loop, stream);
}

std::vector<Result<Response>> ClientCore::request_many(std::string_view path,
                                                       std::vector<Json> params,
                                                       const BatchOptions& options, bool unparsed) {
  if (options.max_in_flight == 0) throw BabyAPIError("BatchOptions::max_in_flight must be >= 1");
  detail::Engine& loop = engine();
  if (loop.on_engine_thread()) {
    throw BabyAPIError(
        "create_many blocks until the batch is done: call it from your own thread, not from a "
        "then() or on_event callback");
  }
  if (params.empty()) return {};
  auto batch =
      std::make_shared<Batch>(*this, loop, std::string(path), std::move(params), options, unparsed);
  if (!loop.post([batch] { batch->begin(); })) {
    throw BabyAPIError("This Client was closed: it makes no more asynchronous calls");
  }
  return batch->wait();
}

}  // namespace babyapi::detail
