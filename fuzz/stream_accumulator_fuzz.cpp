// Fuzz target for StreamAccumulator: a stream of fuzzed events, either raw (the input cut into
// event data at newlines) or built from the input by a small chunk grammar that reaches the
// quirks (tool calls with missing, negative and duplicate indexes and ids, bytes cut mid-UTF-8,
// lone surrogate escapes, usage-only and usage-null chunks, reasoning in both spellings, n > 1,
// [DONE] in the middle). Whatever arrives, add() and finish() may only throw ResponseTooLargeError,
// the answer is valid UTF-8 (dump() would throw otherwise), stays within the bounds, names every
// part add() reported as finished, and is the same for the same events. Built with
// -DBABYAPI_FUZZ_STANDALONE it replays built-in seeds and any files named on its command line.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/errors.hpp"
#include "babyapi/stream_accumulator.hpp"

namespace {

using babyapi::Json;
using babyapi::SSEEvent;
using babyapi::StreamAccumulator;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "stream_accumulator_fuzz: %s\n", what);
  std::abort();
}

// Reads the input a byte at a time; past the end it gives zeros.
struct Reader {
  std::string_view input;
  std::size_t at = 0;
  unsigned byte() { return at < input.size() ? static_cast<unsigned char>(input[at++]) : 0u; }
  bool more() const { return at < input.size(); }
};

// Fragments that matter: JSON punctuation, a multi-byte character and its halves, escapes.
const char* const kPieces[] = {"{\"a\":",          "1}",      "\xC3", "\xA9", "\xC3\xA9",
                               "\\ud83d",          "\\ude00", "\\\"", "",     "x",
                               "\xF4\x8F\xBC\x80", "\\u0000", "\xFF", "é"};
const char* const kIds[] = {"", "a", "b", "call_1"};

std::string piece(Reader& in) { return kPieces[in.byte() % (sizeof kPieces / sizeof kPieces[0])]; }

std::string choice_prefix(unsigned index_mode, unsigned index) {
  std::string text = "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{";
  if (index_mode % 4 != 0) text += "\"index\":" + std::to_string(index % 3) + ",";
  if (index_mode % 4 == 3) text += "\"index\":" + std::to_string(126 + index % 4) + ",";
  return text;
}

// One event built from the grammar. Strings are written by hand, not through nlohmann, so that
// bytes that are not UTF-8 and lone surrogate escapes reach the accumulator as a server sends them.
SSEEvent build_event(Reader& in) {
  const unsigned op = in.byte();
  const unsigned mode = in.byte();
  const std::string prefix = choice_prefix(mode, mode >> 2);
  switch (op % 11) {
    case 0:
      return SSEEvent("[DONE]");
    case 1:
      return SSEEvent(prefix + "\"delta\":{\"content\":\"" + piece(in) + "\"}}]}");
    case 2:
      return SSEEvent(prefix + "\"delta\":{\"" +
                      ((mode & 0x40) ? "reasoning" : "reasoning_content") + "\":\"" + piece(in) +
                      "\"}}]}");
    case 3: {  // a tool-call delta: index absent, -1, or 0..2; id absent, null or one of kIds
      const unsigned shape = in.byte();
      std::string call = "{";
      switch (shape % 4) {
        case 0:
          break;
        case 1:
          call += "\"index\":-1,";
          break;
        default:
          call += "\"index\":" + std::to_string((shape >> 2) % 3) + ",";
      }
      if (shape & 0x10) call += "\"id\":null,";
      if (shape & 0x20) call += std::string("\"id\":\"") + kIds[(shape >> 6) % 4] + "\",";
      call += "\"function\":{";
      if (shape & 0x08) call += "\"name\":\"f" + piece(in) + "\",";
      call += "\"arguments\":\"" + piece(in) + "\"}}";
      const std::string calls = (in.byte() & 1) ? call + "," + call : call;
      return SSEEvent(prefix + "\"delta\":{\"tool_calls\":[" + calls + "]}}]}");
    }
    case 4:
      return SSEEvent(prefix + "\"delta\":{},\"finish_reason\":\"" +
                      ((mode & 1) ? "tool_calls" : "stop") + "\"}]}");
    case 5:
      return SSEEvent(R"({"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":)" +
                      std::to_string(in.byte()) + "}}");
    case 6:
      return SSEEvent(prefix + "\"delta\":{\"content\":\"a\"}}],\"usage\":null}");
    case 7:
      return SSEEvent(prefix + "\"text\":\"" + piece(in) +
                      "\",\"logprobs\":{\"tokens\":[\"t\"]}}]}");
    case 8:
      return SSEEvent(prefix +
                      "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" +
                      "{\"k\":" + std::to_string(in.byte()) + "}}}]}}]}");
    case 9:
      return SSEEvent(R"({"error":{"message":"x"}})");
    default: {  // raw bytes from the input, up to the next newline
      std::string raw;
      while (in.more()) {
        const char c = static_cast<char>(in.byte());
        if (c == '\n') break;
        raw += c;
      }
      return SSEEvent(raw);
    }
  }
}

std::vector<SSEEvent> events_of(std::string_view input) {
  std::vector<SSEEvent> events;
  if (input.empty()) return events;
  if (static_cast<unsigned char>(input[0]) & 0x80) {  // raw: the rest cut at newlines
    std::size_t start = 1;
    while (start <= input.size()) {
      const std::size_t end = input.find('\n', start);
      const std::size_t stop = end == std::string_view::npos ? input.size() : end;
      events.emplace_back(std::string(input.substr(start, stop - start)));
      start = stop + 1;
    }
    return events;
  }
  Reader in{input, 1};
  while (in.more() && events.size() < 4096) events.push_back(build_event(in));
  return events;
}

struct Run {
  bool failed = false;
  std::vector<StreamAccumulator::Finished> finished;
  Json answer;
};

Run run(const std::vector<SSEEvent>& events, std::size_t max_bytes) {
  Run result;
  StreamAccumulator acc(max_bytes);
  try {
    for (const SSEEvent& event : events) {
      for (const auto& f : acc.add(event)) result.finished.push_back(f);
    }
    for (const auto& f : acc.finish()) result.finished.push_back(f);
  } catch (const babyapi::ResponseTooLargeError&) {
    result.failed = true;
    try {
      (void)acc.completion();
      fail("completion() after a bound error did not throw");
    } catch (const babyapi::ResponseTooLargeError&) {
    }
    return result;
  }
  result.answer = acc.completion();
  // Valid UTF-8 everywhere: the strict dump throws on anything else.
  try {
    (void)result.answer.dump();
  } catch (const Json::exception&) {
    fail("the answer is not valid UTF-8");
  }
  const Json& choices = result.answer["choices"];
  if (choices.size() > StreamAccumulator::kMaxChoices) fail("too many choices");
  for (const Json& choice : choices) {
    const std::size_t index = choice["index"].get<std::size_t>();
    if (choice.contains("message")) {
      const Json& calls = choice["message"]["tool_calls"];
      if (calls.size() > StreamAccumulator::kMaxToolCalls) fail("too many tool calls");
      for (std::size_t i = 0; i < calls.size(); ++i) {
        if (acc.tool_call(index, i) != calls[i]) fail("tool_call() disagrees with completion()");
        if (!calls[i]["id"].is_string() || calls[i]["id"].get<std::string>().empty()) {
          fail("a tool call without an id");
        }
      }
      const Json& content = choice["message"]["content"];
      if (!content.is_null() && acc.content(index) != content) fail("content() disagrees");
    } else if (acc.content(index) != choice["text"]) {
      fail("content() disagrees with text");
    }
  }
  for (const auto& f : result.finished) {
    const Json* choice = nullptr;
    for (const Json& c : choices) {
      if (c["index"] == f.choice) choice = &c;
    }
    if (choice == nullptr) fail("a finished part names a choice the answer does not have");
    if (f.kind == StreamAccumulator::Kind::kToolCall &&
        acc.tool_call(f.choice, f.tool_call).is_null()) {
      fail("a finished tool call the answer does not have");
    }
  }
  return result;
}

void fuzz_one(std::string_view input) {
  const std::vector<SSEEvent> events = events_of(input);
  // Second byte picks a small byte bound now and then, so the bound's path is walked too.
  const std::size_t max_bytes =
      input.size() > 1 && (static_cast<unsigned char>(input[1]) & 0x0F) == 0x0F
          ? 64
          : StreamAccumulator::kDefaultMaxBytes;
  const Run first = run(events, max_bytes);
  const Run second = run(events, max_bytes);
  if (first.failed != second.failed || first.answer != second.answer ||
      first.finished != second.finished) {
    fail("the same events gave two answers");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

#if defined(BABYAPI_FUZZ_STANDALONE)
#include "seed_replay.hpp"

namespace {

std::vector<std::string> builtin_seeds() {
  std::vector<std::string> seeds;
  seeds.emplace_back();
  // Raw mode: a real chat stream with a tool call, usage and [DONE].
  seeds.push_back(
      "\x80"
      R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})"
      "\n"
      R"({"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})"
      "\n"
      R"({"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Montr)"
      "\xC3"
      "\"}}]}}]}\n"
      "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
      "\"function\":"
      "{\"arguments\":\"\xA9"
      "al\\\"}\"}}]}}]}\n"
      R"({"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"
      "\n"
      R"({"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}})"
      "\n[DONE]");
  // Raw mode: completions, n = 2 interleaved, a lone surrogate.
  seeds.push_back(
      "\x80"
      R"({"object":"text_completion","choices":[{"index":1,"text":"b\ud83d"}]})"
      "\n"
      R"({"object":"text_completion","choices":[{"index":0,"text":"a"},{"text":"\ude00"}]})"
      "\nnot json\n[DONE]");
  // Grammar mode: every op in turn, with varied shapes.
  std::string grammar = "\x01";
  for (unsigned op = 0; op < 11; ++op) {
    for (unsigned shape : {0u, 1u, 2u, 3u, 0x35u, 0x7Au, 0xF6u}) {
      grammar += static_cast<char>(op == 0 ? 1 : op);
      grammar += static_cast<char>(shape);
      grammar += static_cast<char>(shape * 7);
      grammar += static_cast<char>(shape * 13);
      grammar += static_cast<char>(shape + 1);
    }
  }
  grammar += '\x00';
  grammar += '\x00';
  seeds.push_back(grammar);
  // Grammar mode with the small byte bound.
  seeds.push_back(std::string("\x01\x0F") + std::string(200, '\x03'));
  // Many tool calls under distinct indexes: runs into kMaxToolCalls only with raw JSON.
  std::string many = "\x80";
  for (int i = 0; i < 130; ++i) {
    many += R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":)" + std::to_string(i) +
            R"(,"function":{"name":"f"}}]}}]})"
            "\n";
  }
  seeds.push_back(many);
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  return babyapi::fuzz::replay_seeds(argc, argv, "stream_accumulator_fuzz", builtin_seeds(),
                                     [](const std::string& input) { fuzz_one(input); });
}
#endif
