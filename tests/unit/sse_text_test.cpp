// SSEEvent::text(): a choice's streamed text, read without a JSON tree, always agreeing with what
// nlohmann::json would say once lone surrogate escapes read as U+FFFD (checked here on fixed cases
// and on generated documents).
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
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

// `raw` with every escape of half a surrogate pair written as \ufffd, done here by hand so the
// library's own rewriting is checked too.
std::string with_lone_surrogates_replaced(const std::string& raw) {
  auto unit_at = [&raw](std::size_t i) -> long {  // the \uXXXX escape at i, or -1
    if (i + 6 > raw.size() || raw[i] != '\\' || raw[i + 1] != 'u') return -1;
    for (std::size_t k = i + 2; k < i + 6; ++k) {
      if (!std::isxdigit(static_cast<unsigned char>(raw[k]))) return -1;
    }
    return std::strtol(raw.substr(i + 2, 4).c_str(), nullptr, 16);
  };
  std::string out;
  for (std::size_t i = 0; i < raw.size();) {
    const long unit = unit_at(i);
    const bool high = unit >= 0xD800 && unit <= 0xDBFF;
    const long next = high ? unit_at(i + 6) : -1;
    if (high && next >= 0xDC00 && next <= 0xDFFF) {
      out += raw.substr(i, 12);
      i += 12;
    } else if (high || (unit >= 0xDC00 && unit <= 0xDFFF)) {
      out += "\\ufffd";
      i += 6;
    } else if (raw[i] == '\\' && i + 1 < raw.size()) {
      out += raw.substr(i, 2);  // "\\u" is a backslash, then a 'u'
      i += 2;
    } else {
      out += raw[i++];
    }
  }
  return out;
}

// The definition, written against nlohmann alone so it can catch the library's own helpers: the
// first object in `choices` whose index (a non-negative integer) is `choice`, or, without one,
// whose position is.
std::string reference_text_of(const Json& doc, std::size_t choice) {
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("choices")) return "";
  const Json& choices = doc["choices"];
  if (!choices.is_array()) return "";
  for (std::size_t position = 0; position < choices.size(); ++position) {
    const Json& c = choices[position];
    if (!c.is_object()) continue;
    std::uint64_t number = position;
    if (c.contains("index") && c["index"].is_number_integer() && c["index"].get<double>() >= 0) {
      number = c["index"].get<std::uint64_t>();
    }
    if (number != choice) continue;
    if (c.contains("delta") && c["delta"].is_object() && c["delta"].contains("content") &&
        c["delta"]["content"].is_string()) {
      return c["delta"]["content"].get<std::string>();
    }
    if (c.contains("text") && c["text"].is_string()) return c["text"].get<std::string>();
    return "";
  }
  return "";
}

std::string reference_text(const std::string& raw, std::size_t choice = 0) {
  return reference_text_of(Json::parse(with_lone_surrogates_replaced(raw), nullptr, false), choice);
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
      // Half a surrogate pair elsewhere no longer hides the text
      {R"({"choices":[{"delta":{"content":"ok"}}],"x":"\ud800"})", "ok"},
      {R"({"choices":[{"delta":{"content":"ok"}}],"x":"\udc00"})", "ok"},
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

struct ChoiceCase {
  std::string raw;
  std::size_t choice;
  std::string expected;
};

// n > 1 streams send each choice in its own chunk, told apart by `index`, not by place.
TEST(SSEEventText, ChoicesAreFoundByTheirIndex) {
  const std::vector<ChoiceCase> cases = {
      {R"({"choices":[{"index":1,"delta":{"content":"one"}}]})", 0, ""},
      {R"({"choices":[{"index":1,"delta":{"content":"one"}}]})", 1, "one"},
      {R"({"choices":[{"delta":{"content":"one"},"index":1}]})", 0, ""},
      {R"({"choices":[{"index":1,"text":"b"},{"index":0,"text":"a"}]})", 0, "a"},
      {R"({"choices":[{"index":1,"text":"b"},{"index":0,"text":"a"}]})", 1, "b"},
      {R"({"choices":[{"index":1,"text":"b"},{"index":0,"text":"a"}]})", 2, ""},
      // Without an index, the place in the array numbers a choice
      {R"({"choices":[{"text":"a"},{"text":"b"}]})", 1, "b"},
      {R"({"choices":[{"delta":{}},{"delta":{"content":"second"}}]})", 1, "second"},
      {R"({"choices":[{"index":null,"text":"a"},{"index":"0","text":"b"}]})", 1, "b"},
      {R"({"choices":[{"index":1.0,"text":"a"}]})", 0, "a"},
      {R"({"choices":[{"index":-1,"text":"a"}]})", 0, "a"},
      {R"({"choices":[{"index":18446744073709551616,"text":"a"}]})", 0, "a"},
      {R"({"choices":[{"index":-0,"text":"a"}]})", 0, "a"},
      {R"({"choices":[{"index":18446744073709551615,"text":"max"}]})", 18446744073709551615u,
       "max"},
      // Only objects are choices, but other elements still take a place
      {R"({"choices":["x",{"text":"b"}]})", 0, ""},
      {R"({"choices":["x",{"text":"b"}]})", 1, "b"},
      // The first match counts; a later index key replaces an earlier one
      {R"({"choices":[{"index":0,"text":"first"},{"index":0,"text":"again"}]})", 0, "first"},
      {R"({"choices":[{"index":0,"index":1,"text":"a"}]})", 1, "a"},
      {R"({"choices":[{"index":1,"text":"a"}],"choices":[{"index":0,"text":"b"}]})", 1, ""},
      // An index nested deeper is not the choice's own
      {R"({"choices":[{"delta":{"index":1,"content":"a"}}]})", 0, "a"},
  };
  for (const ChoiceCase& c : cases) {
    const SSEEvent event(c.raw);
    EXPECT_EQ(event.text(c.choice), c.expected) << c.choice << " " << c.raw;
    if (c.choice == 0) EXPECT_EQ(event.text(), c.expected) << c.raw;
    EXPECT_EQ(reference_text(c.raw, c.choice), c.expected) << "the table is wrong: " << c.raw;
    std::string fast;
    EXPECT_NE(scan_choice_text(c.raw, c.choice, fast), ChoiceTextScan::kFallback) << c.raw;
    // The tree path (after data()) must say the same.
    ASSERT_TRUE(event.data().has_value()) << c.raw;
    EXPECT_EQ(event.text(c.choice), c.expected) << "after data(): " << c.raw;
  }
}

// Half a surrogate pair is U+FFFD, on the fast path and in data(); the event is never lost.
TEST(SSEEventText, LoneSurrogatesReadAsReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::vector<TextCase> cases = {
      {R"({"choices":[{"index":0,"delta":{"content":"\ud83d"}}]})", fffd},
      {R"({"choices":[{"delta":{"content":"a\uDE00b"}}]})", "a" + fffd + "b"},
      {R"({"choices":[{"delta":{"content":"\ud83dA"}}]})", fffd + "A"},
      {R"({"choices":[{"delta":{"content":"\ud83d\u0041"}}]})", fffd + "A"},
      {R"({"choices":[{"delta":{"content":"\ud83d\ud83d\ude00"}}]})", fffd + "\xF0\x9F\x98\x80"},
      {R"({"choices":[{"delta":{"content":"\ude00\ud83d"}}]})", fffd + fffd},
      {R"({"choices":[{"delta":{"content":"\ud83d\n"}}]})", fffd + "\n"},
      {R"({"choices":[{"delta":{"content":"\\ud83d"}}]})", "\\ud83d"},  // an escaped backslash
      {R"({"choices":[{"text":"end\ud83d"}]})", "end" + fffd},
  };
  for (const TextCase& c : cases) {
    const SSEEvent event(c.raw);
    EXPECT_EQ(event.text(), c.expected) << c.raw;
    EXPECT_EQ(reference_text(c.raw), c.expected) << "the table is wrong: " << c.raw;
    EXPECT_EQ(scan(c.raw), ChoiceTextScan::kFound) << c.raw;
    ASSERT_TRUE(event.data().has_value()) << c.raw;
    const Json& choice = (*event.data())["choices"][0];
    const Json& text = choice.contains("delta") ? choice["delta"]["content"] : choice["text"];
    EXPECT_EQ(text.get<std::string>(), c.expected) << c.raw;
  }
  // Still broken: escapes that are not four hex digits.
  EXPECT_EQ(SSEEvent(R"({"choices":[{"text":"\ud83"}]})").text(), "");
  EXPECT_FALSE(SSEEvent(R"({"choices":[{"text":"\ud83"}]})").data().has_value());
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
  enum Place { kRoot, kChoices, kChoice, kDelta, kText, kIndex, kOther };

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
                                          "\\ud83d",
                                          "\\udc00x",
                                          "\\ud83d\\u0041",
                                          "\\u20ac",
                                          "choices",
                                          "content",
                                          "{[\\\"",
                                          ",:"};
    static const char* const kBroken[] = {
        "\\ud8",        "\\udcz0",          "\\x",   "\x01",    "\xC0\x80",
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
      case kChoice:
        if (chance(40)) return "\"delta\"";
        if (chance(30)) return chance(90) ? "\"text\"" : "\"te\\u0078t\"";
        if (chance(30)) return "\"index\"";
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
    if (place == kChoice && k == "\"delta\"") return kDelta;
    if (place == kChoice && k.find("te") == 1) return kText;
    if (place == kChoice && k == "\"index\"") return kIndex;
    if (place == kDelta && k.find("con") == 1) return kText;
    return kOther;
  }

  std::string value_at(Place place, int depth) {
    if (place == kText) return chance(80) ? string_literal() : value_at(kOther, depth);
    if (place == kIndex) {
      static const char* const kIndexes[] = {"0",  "1",   "2",  "0",    "1",
                                             "-0", "1.0", "-1", "null", "\"1\""};
      return kIndexes[pick(sizeof(kIndexes) / sizeof(*kIndexes))];
    }
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
      s += value_at(place == kChoices ? kChoice : kOther, depth + 1) + ws();
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
  int found_other = 0;  // choice 1 has text
  for (int i = 0; i < 20000; ++i) {
    const std::string raw = generator.document();
    const Json doc = Json::parse(with_lone_surrogates_replaced(raw), nullptr, false);
    const bool nlohmann_accepts = !doc.is_discarded();
    for (std::size_t choice = 0; choice < 3; ++choice) {
      const std::string expected = reference_text_of(doc, choice);
      ASSERT_EQ(SSEEvent(raw).text(choice), expected) << choice << " " << raw;
      std::string fast;
      const ChoiceTextScan result = scan_choice_text(raw, choice, fast);
      if (result != ChoiceTextScan::kFallback) {
        // The scanner only ever vouches for JSON that nlohmann accepts, and then it must agree.
        ASSERT_TRUE(nlohmann_accepts) << raw;
        ASSERT_EQ(result == ChoiceTextScan::kFound ? fast : "", expected) << choice << " " << raw;
        if (choice == 0) ++decided_fast;
      }
      if (choice == 0) found += expected.empty() ? 0 : 1;
      if (choice == 1) found_other += expected.empty() ? 0 : 1;
    }
    valid += nlohmann_accepts ? 1 : 0;
  }
  // The comparison means something only if the generator reaches all the interesting outcomes and
  // the scanner decides most valid documents itself.
  EXPECT_GT(valid, 5000);
  EXPECT_GT(found, 2000) << "valid=" << valid;
  EXPECT_GT(found_other, 500) << "valid=" << valid;
  EXPECT_GT(20000 - valid, 1000);
  EXPECT_GT(decided_fast, valid * 8 / 10) << "valid=" << valid;
}

}  // namespace
