// Server-sent events: SSEParser turns the bytes of a text/event-stream body into SSEEvents by the
// WHATWG HTML rules for interpreting an event stream. It does no I/O: the transport feeds it bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "babyapi/config.hpp"
#include "babyapi/json.hpp"

BABYAPI_NAMESPACE_BEGIN

class BABYAPI_EXPORT SSEParser;

/// One dispatched event. A stream's events are plain values: copy or keep them as you like.
class BABYAPI_EXPORT SSEEvent {
 public:
  SSEEvent() = default;  ///< an empty event: no data, event, id or retry
  /// For tests and for code that builds events itself; the parser fills the same fields.
  explicit SSEEvent(std::string data, std::string event = {}, std::string id = {},
                    std::optional<std::uint64_t> retry = std::nullopt);

  /// True when the data is exactly `[DONE]`, the OpenAI end-of-stream marker.
  bool done() const noexcept { return raw_ == "[DONE]"; }

  /// The event's data lines joined with "\n", as sent.
  const std::string& raw() const noexcept { return raw_; }

  /// The data parsed as JSON on first use and cached; nullopt when it is not JSON. Never throws a
  /// parse error. Lone surrogate escapes (`"\ud83d"` without its low half) are taken as U+FFFD
  /// rather than making the whole event "not JSON". The cache makes this call, and text(), unsafe
  /// to race on one event from two threads.
  const std::optional<Json>& data() const;

  /// The `event` field as sent; "" when absent (a browser would call that "message").
  const std::string& event() const noexcept { return event_; }

  /// The last event id in force when this event was dispatched: an `id` field persists across
  /// events until another one replaces it.
  const std::string& id() const noexcept { return id_; }

  /// The reconnection time (ms) from a valid `retry` field among this event's own lines, that is
  /// since the previous blank line; nullopt otherwise. A retry sent in a block without data reaches
  /// no event: SSEParser::reconnection_time() keeps the latest one either way.
  std::optional<std::uint64_t> retry() const noexcept { return retry_; }

  /// The streamed text of choice 0: its `delta.content` (chat) when that is a string, else its
  /// `text` (completions) when that is a string, else "" (also when the data is not JSON, and for a
  /// chunk that carries only other choices, as an `n > 1` stream sends them). Reads the JSON
  /// without building a tree, so it keeps up with a fast stream. Same as text(0).
  std::string text() const;

  /// The streamed text of choice `choice`, read as text() reads choice 0. A choice is the element
  /// of `choices` whose `index` is that number; an element without an `index` (or with one that is
  /// not a non-negative integer) is numbered by its position in the array, so a server that omits
  /// `index` still works for `n = 1`. When several elements match, the first counts. A `\uXXXX`
  /// escape holding half of a surrogate pair reads as U+FFFD, here and in data(), so no event's
  /// text is dropped for it.
  std::string text(std::size_t choice) const;

  /// The reasoning text in this chunk for choice `choice` (numbered as text() numbers them): its
  /// `delta.reasoning`, else the legacy `delta.reasoning_content` (vLLM renamed it; both are
  /// read so neither spelling is lost); "" when absent. Parses the data (see data()).
  std::string reasoning(std::size_t choice = 0) const;
  /// The choice's `finish_reason` ("stop", "length", "tool_calls", ...) when this chunk carries
  /// one; nullopt on ordinary chunks (null) and when the data is not a chunk.
  std::optional<std::string> finish_reason(std::size_t choice = 0) const;
  /// The chunk's `usage` object (with stream_options.include_usage, the final chunk's; with
  /// continuous_usage_stats, every chunk's); nullopt when absent or null.
  std::optional<Json> usage() const;

  /// Equal when what was sent is equal (data, event, id, retry); the JSON cache does not count.
  friend bool operator==(const SSEEvent& a, const SSEEvent& b) noexcept {
    return a.raw_ == b.raw_ && a.event_ == b.event_ && a.id_ == b.id_ && a.retry_ == b.retry_;
  }
  friend bool operator!=(const SSEEvent& a, const SSEEvent& b) noexcept { return !(a == b); }

 private:
  friend class BABYAPI_EXPORT SSEParser;

  /// Empties the event but keeps its buffers, so the parser can build the next event in place.
  void clear() noexcept;

  std::string raw_;
  std::string event_;
  std::string id_;
  std::optional<std::uint64_t> retry_;
  mutable std::optional<Json> json_;
  mutable bool json_parsed_ = false;
};

/// Bounds that an SSEParser enforces on the stream it reads.
struct BABYAPI_EXPORT SSEParserOptions {
  /// The most bytes held for one event: its data so far plus the line being read. A server that
  /// never sends the blank line ending an event would otherwise grow memory without bound.
  std::size_t max_event_size = std::size_t{64} << 20;
};

/// Incremental event-stream parser. Feed it the body in pieces of any size: the events are the same
/// however the bytes are split, and each byte is scanned once. Lines end at CR, LF or CRLF; a UTF-8
/// BOM opening the stream is dropped; an event still open when the stream ends is dropped.
/// Bytes are passed through as sent (invalid UTF-8 is not replaced).
///
/// \code
/// babyapi::SSEParser parser;
/// std::vector<babyapi::SSEEvent> events = parser.feed("data: {\"a\": 1}\n\nda");  // one event
/// events = parser.feed("ta: [DONE]\n\n");  // one more: "da" + "ta" joined, events[0].done()
/// parser.finish();                         // end of stream; the parser is ready for another
/// \endcode
class BABYAPI_EXPORT SSEParser {
 public:
  SSEParser() = default;  ///< a parser with the default SSEParserOptions
  /// A parser with these bounds.
  explicit SSEParser(SSEParserOptions options) : options_(options) {}

  /// The events completed by these bytes, in order. Throws when an event grows past
  /// max_event_size (ResponseTooLargeError); after any exception the parser refuses more bytes
  /// until finish().
  /// \throws ResponseTooLargeError when an event grows past SSEParserOptions::max_event_size
  /// \throws BabyAPIError when called after an exception and before finish()
  std::vector<SSEEvent> feed(std::string_view bytes);

  /// The streaming form: calls on_event(SSEEvent&&) for each completed event, in order, with no
  /// vector in between. The sink may move the event away to keep it; if it does not, the parser
  /// reuses that event's buffers for the next one, so a sink that only reads allocates nothing per
  /// event. A consumer with a queue writes `[&](SSEEvent&& e) { queue.push_back(std::move(e)); }`.
  /// An exception from the sink propagates and, like any error, stops the parser until finish().
  /// \throws ResponseTooLargeError when an event grows past SSEParserOptions::max_event_size
  /// \throws BabyAPIError when called after an exception and before finish()
  template <class Sink>
  void feed(std::string_view bytes, Sink&& on_event);

  /// End of stream. An event without its closing blank line is discarded, as the spec requires, so
  /// this returns no events; it resets the parser for a new stream (a BOM may open it again) but
  /// keeps last_event_id() and reconnection_time(), which a reconnecting client sends back.
  std::vector<SSEEvent> finish();

  /// The last event id buffer: what a reconnect would send as Last-Event-ID.
  const std::string& last_event_id() const noexcept { return last_event_id_; }

  /// The latest valid `retry` value seen on this stream, whether or not its block made an event.
  std::optional<std::uint64_t> reconnection_time() const noexcept { return reconnection_time_; }

  /// True when finish() now would drop something: part of a line, or data lines still waiting for
  /// their blank line. Lets a consumer tell a stream cut mid-event from one that ended cleanly.
  bool has_pending_event() const noexcept {
    return has_data_ || !line_.empty() || (!bom_checked_ && bom_seen_ > 0);
  }

  /// The bounds this parser was made with.
  const SSEParserOptions& options() const noexcept { return options_; }

 private:
  using SinkFn = void (*)(void* sink, SSEEvent&& event);

  void feed_to(std::string_view bytes, SinkFn sink_fn, void* sink);
  std::string_view skip_bom(std::string_view bytes);
  void consume(std::string_view bytes);
  const char* after_line_end(const char* line_end, const char* end) noexcept;
  void process_line(const char* line, std::size_t size);
  void process_field(std::string_view name, std::string_view value);
  void dispatch();
  void check_size(std::size_t line_size) const;

  SSEParserOptions options_;
  SSEEvent current_;          ///< the event being built; its raw_ is the data buffer
  bool has_data_ = false;     ///< a data field was seen (the spec's data buffer is non-empty)
  std::string line_;          ///< an unterminated line carried over from the previous feed
  bool skip_lf_ = false;      ///< the previous feed ended on CR: an LF opening the next is its pair
  bool bom_checked_ = false;  ///< past the point where a BOM could still start the stream
  unsigned char bom_seen_ = 0;  ///< BOM bytes matched so far while !bom_checked_
  bool failed_ = false;
  std::string last_event_id_;
  std::optional<std::uint64_t> reconnection_time_;
  SinkFn sink_fn_ = nullptr;
  void* sink_ = nullptr;
};

template <class Sink>
void SSEParser::feed(std::string_view bytes, Sink&& on_event) {
  using SinkType = std::remove_reference_t<Sink>;
  static_assert(std::is_invocable_v<SinkType&, SSEEvent&&>,
                "the sink must be callable as on_event(SSEEvent&&)");
  // A plain function pointer keeps the parsing loop out of line, compiled once in the library.
  feed_to(
      bytes,
      [](void* sink, SSEEvent&& event) { (*static_cast<SinkType*>(sink))(std::move(event)); },
      const_cast<void*>(static_cast<const void*>(std::addressof(on_event))));
}

BABYAPI_NAMESPACE_END
