// The state behind a Stream: the transfer, the SSE parser and the events parsed but not yet
// consumed. Also checks each event for a server-reported error.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "babyapi/core_fwd.hpp"
#include "babyapi/sse.hpp"
#include "babyapi/stream.hpp"
#include "babyapi/stream_accumulator.hpp"
#include "error_mapper.hpp"
#include "http/transport.hpp"

namespace babyapi::detail {

class StreamState {
 public:
  StreamState(CorePtr core, std::unique_ptr<detail::StreamTransfer> transfer,
              SSEParserOptions parser_options = {}, detail::ErrorContext error_context = {});

  // Makes the next event current; false once the stream has ended.
  bool advance();
  const SSEEvent& current() const noexcept { return current_; }
  const detail::StreamTransfer* transfer() const noexcept { return transfer_.get(); }
  void close() noexcept;
  bool started = false;

  // The accumulator of every event delivered so far, made on first use from what was recorded.
  StreamAccumulator& accumulator();
  // The last usage among the events delivered so far; null when none.
  Json last_usage() const;

 private:
  // Throws BabyAPIError when the event reports an error.
  void check_for_error(const SSEEvent& event) const;

  CorePtr core_;  // keeps the connection pool alive for as long as the transfer
  std::unique_ptr<detail::StreamTransfer> transfer_;
  HeaderList headers_;  // kept after close()
  int status_ = 0;
  SSEParser parser_;
  std::deque<SSEEvent> queue_;
  SSEEvent current_;
  bool finished_ = false;
  bool saw_done_ = false;
  // Every event delivered is kept for final_completion() and usage(): as its data while small
  // (a copy costs less than a parse, and most callers never ask), then, past kRecordBytes, fed to
  // the accumulator as it comes.
  static constexpr std::size_t kRecordBytes = std::size_t{1} << 20;
  void record(const SSEEvent& event);
  std::vector<std::string> recorded_;
  std::size_t recorded_bytes_ = 0;
  std::size_t max_bytes_;
  std::optional<StreamAccumulator> accumulator_;
  detail::ErrorContext error_context_;

  friend class babyapi::Stream;
};

}  // namespace babyapi::detail
