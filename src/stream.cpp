#include "babyapi/stream.hpp"

#include "babyapi/errors.hpp"
#include "client_core.hpp"
#include "error_mapper.hpp"
#include "sse/json_escapes.hpp"
#include "stream_state.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace babyapi::detail {

StreamState::StreamState(CorePtr core, std::unique_ptr<detail::StreamTransfer> transfer,
                         SSEParserOptions parser_options, detail::ErrorContext error_context)
    : core_(std::move(core)),
      transfer_(std::move(transfer)),
      headers_(transfer_->headers()),
      status_(transfer_->status()),
      parser_(parser_options),
      max_bytes_(parser_options.max_event_size != 0 ? parser_options.max_event_size
                                                    : StreamAccumulator::kDefaultMaxBytes),
      error_context_(std::move(error_context)) {}

void StreamState::record(const SSEEvent& event) {
  if (accumulator_) {
    accumulator_->add(event);
    return;
  }
  recorded_.push_back(event.raw());
  recorded_bytes_ += event.raw().size();
  if (recorded_bytes_ > kRecordBytes) accumulator();
}

StreamAccumulator& StreamState::accumulator() {
  if (!accumulator_) {
    accumulator_.emplace(max_bytes_);
    std::vector<std::string> recorded = std::move(recorded_);
    recorded_.clear();
    recorded_bytes_ = 0;
    for (std::string& data : recorded) accumulator_->add(SSEEvent(std::move(data)));
  }
  return *accumulator_;
}

Json StreamState::last_usage() const {
  if (accumulator_) return accumulator_->usage();
  for (auto it = recorded_.rbegin(); it != recorded_.rend(); ++it) {
    if (it->find("\"usage\"") == std::string::npos) continue;  // most chunks: no parse
    const std::optional<Json> usage = SSEEvent(*it).usage();
    if (usage) return *usage;
  }
  return nullptr;
}

bool StreamState::advance() {
  if (transfer_) transfer_->check_cancelled();  // a cancel stops the stream at the next read
  while (queue_.empty()) {
    if (finished_ || !transfer_) return false;
    const std::string_view bytes = transfer_->read();
    if (bytes.empty()) {
      if (parser_.has_pending_event()) {
        core_.shared()->log(detail::LogLevel::kInfo,
                            "stream ended cleanly inside an unterminated event; it was dropped");
      }
      parser_.finish();
      finished_ = true;
      transfer_.reset();  // clean end: the connection goes back to the pool
      return false;
    }
    parser_.feed(bytes, [this](SSEEvent&& event) { queue_.push_back(std::move(event)); });
  }
  current_ = std::move(queue_.front());
  queue_.pop_front();
  if (current_.done()) saw_done_ = true;
  check_for_error(current_);
  record(current_);
  return true;
}

void StreamState::check_for_error(const SSEEvent& event) const {
  detail::throw_if_error_event(event, headers_, error_context_);
}

void throw_if_error_event(const SSEEvent& event, const HeaderList& headers,
                          const ErrorContext& error_context) {
  // Cheap test first: only events that mention "error" are parsed here.
  const bool error_event = event.event() == "error";
  if (!error_event && event.raw().find("\"error\"") == std::string::npos) return;
  const std::optional<Json>& data = event.data();
  if (!error_event && !(data && data->is_object() && data->contains("error"))) return;

  // The mapper reads the payload as data() did: a lone surrogate escape as U+FFFD. It also fills
  // the stream's headers and request id, redacted like every other error's.
  std::string rewritten;
  const bool replaced = detail::replace_lone_surrogate_escapes(event.raw(), rewritten);
  std::string message;
  ErrorDetails details = detail::parse_error_body(0, headers, replaced ? rewritten : event.raw(),
                                                  message, error_context);
  throw BabyAPIError("Stream reported an error: " + message, std::move(details));
}

void StreamState::close() noexcept {
  transfer_.reset();
  queue_.clear();
  finished_ = true;
}

}  // namespace babyapi::detail

BABYAPI_NAMESPACE_BEGIN

Stream::Stream(std::unique_ptr<detail::StreamState> state) : state_(std::move(state)) {}
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;
Stream::~Stream() = default;

Stream::iterator Stream::begin() {
  if (!state_) return end();
  if (!state_->started) {
    state_->started = true;
    if (!state_->advance()) return end();
  } else if (state_->finished_ && state_->queue_.empty()) {
    return end();
  }
  return iterator(this);
}

const SSEEvent* Stream::next() {
  if (!state_) return nullptr;
  state_->started = true;
  return state_->advance() ? &state_->current() : nullptr;
}

const SSEEvent& Stream::iterator::operator*() const { return stream_->state_->current(); }

Stream::iterator& Stream::iterator::operator++() {
  if (!stream_->state_->advance()) stream_ = nullptr;
  return *this;
}

int Stream::status() const { return state_ ? state_->status_ : 0; }

const HeaderList& Stream::headers() const {
  static const HeaderList kNone;
  return state_ ? state_->headers_ : kNone;
}

std::string Stream::header(std::string_view name) const {
  const std::string* value = find_header(headers(), name);
  return value != nullptr ? *value : std::string();
}

const std::string& Stream::last_event_id() const {
  static const std::string kNone;
  return state_ ? state_->parser_.last_event_id() : kNone;
}

std::optional<std::uint64_t> Stream::reconnection_time() const {
  return state_ ? state_->parser_.reconnection_time() : std::nullopt;
}

bool Stream::saw_done() const noexcept { return state_ && state_->saw_done_; }

void Stream::close() noexcept {
  if (state_) state_->close();
}

Json Stream::final_completion() {
  if (!state_) throw BabyAPIError("final_completion() on a moved-from Stream");
  state_->started = true;
  StreamAccumulator& accumulator = state_->accumulator();
  while (state_->advance()) {
  }
  accumulator.finish();
  return accumulator.completion();
}

Json Stream::usage() const { return state_ ? state_->last_usage() : Json(nullptr); }

BABYAPI_NAMESPACE_END
