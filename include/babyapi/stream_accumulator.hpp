// StreamAccumulator: turns the chunk events of a chat or completions stream into the answer the
// same request would have given without streaming (content, reasoning, tool calls, finish reason,
// logprobs, usage). Pure like SSEParser: no I/O, fed one event at a time, and it tolerates what
// open-weight servers really send (each tolerated quirk has its written rule in
// src/sse/stream_accumulator.cpp and a test in tests/unit/stream_accumulator_test.cpp).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "babyapi/config.hpp"
#include "babyapi/json.hpp"
#include "babyapi/sse.hpp"

namespace babyapi::detail {
struct StreamAccumulatorState;  // src/sse/stream_accumulator.cpp
}

BABYAPI_NAMESPACE_BEGIN

/// Turns the chunk events of a chat or completions stream into the answer the same request would
/// have given without streaming, and tells as each event comes what it finished.
///
/// Pure like SSEParser: no I/O, fed one event at a time. Stream::final_completion() is built on
/// one; use one of your own to assemble events that reach you otherwise
/// (stream_async's on_event, a recorded stream). It tolerates what open-weight servers really send:
/// tool-call deltas without an index or an id, interleaved choices of `n > 1`, UTF-8 cut between
/// chunks.
///
/// \code
/// babyapi::StreamAccumulator accumulator;
/// for (const babyapi::SSEEvent& event : client.chat.completions.stream(params)) {
///   for (const babyapi::StreamAccumulator::Finished& part : accumulator.add(event)) {
///     if (part.kind == babyapi::StreamAccumulator::Kind::kToolCall) {
///       show_tool_call(accumulator.tool_call(part.choice, part.tool_call));  // already whole
///     }
///   }
/// }
/// accumulator.finish();  // closes what is open when the stream sent no [DONE]
/// babyapi::Json answer = accumulator.completion();
/// \endcode
class BABYAPI_EXPORT StreamAccumulator {
 public:
  /// \name Bounds
  /// Bounds on what one stream may make the accumulator hold. Past any of them add() throws
  /// ResponseTooLargeError naming the bound: a server (or a proxy) that streams without end must
  /// not grow memory without end. 128 is the OpenAI limit on both choices and tool calls.
  /// @{
  static constexpr std::size_t kMaxChoices = 128;    ///< choices, numbered 0 to 127
  static constexpr std::size_t kMaxToolCalls = 128;  ///< tool calls in one choice
  /// The default bound on the bytes held: every content, reasoning, refusal, text, tool name and
  /// arguments fragment, plus the events that carry logprobs. Same as
  /// ClientOptions::max_response_bytes, which is what a Stream's own accumulator uses.
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{256} << 20;
  /// @}

  /// What one event finished, so that a UI can react (show a tool call, close the thinking pane)
  /// without diffing. A part finishes when the same choice moves on to another part, when the
  /// choice gets its finish_reason, or when the stream ends ([DONE], or finish()).
  enum class Kind {
    kReasoning,  ///< the choice's reasoning
    kContent,    ///< the choice's content (or the text of a completions stream)
    kToolCall,   ///< one tool call of the choice: read it with tool_call(choice, tool_call)
  };
  /// One finished part, as add() and finish() report it.
  struct Finished {
    /// What finished: the choice's reasoning, its content or one of its tool calls.
    Kind kind = Kind::kContent;
    std::size_t choice = 0;     ///< the choice's index
    std::size_t tool_call = 0;  ///< kToolCall: its position in that choice's message.tool_calls
    friend bool operator==(const Finished& a, const Finished& b) noexcept {
      return a.kind == b.kind && a.choice == b.choice && a.tool_call == b.tool_call;
    }
    friend bool operator!=(const Finished& a, const Finished& b) noexcept { return !(a == b); }
  };

  /// max_bytes bounds the bytes held (see kDefaultMaxBytes).
  explicit StreamAccumulator(std::size_t max_bytes = kDefaultMaxBytes);
  /// A moved-from accumulator may only be assigned to or destroyed.
  StreamAccumulator(StreamAccumulator&&) noexcept;
  /// Takes over the other accumulator's state; the moved-from one may only be assigned to or
  /// destroyed.
  StreamAccumulator& operator=(StreamAccumulator&&) noexcept;
  StreamAccumulator(const StreamAccumulator&) = delete;
  StreamAccumulator& operator=(const StreamAccumulator&) = delete;
  ~StreamAccumulator();

  /// Takes the next event of the stream and returns what it finished, in the order it finished
  /// (usually nothing or one part; at `[DONE]`, the parts still open in every choice).
  /// Events that are not chunks (not JSON, an error payload, comments) change nothing. Throws
  /// ResponseTooLargeError past a bound; after that every call throws it again.
  /// \throws ResponseTooLargeError past kMaxChoices, kMaxToolCalls or the max_bytes bound
  std::vector<Finished> add(const SSEEvent& event);

  /// The end of a stream that sent no `[DONE]`: finishes whatever is still open and returns it.
  /// Calling it again (or after `[DONE]`) returns nothing.
  std::vector<Finished> finish();

  /// The answer so far, shaped like the non-streaming one: `chat.completion` with, for each choice
  /// in index order, message{role, content, reasoning, refusal, tool_calls[{id, type,
  /// function{name, arguments}}]}, finish_reason and logprobs; or `text_completion` with text,
  /// finish_reason and logprobs. Also id, model, created and usage (the last one sent, or null).
  /// content is null only when the message holds tool calls and no text; reasoning and refusal are
  /// null when none came. Fragments are joined as bytes, and only here is the result made valid
  /// UTF-8 (a character split across two chunks is whole again; what stays broken becomes U+FFFD).
  /// Throws the bound error when add() failed.
  /// \throws ResponseTooLargeError when add() passed a bound
  Json completion() const;

  /// One tool call as completion() shows it ({id, type, function{name, arguments}}); null when that
  /// choice has no such call.
  Json tool_call(std::size_t choice, std::size_t position) const;
  /// The content (chat) or text (completions) of one choice so far, as valid UTF-8; "" when none.
  std::string content(std::size_t choice = 0) const;
  /// The last usage object sent (vLLM's continuous_usage_stats sends one on every chunk: each
  /// replaces the one before, never summed); null when none.
  const Json& usage() const noexcept;
  /// How many events were chunks, that is, changed something.
  std::size_t chunks() const noexcept;

 private:
  std::unique_ptr<detail::StreamAccumulatorState> state_;
};

BABYAPI_NAMESPACE_END
