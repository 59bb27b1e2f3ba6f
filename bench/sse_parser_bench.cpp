// SSEParser throughput on a 64 MiB stream of OpenAI-style chat chunks fed in random-size pieces,
// next to a memchr newline scan of the same pieces (the ceiling). Compare the rows of one run, not
// runs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/sse.hpp"

namespace {

constexpr std::size_t kStreamSize = std::size_t{64} << 20;
constexpr std::size_t kMaxPiece = 16 << 10;

struct Stream {
  std::string bytes;
  std::vector<std::string_view> pieces;
  std::size_t events = 0;
  std::size_t text_bytes = 0;  // the sum of every event's text(), to check the parsed output
};

// The chunks a chat completion streams: same shape as OpenAI's, one short word of content each.
const Stream& stream() {
  static const Stream built = [] {
    Stream s;
    static const char* const kWords[] = {
        "word ", "the ", "stream ",          "of ",  "tokens ", "is ",
        "long ", "and ", "\\u00e9t\\u00e9 ", "fast "};
    static const std::size_t kDecoded[] = {5, 4, 7, 3, 7, 3, 5, 4, 6, 5};  // bytes after decoding
    s.bytes.reserve(kStreamSize + 256);
    char event[512];
    for (std::size_t i = 0; s.bytes.size() < kStreamSize; ++i) {
      const std::size_t word = i % 10;
      const int n = std::snprintf(
          event, sizeof(event),
          "data: {\"id\":\"chatcmpl-%08zu\",\"object\":\"chat.completion.chunk\",\"created\":%zu,"
          "\"model\":\"mistral\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},"
          "\"finish_reason\":null}]}\n\n",
          i % 100000000, 1700000000 + i / 50, kWords[word]);
      s.bytes.append(event, static_cast<std::size_t>(n));
      ++s.events;
      s.text_bytes += kDecoded[word];
    }
    std::mt19937 rng(42);
    std::uniform_int_distribution<std::size_t> piece_size(1, kMaxPiece);
    for (std::size_t at = 0; at < s.bytes.size();) {
      const std::size_t size = std::min(piece_size(rng), s.bytes.size() - at);
      s.pieces.emplace_back(s.bytes.data() + at, size);
      at += size;
    }
    return s;
  }();
  return built;
}

void finish_run(benchmark::State& state, std::size_t events, std::size_t checked,
                std::size_t expected_checked) {
  const Stream& s = stream();
  if (events != s.events * static_cast<std::size_t>(state.iterations()) ||
      checked != expected_checked * static_cast<std::size_t>(state.iterations())) {
    state.SkipWithError("the parser's output does not match the stream");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(s.bytes.size()));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_MemchrNewlineScan(benchmark::State& state) {
  const Stream& s = stream();
  std::size_t newlines = 0;
  for ([[maybe_unused]] auto _ : state) {
    for (std::string_view piece : s.pieces) {
      const char* p = piece.data();
      const char* const end = p + piece.size();
      while ((p = static_cast<const char*>(
                  std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr) {
        ++newlines;
        ++p;
      }
    }
    benchmark::DoNotOptimize(newlines);
  }
  finish_run(state, newlines / 2, 0, 0);
}

// Framing alone through the streaming interface, with a sink that only reads.
void BM_Framing(benchmark::State& state) {
  std::size_t events = 0;
  std::size_t raw_bytes = 0;
  for ([[maybe_unused]] auto _ : state) {
    babyapi::SSEParser parser;
    for (std::string_view piece : stream().pieces) {
      parser.feed(piece, [&](babyapi::SSEEvent&& event) {
        ++events;
        raw_bytes += event.raw().size();
      });
    }
    parser.finish();
  }
  benchmark::DoNotOptimize(raw_bytes);
  finish_run(state, events, 0, 0);
}

// Framing through feed() returning a vector: one event allocation each, as a simple caller pays.
void BM_FramingVector(benchmark::State& state) {
  std::size_t events = 0;
  for ([[maybe_unused]] auto _ : state) {
    babyapi::SSEParser parser;
    for (std::string_view piece : stream().pieces) {
      events += parser.feed(piece).size();
    }
    parser.finish();
  }
  finish_run(state, events, 0, 0);
}

// Framing plus text() on every event: what `for (ev : stream) std::cout << ev.text()` costs.
void BM_FramingText(benchmark::State& state) {
  std::size_t events = 0;
  std::size_t text_bytes = 0;
  for ([[maybe_unused]] auto _ : state) {
    babyapi::SSEParser parser;
    for (std::string_view piece : stream().pieces) {
      parser.feed(piece, [&](babyapi::SSEEvent&& event) {
        ++events;
        text_bytes += event.text().size();
      });
    }
    parser.finish();
  }
  finish_run(state, events, text_bytes, stream().text_bytes);
}

// A pull-based consumer: events queued by the sink, then taken one by one and read with text().
void BM_FramingQueueText(benchmark::State& state) {
  std::size_t events = 0;
  std::size_t text_bytes = 0;
  for ([[maybe_unused]] auto _ : state) {
    babyapi::SSEParser parser;
    std::deque<babyapi::SSEEvent> queue;
    for (std::string_view piece : stream().pieces) {
      parser.feed(piece,
                  [&queue](babyapi::SSEEvent&& event) { queue.push_back(std::move(event)); });
      while (!queue.empty()) {
        ++events;
        text_bytes += queue.front().text().size();
        queue.pop_front();
      }
    }
    parser.finish();
  }
  finish_run(state, events, text_bytes, stream().text_bytes);
}

// Framing plus a full nlohmann parse of every event through data().
void BM_FramingData(benchmark::State& state) {
  std::size_t events = 0;
  std::size_t parsed = 0;
  for ([[maybe_unused]] auto _ : state) {
    babyapi::SSEParser parser;
    for (std::string_view piece : stream().pieces) {
      parser.feed(piece, [&](babyapi::SSEEvent&& event) {
        ++events;
        parsed += event.data().has_value() ? 1 : 0;
      });
    }
    parser.finish();
  }
  finish_run(state, events, parsed, stream().events);
}

BENCHMARK(BM_MemchrNewlineScan)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Framing)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FramingVector)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FramingText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FramingQueueText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FramingData)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
