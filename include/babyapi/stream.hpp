// Stream: the server-sent events of one streaming call, pulled lazily. Iterating pumps the
// connection in the calling thread until the next event is complete; nothing is buffered beyond
// what the next event needs, and leaving the loop early closes the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "babyapi/config.hpp"
#include "babyapi/response.hpp"
#include "babyapi/sse.hpp"

namespace babyapi::detail {
class StreamState;  // src/stream_state.hpp
}

BABYAPI_NAMESPACE_BEGIN

class BABYAPI_EXPORT Stream {
 public:
  // An input iterator over the events; advancing it may block on the network and may throw
  // BabyAPIError (an `event: error` or an {"error": ...} payload), APIConnectionError (the
  // transfer failed mid-stream) or APITimeoutError (RequestOptions::timeout of silence passed).
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = SSEEvent;
    using difference_type = std::ptrdiff_t;
    using pointer = const SSEEvent*;
    using reference = const SSEEvent&;

    iterator() = default;
    reference operator*() const;
    pointer operator->() const { return &**this; }
    iterator& operator++();
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.stream_ == b.stream_;
    }
    friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

   private:
    friend class Stream;
    explicit iterator(Stream* stream) : stream_(stream) {}
    Stream* stream_ = nullptr;  // null at the end
  };

  // Made by libbabyapi only (its calls that stream).
  BABYAPI_HIDDEN explicit Stream(std::unique_ptr<detail::StreamState> state);
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream();

  // The first call reads the first event; later calls continue from the current one.
  iterator begin();
  iterator end() noexcept { return iterator(); }
  // The pull form of iteration: the next event, or nullptr once the stream has ended.
  const SSEEvent* next();

  int status() const;
  std::string header(std::string_view name) const;
  const HeaderList& headers() const;
  std::string request_id() const { return header("x-request-id"); }

  // True once the `[DONE]` marker has been read. A stream whose iteration ended without it was cut
  // short by the server or a proxy, even though the connection closed cleanly.
  bool saw_done() const noexcept;

  // What a reconnecting client would send back: the last event id in force, and the latest
  // `retry` (ms) the server asked for, whether or not its block carried data.
  const std::string& last_event_id() const;
  std::optional<std::uint64_t> reconnection_time() const;

  // Ends the transfer now and closes its connection; iteration then ends. Also what destruction
  // does.
  void close() noexcept;

  // The whole stream accumulated into the answer the same request would have given without
  // streaming (see StreamAccumulator::completion()): chat.completion with each choice's message
  // {role, content, reasoning, refusal, tool_calls}, finish_reason and logprobs, or
  // text_completion with text; plus id, model, created and the last usage. It includes the
  // events already iterated, and reads (consumes) whatever is left, so the loop ends after it.
  // Throws what reading throws (a server error event, a cut connection), and
  // ResponseTooLargeError past StreamAccumulator's bounds. May be called again: the same answer.
  Json final_completion();

  // The last usage the server sent so far (vLLM sends one per chunk with
  // continuous_usage_stats, or a final one with include_usage); null when none came.
  Json usage() const;

 private:
  std::unique_ptr<detail::StreamState> state_;
};

BABYAPI_NAMESPACE_END
