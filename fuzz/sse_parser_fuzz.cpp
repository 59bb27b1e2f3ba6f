// Fuzz target for SSEParser and SSEEvent: the events must not depend on how the bytes are split,
// and text() and the fast JSON scanner must agree with nlohmann on every event (and on the raw
// input). Built with -DBABYAPI_FUZZ_STANDALONE it is a plain program replaying built-in seeds and
// any files named on its command line, so a crash found by clang can be replayed with any compiler.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/errors.hpp"
#include "babyapi/sse.hpp"
#include "sse/choice_text.hpp"

namespace {

using babyapi::Json;
using babyapi::SSEEvent;
using babyapi::SSEParser;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "sse_parser_fuzz: %s\n", what);
  std::abort();
}

struct Outcome {
  std::vector<SSEEvent> events;
  bool threw = false;
  bool pending = false;
  std::string last_event_id;
  std::optional<std::uint64_t> reconnection_time;

  bool operator==(const Outcome& other) const {
    return events == other.events && threw == other.threw && pending == other.pending &&
           last_event_id == other.last_event_id && reconnection_time == other.reconnection_time;
  }
};

// Feeds input cut at `cuts` (ascending offsets) and records everything observable.
Outcome run(std::string_view input, const std::vector<std::size_t>& cuts,
            std::size_t max_event_size) {
  babyapi::SSEParserOptions options;
  options.max_event_size = max_event_size;
  SSEParser parser(options);
  Outcome outcome;
  auto keep = [&outcome](SSEEvent&& event) { outcome.events.push_back(std::move(event)); };
  try {
    std::size_t at = 0;
    for (std::size_t cut : cuts) {
      parser.feed(input.substr(at, cut - at), keep);
      at = cut;
    }
    parser.feed(input.substr(at), keep);
    outcome.pending = parser.has_pending_event();
  } catch (const babyapi::BabyAPIError&) {
    outcome.threw = true;
  }
  outcome.last_event_id = parser.last_event_id();
  outcome.reconnection_time = parser.reconnection_time();
  if (!parser.finish().empty()) fail("finish() returned events");
  return outcome;
}

// The definition of text(), straight from nlohmann, independent of the library's helpers.
std::string reference_text(std::string_view raw) {
  const Json doc = Json::parse(raw, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return "";
  const auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty()) return "";
  const Json& first = (*choices)[0];
  if (!first.is_object()) return "";
  const auto delta = first.find("delta");
  if (delta != first.end() && delta->is_object()) {
    const auto content = delta->find("content");
    if (content != delta->end() && content->is_string()) return content->get<std::string>();
  }
  const auto text = first.find("text");
  if (text != first.end() && text->is_string()) return text->get<std::string>();
  return "";
}

void check_text(std::string_view raw) {
  const std::string expected = reference_text(raw);
  std::string fast;
  const auto scan = babyapi::detail::scan_choice_text(raw, fast);
  if (scan != babyapi::detail::ChoiceTextScan::kFallback) {
    if (Json::parse(raw, nullptr, false).is_discarded())
      fail("scanner accepted JSON nlohmann rejects");
    if ((scan == babyapi::detail::ChoiceTextScan::kFound ? fast : std::string()) != expected) {
      fail("scanner disagrees with nlohmann");
    }
  }
  const SSEEvent event{std::string(raw)};
  if (event.text() != expected) fail("text() disagrees with nlohmann");
  const bool is_json = event.data().has_value();
  if (is_json == Json::parse(raw, nullptr, false).is_discarded())
    fail("data() disagrees with nlohmann");
  if (event.text() != expected) fail("text() after data() changed");
  if (event.done() != (raw == "[DONE]")) fail("done() is wrong");
}

void fuzz_one(std::string_view input) {
  // A small, input-chosen bound so the size limit is exercised as often as framing.
  const std::size_t max_event_size =
      input.empty() ? 64 : 16 + static_cast<unsigned char>(input[0]) * 16u;
  std::size_t cut = 0;
  for (unsigned char c : input) cut = cut * 31 + c;
  cut = input.empty() ? 0 : cut % (input.size() + 1);
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < input.size(); ++i) every_byte.push_back(i);

  const Outcome whole = run(input, {}, max_event_size);
  if (!(run(input, {cut}, max_event_size) == whole)) fail("a two-way split changed the outcome");
  if (!(run(input, every_byte, max_event_size) == whole)) fail("byte-by-byte changed the outcome");
  for (const SSEEvent& event : whole.events) check_text(event.raw());
  check_text(input);  // the input as one JSON document reaches the scanner unframed
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

#if defined(BABYAPI_FUZZ_STANDALONE)
#include <exception>
#include <fstream>
#include <iterator>

namespace {

// Seeds that reach each part of the parser and the scanner; libFuzzer starts from its own corpus.
std::vector<std::string> builtin_seeds() {
  using namespace std::string_literals;
  std::vector<std::string> seeds;
  seeds.emplace_back();
  seeds.push_back("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"s +
                  "data: [DONE]\n\n");
  seeds.push_back("\xEF\xBB\xBF"s + "data:1\r\n\r\nid: 7\nevent: e\nretry: 100\n" +
                  "data: {\"choices\":[{\"text\":\"x\"}]}\r\r");
  seeds.push_back("data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\n"s +
                  "data:3\rdata:\r\n data:32\ndata:4\n\n");
  seeds.push_back(": comment\nid:\0\nretry:99999999999999999999999\ndata\n\n"s);
  seeds.push_back(
      R"({"choices":[{"delta":{"content":"\ud83d\ude00\u00e9\n"}}],"n":[1e300,-0.5e-9]})");
  seeds.push_back(R"({"cho\u0069ces":[{"delta":{"content":"a","content":null},"text":"t"}]})");
  seeds.push_back("data: " + std::string(5000, 'x') + "\n\n");
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> seeds = builtin_seeds();
    for (const std::string& seed : seeds) fuzz_one(seed);
    for (int i = 1; i < argc; ++i) {
      std::ifstream file(argv[i], std::ios::binary);
      if (!file) {
        std::fprintf(stderr, "cannot read %s\n", argv[i]);
        return 2;
      }
      const std::string input((std::istreambuf_iterator<char>(file)),
                              std::istreambuf_iterator<char>());
      fuzz_one(input);
    }
    std::printf("sse_parser_fuzz: %zu seeds and %d files passed\n", seeds.size(), argc - 1);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "sse_parser_fuzz: unexpected exception: %s\n", error.what());
    return 1;
  }
}
#endif
