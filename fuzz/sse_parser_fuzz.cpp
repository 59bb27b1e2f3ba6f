// Fuzz target for SSEParser and SSEEvent: the events must not depend on how the
// bytes are split, and text(), text(1) and the fast JSON scanner must agree
// with nlohmann on every event (and on the raw input), with lone surrogate
// escapes read as U+FFFD. Built with -DBABYAPI_FUZZ_STANDALONE it is a plain
// program replaying built-in seeds and any files named on its command line, so
// a crash found by clang can be replayed with any compiler.
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

// Feeds input cut at `cuts` (ascending offsets) and records everything
// observable.
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

// `raw` with every escape of half a surrogate pair written as \ufffd, by hand,
// so the library's own rewriting (SSEEvent::data()) is checked too.
std::string with_lone_surrogates_replaced(std::string_view raw) {
  auto unit_at = [raw](std::size_t i) -> long {  // the \uXXXX escape at i, or -1
    if (i + 6 > raw.size() || raw[i] != '\\' || raw[i + 1] != 'u') return -1;
    long value = 0;
    for (std::size_t k = i + 2; k < i + 6; ++k) {
      const char c = raw[k];
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    return value;
  };
  std::string out;
  for (std::size_t i = 0; i < raw.size();) {
    const long unit = unit_at(i);
    const bool high = unit >= 0xD800 && unit <= 0xDBFF;
    const long next = high ? unit_at(i + 6) : -1;
    if (high && next >= 0xDC00 && next <= 0xDFFF) {
      out.append(raw.substr(i, 12));
      i += 12;
    } else if (high || (unit >= 0xDC00 && unit <= 0xDFFF)) {
      out += "\\ufffd";
      i += 6;
    } else if (raw[i] == '\\' && i + 1 < raw.size()) {
      out.append(raw.substr(i, 2));
      i += 2;
    } else {
      out += raw[i++];
    }
  }
  return out;
}

// The definition of text(choice), straight from nlohmann, independent of the
// library's helpers: the first object in `choices` whose index (a non-negative
// integer) is `choice`, or, without one, whose position is.
std::string reference_text(const Json& doc, std::size_t choice) {
  if (doc.is_discarded() || !doc.is_object()) return "";
  const auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array()) return "";
  for (std::size_t position = 0; position < choices->size(); ++position) {
    const Json& c = (*choices)[position];
    if (!c.is_object()) continue;
    std::uint64_t number = position;
    const auto index = c.find("index");
    if (index != c.end() && index->is_number_integer() && index->get<double>() >= 0) {
      number = index->get<std::uint64_t>();
    }
    if (number != choice) continue;
    const auto delta = c.find("delta");
    if (delta != c.end() && delta->is_object()) {
      const auto content = delta->find("content");
      if (content != delta->end() && content->is_string()) return content->get<std::string>();
    }
    const auto text = c.find("text");
    if (text != c.end() && text->is_string()) return text->get<std::string>();
    return "";
  }
  return "";
}

void check_text(std::string_view raw) {
  const Json doc = Json::parse(with_lone_surrogates_replaced(raw), nullptr, false);
  const SSEEvent event{std::string(raw)};
  for (std::size_t choice = 0; choice < 2; ++choice) {
    const std::string expected = reference_text(doc, choice);
    std::string fast;
    const auto scan = babyapi::detail::scan_choice_text(raw, choice, fast);
    if (scan != babyapi::detail::ChoiceTextScan::kFallback) {
      if (doc.is_discarded()) fail("scanner accepted JSON nlohmann rejects");
      if ((scan == babyapi::detail::ChoiceTextScan::kFound ? fast : std::string()) != expected) {
        fail("scanner disagrees with nlohmann");
      }
    }
    if (event.text(choice) != expected) fail("text() disagrees with nlohmann");
  }
  const bool is_json = event.data().has_value();
  if (is_json == doc.is_discarded()) fail("data() disagrees with nlohmann");
  for (std::size_t choice = 0; choice < 2; ++choice) {
    if (event.text(choice) != reference_text(doc, choice)) fail("text() after data() changed");
  }
  if (event.done() != (raw == "[DONE]")) fail("done() is wrong");
}

void fuzz_one(std::string_view input) {
  // A small, input-chosen bound so the size limit is exercised as often as
  // framing.
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
#include "seed_replay.hpp"

namespace {

// Seeds that reach each part of the parser and the scanner; libFuzzer starts
// from its own corpus.
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
  seeds.push_back(
      R"({"choices":[{"index":1,"text":"b"},{"index":0,"delta":{"content":"\ud83d"}}]})");
  seeds.push_back(R"({"choices":[{"text":"\udc00\ud83d\u0041"},{"index":-0,"text":"x"}]})");
  seeds.push_back("data: " + std::string(5000, 'x') + "\n\n");
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  return babyapi::fuzz::replay_seeds(argc, argv, "sse_parser_fuzz", builtin_seeds(),
                                     [](const std::string& input) { fuzz_one(input); });
}
#endif
