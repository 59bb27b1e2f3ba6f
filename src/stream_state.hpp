// The state behind a Stream: the transfer, the SSE parser and the events parsed but not yet
// consumed. Also checks each event for a server-reported error.
#pragma once

#include <deque>
#include <memory>

#include "babyapi/core_fwd.hpp"
#include "babyapi/sse.hpp"
#include "babyapi/stream.hpp"
#include "error_mapper.hpp"
#include "http/transport.hpp"

namespace babyapi {

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
  detail::ErrorContext error_context_;

  friend class Stream;
};

}  // namespace babyapi
