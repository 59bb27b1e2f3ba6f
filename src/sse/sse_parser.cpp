// SSEParser: the WHATWG "interpreting an event stream" state machine over byte pieces.
#include <cstring>
#include <limits>
#include <string>

#include "babyapi/errors.hpp"
#include "babyapi/sse.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

BABYAPI_NAMESPACE_BEGIN
namespace {

constexpr unsigned char kBom[] = {0xEF, 0xBB, 0xBF};
constexpr std::size_t kBomSize = sizeof(kBom);

// A carried-over line buffer this large is released after use rather than kept for the rest of
// the stream: one huge event should not pin its memory.
constexpr std::size_t kKeptLineCapacity = std::size_t{1} << 20;

// The first CR or LF in [p, end), or end. Event streams are mostly long `data:` lines, so look at
// 16 bytes per step where SSE2 is there (every x86-64).
const char* find_line_end(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  while (end - p >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, lf), _mm_cmpeq_epi8(chunk, cr)));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p != end; ++p) {
    if (*p == '\n' || *p == '\r') return p;
  }
  return end;
}

bool all_ascii_digits(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The spec reads `retry` as a base-ten integer of any length; past 2^64-1 ms (585 million years)
// saturating is the only answer that is still "wait a very long time".
std::uint64_t parse_digits_saturating(std::string_view digits) noexcept {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t value = 0;
  for (char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) return kMax;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

std::vector<SSEEvent> SSEParser::feed(std::string_view bytes) {
  std::vector<SSEEvent> events;
  feed(bytes, [&events](SSEEvent&& event) { events.push_back(std::move(event)); });
  return events;
}

std::vector<SSEEvent> SSEParser::finish() {
  // Nothing to flush: an event still open at the end of the stream is discarded by the spec.
  line_.clear();
  if (line_.capacity() > kKeptLineCapacity) std::string().swap(line_);
  current_.clear();
  has_data_ = false;
  skip_lf_ = false;
  bom_checked_ = false;
  bom_seen_ = 0;
  failed_ = false;
  return {};
}

void SSEParser::feed_to(std::string_view bytes, SinkFn sink_fn, void* sink) {
  if (failed_) {
    throw BabyAPIError(
        "SSEParser was fed after an error: its framing is lost; call finish() to start a new "
        "stream");
  }
  sink_fn_ = sink_fn;
  sink_ = sink;
  try {
    if (!bom_checked_) bytes = skip_bom(bytes);
    consume(bytes);
  } catch (...) {
    // Some of these bytes were not parsed, so what follows them cannot be framed correctly.
    failed_ = true;
    throw;
  }
}

std::string_view SSEParser::skip_bom(std::string_view bytes) {
  while (bom_seen_ < kBomSize && !bytes.empty()) {
    if (static_cast<unsigned char>(bytes.front()) != kBom[bom_seen_]) {
      // Not a BOM after all: the bytes held back so far are ordinary input.
      bom_checked_ = true;
      consume(std::string_view(reinterpret_cast<const char*>(kBom), bom_seen_));
      return bytes;
    }
    ++bom_seen_;
    bytes.remove_prefix(1);
  }
  if (bom_seen_ == kBomSize) bom_checked_ = true;
  return bytes;
}

void SSEParser::consume(std::string_view bytes) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (p == end) return;
  if (skip_lf_) {
    skip_lf_ = false;
    if (*p == '\n' && ++p == end) return;
  }
  if (!line_.empty()) {
    // Finish the line carried over from the previous feed; only the new bytes are scanned.
    const char* line_end = find_line_end(p, end);
    check_size(line_.size() + static_cast<std::size_t>(line_end - p));
    line_.append(p, line_end);
    if (line_end == end) return;
    process_line(line_.data(), line_.size());
    line_.clear();
    if (line_.capacity() > kKeptLineCapacity) std::string().swap(line_);
    p = after_line_end(line_end, end);
  }
  while (p != end) {
    const char* line_end = find_line_end(p, end);
    const auto size = static_cast<std::size_t>(line_end - p);
    check_size(size);
    if (line_end == end) {
      line_.assign(p, size);
      return;
    }
    process_line(p, size);
    p = after_line_end(line_end, end);
  }
}

const char* SSEParser::after_line_end(const char* line_end, const char* end) noexcept {
  if (*line_end == '\r') {
    if (line_end + 1 == end) {
      // The LF of a CRLF may open the next feed; it must not count as a second line end.
      skip_lf_ = true;
      return end;
    }
    if (line_end[1] == '\n') return line_end + 2;
  }
  return line_end + 1;
}

void SSEParser::check_size(std::size_t line_size) const {
  if (current_.raw_.size() + line_size > options_.max_event_size) {
    throw ResponseTooLargeError(
        "SSE event larger than " + std::to_string(options_.max_event_size) +
        " bytes (ClientOptions::max_response_bytes, or SSEParserOptions::max_event_size for a "
        "parser of your own): the stream sent no blank line to end it");
  }
}

void SSEParser::process_line(const char* line, std::size_t size) {
  if (size == 0) {
    dispatch();
    return;
  }
  if (line[0] == ':') return;  // a comment, often a keep-alive
  // The hot case first: nearly every line of an API stream is `data: ...`.
  if (size >= 5 && std::memcmp(line, "data:", 5) == 0) {
    std::string_view value(line + 5, size - 5);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    process_field("data", value);
    return;
  }
  const std::string_view text(line, size);
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    process_field(text, {});
    return;
  }
  std::string_view value = text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  process_field(text.substr(0, colon), value);
}

void SSEParser::process_field(std::string_view name, std::string_view value) {
  if (name == "data") {
    if (has_data_) current_.raw_.push_back('\n');
    current_.raw_.append(value);
    has_data_ = true;
  } else if (name == "event") {
    current_.event_.assign(value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) last_event_id_.assign(value);
  } else if (name == "retry") {
    if (all_ascii_digits(value)) {
      const std::uint64_t ms = parse_digits_saturating(value);
      current_.retry_ = ms;
      reconnection_time_ = ms;
    }
  }
  // Any other field name is ignored, as the spec requires.
}

void SSEParser::dispatch() {
  if (!has_data_) {
    // No data, no event; the block's event type and retry still end here.
    current_.event_.clear();
    current_.retry_.reset();
    return;
  }
  current_.id_ = last_event_id_;
  has_data_ = false;
  // Runs after the sink returns or throws: whatever the sink left behind is emptied for reuse.
  struct ClearAfter {
    SSEEvent& event;
    ~ClearAfter() { event.clear(); }
  } clear_after{current_};
  sink_fn_(sink_, std::move(current_));
}

BABYAPI_NAMESPACE_END
