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

/// The server-sent events of one streaming call (`chat.completions.stream()`,
/// `completions.stream()`), pulled lazily in the calling thread.
///
/// Iterating pumps the connection until the next event is complete; nothing is buffered beyond
/// what the next event needs. Leaving the loop early, close() or destruction ends the transfer and
/// closes the connection, so the server stops generating. An `event: error` or an {"error": ...}
/// payload throws BabyAPIError; a transfer that fails mid-stream throws APIConnectionError; a
/// silence longer than RequestOptions::timeout throws APITimeoutError. A Stream is move-only and
/// belongs to one thread.
///
/// \code
/// babyapi::Stream stream = client.chat.completions.stream(params);
/// for (const babyapi::SSEEvent& event : stream) {
///   if (event.done()) break;
///   std::cout << event.text() << std::flush;
/// }
/// if (!stream.saw_done()) std::cerr << "the stream was cut short\n";
/// babyapi::Json answer = stream.final_completion();  // shaped like create()'s answer
/// \endcode
class BABYAPI_EXPORT Stream {
 public:
  /// An input iterator over the events; advancing it may block on the network and may throw
  /// BabyAPIError (an `event: error` or an {"error": ...} payload), APIConnectionError (the
  /// transfer failed mid-stream) or APITimeoutError (RequestOptions::timeout of silence passed).
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;  ///< a single-pass iterator
    using value_type = SSEEvent;                        ///< each element is one event
    using difference_type = std::ptrdiff_t;             ///< required by the iterator traits
    using pointer = const SSEEvent*;                    ///< what operator->() returns
    using reference = const SSEEvent&;                  ///< what operator*() returns

    iterator() = default;  ///< the end iterator, as Stream::end() gives it
    /// The current event; valid until the iterator (or the Stream) moves on.
    reference operator*() const;
    /// Member access on the current event.
    pointer operator->() const { return &**this; }
    /// Reads the next event, blocking on the network as needed; the iterator becomes end() once
    /// the stream ends.
    /// \throws BabyAPIError for an error event or payload
    /// \throws APIConnectionError when the transfer fails
    /// \throws APITimeoutError after RequestOptions::timeout of silence
    iterator& operator++();
    /// Reads the next event, as the pre-increment does; returns nothing (an input iterator keeps
    /// no copy of the event before).
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.stream_ == b.stream_;
    }
    friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

   private:
    friend class Stream;
    explicit iterator(Stream* stream) : stream_(stream) {}
    Stream* stream_ = nullptr;  ///< null at the end
  };

  /// Made by the SDK's streaming calls; code of its own receives a Stream and has no need to call
  /// this.
  BABYAPI_HIDDEN explicit Stream(std::unique_ptr<detail::StreamState> state);
  /// Takes over the other stream's transfer; the moved-from Stream is ended and empty.
  Stream(Stream&&) noexcept;
  /// Closes this stream's transfer, then takes over the other's.
  Stream& operator=(Stream&&) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream();

  /// The first call reads the first event; later calls continue from the current one.
  iterator begin();
  /// The end iterator: what the iterator compares equal to once the stream has ended.
  iterator end() noexcept { return iterator(); }
  /// The pull form of iteration: the next event, or nullptr once the stream has ended.
  const SSEEvent* next();

  /// The HTTP status of the answer (a stream opens only on a 2xx); 0 for a moved-from Stream.
  int status() const;
  /// The first header of that name, compared without regard to case; "" when absent.
  std::string header(std::string_view name) const;
  /// The answer's headers, in the order received.
  const HeaderList& headers() const;
  /// x-request-id of the answer; "" when the server sent none.
  std::string request_id() const { return header("x-request-id"); }

  /// True once the `[DONE]` marker has been read. A stream whose iteration ended without it was cut
  /// short by the server or a proxy, even though the connection closed cleanly.
  bool saw_done() const noexcept;

  /// What a reconnecting client would send back: the last event id in force, and the latest
  /// `retry` (ms) the server asked for, whether or not its block carried data.
  const std::string& last_event_id() const;
  /// The latest `retry` value (ms) the server sent; nullopt when it sent none. See
  /// last_event_id().
  std::optional<std::uint64_t> reconnection_time() const;

  /// Ends the transfer now and closes its connection; iteration then ends. Also what destruction
  /// does.
  void close() noexcept;

  /// The whole stream accumulated into the answer the same request would have given without
  /// streaming (see StreamAccumulator::completion()): chat.completion with each choice's message
  /// {role, content, reasoning, refusal, tool_calls}, finish_reason and logprobs, or
  /// text_completion with text; plus id, model, created and the last usage. It includes the
  /// events already iterated, and reads (consumes) whatever is left, so the loop ends after it.
  /// Throws what reading throws (a server error event, a cut connection), and
  /// ResponseTooLargeError past StreamAccumulator's bounds. May be called again: the same answer.
  Json final_completion();

  /// The last usage the server sent so far (vLLM sends one per chunk with
  /// continuous_usage_stats, or a final one with include_usage); null when none came.
  Json usage() const;

 private:
  std::unique_ptr<detail::StreamState> state_;
};

BABYAPI_NAMESPACE_END
