// SSEEvent::text(): the first choice's streamed text, read without a JSON tree, always agreeing
// with what nlohmann::json would say (checked here on fixed cases and on generated documents).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "babyapi/sse.hpp"
#include "sse/choice_text.hpp"

namespace {

using babyapi::Json;
using babyapi::SSEEvent;
using babyapi::detail::ChoiceTextScan;
using babyapi::detail::scan_choice_text;
using namespace std::string_literals;

// The definition, written against nlohmann alone so it can catch the library's own helpers.
std::string reference_text(const std::string& raw) {
  const Json doc = Json::parse(raw, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("choices")) return "";
  const Json& choices = doc["choices"];
  if (!choices.is_array() || choices.empty() || !choices[0].is_object()) return "";
  const Json& first = choices[0];
  if (first.contains("delta") && first["delta"].is_object() && first["delta"].contains("content") &&
      first["delta"]["content"].is_string()) {
    return first["delta"]["content"].get<std::string>();
  }
  if (first.contains("text") && first["text"].is_string()) return first["text"].get<std::string>();
  return "";
}

ChoiceTextScan scan(const std::string& raw) {
  std::string out;
  return scan_choice_text(raw, out);
}

constexpr char kChatChunk[] =
    R"({"id":"chatcmpl-42","object":"chat.completion.chunk","created":1700000000,"model":"mistral",)"
    R"("choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]})";
constexpr char kCompletionChunk[] =
    R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"mistral",)"
    R"("choices":[{"text":" world","index":0,"logprobs":null,"finish_reason":null}]})";

TEST(SSEEventText, ChatChunkGivesDeltaContentOnTheFastPath) {
  EXPECT_EQ(SSEEvent(kChatChunk).text(), "Hello");
  EXPECT_EQ(scan(kChatChunk), ChoiceTextScan::kFound);
}

TEST(SSEEventText, CompletionChunkGivesText) {
  EXPECT_EQ(SSEEvent(kCompletionChunk).text(), " world");
  EXPECT_EQ(scan(kCompletionChunk), ChoiceTextScan::kFound);
}

TEST(SSEEventText, RoleOnlyAndFinalChunksAreEmpty) {
  const std::string role =
      R"({"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]})";
  const std::string last =
      R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"total_tokens":9}})";
  EXPECT_EQ(SSEEvent(role).text(), "");
  EXPECT_EQ(SSEEvent(last).text(), "");
  EXPECT_EQ(scan(role), ChoiceTextScan::kAbsent);
  EXPECT_EQ(scan(last), ChoiceTextScan::kAbsent);
}

struct TextCase {
  std::string raw;
  std::string expected;
};

TEST(SSEEventText, Table) {
  const std::vector<TextCase> cases = {
      // Escapes and Unicode
      {R"({"choices":[{"delta":{"content":"a\"b\\c\/d\b\f\n\r\t"}}]})", "a\"b\\c/d\b\f\n\r\t"},
      {R"({"choices":[{"delta":{"content":"\u00e9\u20AC"}}]})", "\xC3\xA9\xE2\x82\xAC"},
      {R"({"choices":[{"delta":{"content":"\ud83d\ude00 \uD83D\uDE00"}}]})",
       "\xF0\x9F\x98\x80 \xF0\x9F\x98\x80"},
      {"{\"choices\":[{\"delta\":{\"content\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}}]}",
       "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"},
      {R"({"choices":[{"delta":{"content":"nul\u0000here"}}]})", "nul\0here"s},
      {R"({"choices":[{"delta":{"content":"\u0041\u00ff\u0800\uffff"}}]})",
       "A\xC3\xBF\xE0\xA0\x80\xEF\xBF\xBF"},
      // Where the text is, and is not
      {R"({"meta":{"choices":[{"delta":{"content":"wrong"}}],"x":[[{"text":"no"}]]},"s":"choices","choices":[{"delta":{"content":"right"}}]})",
       "right"},
      {R"({"choices":[{"delta":{}},{"delta":{"content":"second"}}]})", ""},
      {R"({"choices":[{"delta":{"content":null}}]})", ""},
      {R"({"choices":[{"delta":{"content":null},"text":"t"}]})", "t"},
      {R"({"choices":[{"delta":{"content":"c"},"text":"t"}]})", "c"},
      {R"({"choices":[{"text":"t","delta":{"content":"c"}}]})", "c"},
      {R"({"choices":[{"delta":{"content":7}}]})", ""},
      {R"({"choices":[{"delta":{"content":["x"]}}]})", ""},
      {R"({"choices":[{"delta":"content"}]})", ""},
      {R"({"choices":[]})", ""},
      {R"({"choices":{"0":{"text":"x"}}})", ""},
      {R"({"choices":["text"]})", ""},
      {R"([{"choices":[{"text":"x"}]}])", ""},
      {R"({"choices":[{"delta":{"text":"x"},"index":0}]})", ""},
      {R"({"choices":[{"delta":{"content":""}}]})", ""},
      // Duplicate keys: the last wins, as in nlohmann
      {R"({"choices":[{"delta":{"content":"a"}}],"choices":[{"text":"b"}]})", "b"},
      {R"({"choices":[{"delta":{"content":"a","content":null}}]})", ""},
      {R"({"choices":[{"delta":{"content":"a"},"delta":{}}]})", ""},
      {R"({"choices":[{"text":"a","text":"b"}]})", "b"},
      {R"({"choices":[{"text":"a","text":false}]})", ""},
      // Keys spelled with escapes are the same keys
      {R"({"cho\u0069ces":[{"delta":{"con\u0074ent":"k"}}]})", "k"},
      // Whitespace everywhere JSON allows it
      {" \t\r\n{ \"choices\" : [ { \"text\" : \"ws\" } ] } \n", "ws"},
      // Not JSON, so no text
      {"[DONE]", ""},
      {"", ""},
      {R"({"choices":[{"delta":{"content":"x"}}]} trailing)", ""},
      {R"({"choices":[{"delta":{"content":"x"}}])", ""},
      {R"({"choices":[{"delta":{"content":"x"}}],})", ""},
      {R"({"choices":[{"delta":{"content":"ok"}}],"x":"\ud800"})", ""},
      {R"({"choices":[{"delta":{"content":"ok"}}],"x":"\udc00"})", ""},
      {R"({"choices":[{"delta":{"content":"ok"}}],"x":"\x41"})", ""},
      {"{\"choices\":[{\"delta\":{\"content\":\"ok\"}}],\"x\":\"\xC0\x80\"}", ""},
      {"{\"choices\":[{\"delta\":{\"content\":\"ok\"}}],\"x\":\"\xED\xA0\x80\"}", ""},
      {"{\"choices\":[{\"delta\":{\"content\":\"tab\there\"}}]}", ""},
      {R"({"choices":[{"delta":{"content":"ok"}}],"n":01})", ""},
      {R"({"choices":[{"delta":{"content":"ok"}}],"n":1e400})", ""},
      {R"({"choices":[{"delta":{"content":"ok"}}],"n":-1e309})", ""},
      {R"({"choices":[{"delta":{"content":"ok"}}],"n":tru})", ""},
      // Legal edges nlohmann accepts
      {R"({"choices":[{"delta":{"content":"ok"}}],"n":[1e300,-0,0.5e-400,123456789012345678901234567890]})",
       "ok"},
      {"\xEF\xBB\xBF{\"choices\":[{\"text\":\"bom\"}]}", "bom"},
      {"{\"choices\":[{\"text\":\"nul-ended\"}]}\0junk"s, "nul-ended"},
  };
  for (const TextCase& c : cases) {
    EXPECT_EQ(SSEEvent(c.raw).text(), c.expected) << c.raw;
    EXPECT_EQ(reference_text(c.raw), c.expected) << "the table disagrees with nlohmann: " << c.raw;
  }
}

TEST(SSEEventText, DeepNestingFallsBackAndStaysRight) {
  const std::string noise = std::string(500, '[') + std::string(500, ']');
  const std::string raw = R"({"noise":)" + noise + R"(,"choices":[{"text":"deep"}]})";
  EXPECT_EQ(scan(raw), ChoiceTextScan::kFallback);
  EXPECT_EQ(SSEEvent(raw).text(), "deep");
}

TEST(SSEEventText, UsesTheParsedDataWhenThereIsOne) {
  const SSEEvent event(kChatChunk);
  ASSERT_TRUE(event.data().has_value());
  EXPECT_EQ(event.text(), "Hello");
  const SSEEvent not_json("[DONE]");
  EXPECT_FALSE(not_json.data().has_value());
  EXPECT_EQ(not_json.text(), "");
}

TEST(SSEEventText, FallbackForNonJsonLeavesTheParseCached) {
  const SSEEvent done("[DONE]");
  EXPECT_EQ(scan(done.raw()), ChoiceTextScan::kFallback);
  EXPECT_EQ(done.text(), "");
  EXPECT_FALSE(done.data().has_value());
}

// Generates chunk-shaped JSON with noise, duplicate keys, escapes and odd numbers, some of it
// broken on purpose, so the scanner is compared with nlohmann on inputs no one wrote by hand.
class ChunkGenerator {
 public:
  explicit ChunkGenerator(unsigned seed) : rng_(seed) {}

  std::string document() {
    std::string doc = ws() + value_at(kRoot, 0) + ws();
    if (chance(20)) mutate(doc);
    return doc;
  }

 private:
  enum Place { kRoot, kChoices, kFirstChoice, kDelta, kText, kOther };

  bool chance(unsigned percent) { return rng_() % 100 < percent; }
  std::size_t pick(std::size_t n) { return rng_() % n; }

  std::string ws() {
    static const char* const kSpaces[] = {"", "", "", " ", "\n", " \t", "\r\n  "};
    return kSpaces[pick(7)];
  }

  std::string string_literal() {
    static const char* const kPieces[] = {"word ",
                                          "Hello",
                                          " ",
                                          "\xC3\xA9",
                                          "\xE2\x82\xAC",
                                          "\xF0\x9F\x98\x80",
                                          "\\u00e9",
                                          "\\uD83D\\uDE00",
                                          "\\ud83d\\ude00",
                                          "\\n",
                                          "\\\"",
                                          "\\\\",
                                          "\\/",
                                          "\\b\\f\\r\\t",
                                          "\\u0000",
                                          "\\u20ac",
                                          "choices",
                                          "content",
                                          "{[\\\"",
                                          ",:"};
    static const char* const kBroken[] = {
        "\\ud800",      "\\udc00x",         "\\x",   "\x01",    "\xC0\x80",
        "\xED\xA0\x80", "\xF5\x80\x80\x80", "\\u12", "\xE2\x82"};
    std::string s = "\"";
    const std::size_t n = chance(10) ? 0 : 1 + pick(4);
    for (std::size_t i = 0; i < n; ++i) s += kPieces[pick(sizeof(kPieces) / sizeof(*kPieces))];
    if (chance(1)) s += kBroken[pick(sizeof(kBroken) / sizeof(*kBroken))];
    return s + "\"";
  }

  std::string number() {
    static const char* const kNumbers[] = {
        "0",     "-0",     "12",     "-3.5",
        "1e5",   "2E-3",   "1.0e+2", "123456789012345678901234567890",
        "1e300", "1e-400", "1e400",  "-1e309",
        "01",    "1.",     "-",      ".5",
        "1e+"};
    return kNumbers[pick(chance(90) ? 11 : 17)];
  }

  std::string key(Place place) {
    static const char* const kKeys[] = {"index",    "id",   "object", "model",    "finish_reason",
                                        "logprobs", "role", "x",      "choices ", "Content"};
    switch (place) {
      case kRoot:
        if (chance(50)) return chance(90) ? "\"choices\"" : "\"cho\\u0069ces\"";
        break;
      case kFirstChoice:
        if (chance(40)) return "\"delta\"";
        if (chance(30)) return chance(90) ? "\"text\"" : "\"te\\u0078t\"";
        break;
      case kDelta:
        if (chance(60)) return chance(90) ? "\"content\"" : "\"con\\u0074ent\"";
        break;
      default:
        if (chance(10)) return "\"choices\"";
        break;
    }
    return std::string("\"") + kKeys[pick(sizeof(kKeys) / sizeof(*kKeys))] + "\"";
  }

  Place child_place(Place place, const std::string& k) {
    if (place == kRoot && (k == "\"choices\"" || k == "\"cho\\u0069ces\"")) return kChoices;
    if (place == kFirstChoice && k == "\"delta\"") return kDelta;
    if (place == kFirstChoice && k.find("te") == 1) return kText;
    if (place == kDelta && k.find("con") == 1) return kText;
    return kOther;
  }

  std::string value_at(Place place, int depth) {
    if (place == kText) return chance(80) ? string_literal() : value_at(kOther, depth);
    const bool container_wanted = place != kOther ? chance(85) : chance(depth < 3 ? 20 : 0);
    if (container_wanted) {
      const bool object =
          place == kChoices ? chance(10) : (place == kOther ? chance(50) : chance(90));
      return object ? object_at(place, depth) : array_at(place, depth);
    }
    switch (pick(6)) {
      case 0:
        return "null";
      case 1:
        return chance(50) ? "true" : "false";
      case 2:
        return number();
      default:
        return string_literal();
    }
  }

  std::string object_at(Place place, int depth) {
    std::string s = "{" + ws();
    const std::size_t members = place == kOther ? pick(4) : 1 + pick(4);
    for (std::size_t i = 0; i < members; ++i) {
      if (i > 0) s += "," + ws();
      const std::string k = key(place);
      s += k + ws() + ":" + ws() + value_at(child_place(place, k), depth + 1) + ws();
    }
    return s + "}";
  }

  std::string array_at(Place place, int depth) {
    std::string s = "[" + ws();
    const std::size_t elements = place == kChoices ? 1 + pick(3) - (chance(5) ? 1 : 0) : pick(4);
    for (std::size_t i = 0; i < elements; ++i) {
      if (i > 0) s += "," + ws();
      s += value_at(place == kChoices && i == 0 ? kFirstChoice : kOther, depth + 1) + ws();
    }
    return s + "]";
  }

  void mutate(std::string& doc) {
    static const char kBytes[] = "{}[]\",:\\ 0a-e.\xff\x00";
    if (doc.empty()) return;
    const std::size_t at = pick(doc.size());
    switch (pick(4)) {
      case 0:
        doc.resize(at);
        break;
      case 1:
        doc.erase(at, 1);
        break;
      case 2:
        doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), kBytes[pick(sizeof(kBytes) - 1)]);
        break;
      default:
        doc[at] = kBytes[pick(sizeof(kBytes) - 1)];
        break;
    }
  }

  std::mt19937 rng_;
};

TEST(SSEEventText, AgreesWithNlohmannOnGeneratedDocuments) {
  ChunkGenerator generator(20240607);
  int valid = 0;
  int decided_fast = 0;
  int found = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string raw = generator.document();
    const std::string expected = reference_text(raw);
    ASSERT_EQ(SSEEvent(raw).text(), expected) << raw;
    const bool nlohmann_accepts = !Json::parse(raw, nullptr, false).is_discarded();
    std::string fast;
    const ChoiceTextScan result = scan_choice_text(raw, fast);
    if (result != ChoiceTextScan::kFallback) {
      // The scanner only ever vouches for JSON that nlohmann accepts, and then it must agree.
      ASSERT_TRUE(nlohmann_accepts) << raw;
      ASSERT_EQ(result == ChoiceTextScan::kFound ? fast : "", expected) << raw;
      ++decided_fast;
    }
    valid += nlohmann_accepts ? 1 : 0;
    found += expected.empty() ? 0 : 1;
  }
  // The comparison means something only if the generator reaches all the interesting outcomes and
  // the scanner decides most valid documents itself.
  EXPECT_GT(valid, 5000);
  EXPECT_GT(found, 2000) << "valid=" << valid;
  EXPECT_GT(20000 - valid, 1000);
  EXPECT_GT(decided_fast, valid * 8 / 10) << "valid=" << valid;
}

}  // namespace
