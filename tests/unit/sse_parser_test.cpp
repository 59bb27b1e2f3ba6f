// SSEParser against the WHATWG event-stream rules and the web-platform-tests eventsource/format-*
// cases. Every table input is also fed at each two-way split point and one byte at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/errors.hpp"
#include "babyapi/sse.hpp"

namespace babyapi {
// gtest prints events this way when a comparison fails; internal linkage keeps it to this file.
[[maybe_unused]] static void PrintTo(const SSEEvent& event, std::ostream* os) {
  *os << "{data=" << ::testing::PrintToString(event.raw())
      << " event=" << ::testing::PrintToString(event.event())
      << " id=" << ::testing::PrintToString(event.id()) << " retry=";
  if (event.retry()) {
    *os << *event.retry();
  } else {
    *os << "none";
  }
  *os << "}";
}
}  // namespace babyapi

namespace {

using babyapi::BabyAPIError;
using babyapi::SSEEvent;
using babyapi::SSEParser;
using babyapi::SSEParserOptions;
using Events = std::vector<SSEEvent>;
using namespace std::string_literals;

SSEEvent ev(std::string data, std::string event = {}, std::string id = {},
            std::optional<std::uint64_t> retry = std::nullopt) {
  return SSEEvent(std::move(data), std::move(event), std::move(id), retry);
}

Events parse_pieces(const std::vector<std::string_view>& pieces, SSEParserOptions options = {}) {
  SSEParser parser(options);
  Events events;
  for (std::string_view piece : pieces) {
    for (SSEEvent& event : parser.feed(piece)) events.push_back(std::move(event));
  }
  for (SSEEvent& event : parser.finish()) events.push_back(std::move(event));
  return events;
}

Events parse_whole(std::string_view input) { return parse_pieces({input}); }

Events parse_bytewise(std::string_view input) {
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < input.size(); ++i) pieces.push_back(input.substr(i, 1));
  return parse_pieces(pieces);
}

struct Row {
  const char* name;
  std::string input;
  Events expected;
};

std::string long_comment() { return std::string(2048, 'x'); }

// WPT rows reproduce the body each test's server script sends: resources/message.py answers
// `message + ("" if newline=none else "\n\n") + "\n"`, resources/last-event-id.py answers
// `"id: " + idvalue + "\nretry: 200\ndata: hello\n\n"` (idvalue defaults to U+2026).
const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
      // web-platform-tests eventsource/format-*
      {"wpt_format_bom",
       "\xEF\xBB\xBF"
       "data:1\n\n\xEF\xBB\xBF"
       "data:2\n\ndata:3\n\n\n",
       {ev("1"), ev("3")}},
      {"wpt_format_bom_2",
       "\xEF\xBB\xBF\xEF\xBB\xBF"
       "data:1\n\ndata:2\n\ndata:3\n\n\n",
       {ev("2"), ev("3")}},
      {"wpt_format_comments",
       "data:1\r:\0\n:\r\ndata:2\n:"s + long_comment() +
           "\rdata:3\n:data:fail\r:" + long_comment() + "\ndata:4\n" + "\n",
       {ev("1\n2\n3\n4")}},
      {"wpt_format_data_before_final_empty_line",
       "retry:1000\ndata:test1\n\nid:test\ndata:test2\n",
       {ev("test1", "", "", 1000)}},
      {"wpt_format_field_data",
       "data:\n\ndata\ndata\n\ndata:test\n\n\n",
       {ev(""), ev("\n"), ev("test")}},
      {"wpt_format_field_event", "event:test\ndata:x\n\ndata:x\n\n\n", {ev("x", "test"), ev("x")}},
      {"wpt_format_field_event_empty", "event: \ndata:data\n\n\n", {ev("data")}},
      {"wpt_format_field_id",
       "id: \xE2\x80\xA6\nretry: 200\ndata: hello\n\n",
       {ev("hello", "", "\xE2\x80\xA6", 200)}},
      {"wpt_format_field_id_2_persists",
       "id: \xE2\x80\xA6\nretry: 200\ndata: hello\n\ndata: \xE2\x80\xA6\n\n",
       {ev("hello", "", "\xE2\x80\xA6", 200), ev("\xE2\x80\xA6", "", "\xE2\x80\xA6")}},
      {"wpt_format_field_id_3_persists",
       "id: 1\ndata: 1\n\ndata:2\n\n",
       {ev("1", "", "1"), ev("2", "", "1")}},
      {"wpt_format_field_id_3_changes_and_persists",
       "id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n",
       {ev("1", "", "1"), ev("2", "", "2"), ev("3", "", "2")}},
      {"wpt_format_field_id_3_resets",
       "id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n",
       {ev("1", "", "1"), ev("2"), ev("3")}},
      {"wpt_format_field_id_null",
       "id: \0\0\nretry: 200\ndata: hello\n\n"s,
       {ev("hello", "", "", 200)}},
      {"wpt_format_field_parsing",
       "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n "
       "data:32\ndata:4\n\n"s,
       {ev("\0\n 2\n1\n3\n\n4"s)}},
      {"wpt_format_field_retry", "retry:02000\ndata:x\n\n\n", {ev("x", "", "", 2000)}},
      {"wpt_format_field_retry_bogus",
       "retry:2000\nretry:1000x\ndata:x\n\n\n",
       {ev("x", "", "", 2000)}},
      {"wpt_format_field_retry_empty", "retry\ndata:test\n\n\n", {ev("test")}},
      {"wpt_format_field_unknown",
       "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n",
       {ev("test\n\ntest")}},
      {"wpt_format_leading_space", "data:\ttest\rdata: \ndata:test\n\n\n", {ev("\ttest\n\ntest")}},
      // format-mime-*: the Content-Type is the transport's business; the body is the default one.
      {"wpt_format_mime_default_body", "data: data\n\n\n", {ev("data")}},
      {"wpt_format_newlines", "data:test\r\ndata\ndata:test\r\n\r\n", {ev("test\n\ntest")}},
      {"wpt_format_null_character", "data:\0\n\n\n\n\n"s, {ev("\0"s)}},
      {"wpt_format_utf_8", "data:ok\xE2\x80\xA6\n\n\n", {ev("ok\xE2\x80\xA6")}},

      // Line ends
      {"cr_only", "data:a\rdata:b\r\r", {ev("a\nb")}},
      {"crlf", "data:a\r\ndata:b\r\n\r\n", {ev("a\nb")}},
      {"cr_cr_lf_is_two_ends_then_one", "data:a\r\r\ndata:b\n\n", {ev("a"), ev("b")}},
      {"lf_cr_dispatches", "data:a\n\rdata:b\n\r", {ev("a"), ev("b")}},
      {"mixed_line_ends", "data:a\rdata:b\ndata:c\r\n\n", {ev("a\nb\nc")}},
      {"trailing_cr_dispatches_at_once", "data:a\n\r", {ev("a")}},
      // BOM
      {"bom_alone_then_event", "\xEF\xBB\xBF\n\ndata:x\n\n", {ev("x")}},
      {"partial_bom_is_part_of_the_field_name",
       "\xEF\xBB"
       "data:x\n\n",
       {}},
      {"bom_later_is_not_dropped",
       "data:x\n\n\xEF\xBB\xBF"
       "data:y\n\ndata:z\n\n",
       {ev("x"), ev("z")}},
      {"ef_byte_then_not_bom",
       "\xEF"
       "data:x\n\ndata:y\n\n",
       {ev("y")}},
      // Comments, fields, values
      {"comments_only", ":hello\n: data:x\n:\n\n", {}},
      {"colon_then_space_comment_between_data", "data:a\n: ignore me\ndata:b\n\n", {ev("a\nb")}},
      {"one_space_dropped_only", "data:  two\ndata:\tx\ndata:x  \n\n", {ev(" two\n\tx\nx  ")}},
      {"value_keeps_later_colons", "data: a:b: c\n\n", {ev("a:b: c")}},
      {"field_without_colon_is_empty_data", "data\n\n", {ev("")}},
      {"field_names_are_case_sensitive",
       "DATA:x\nData:y\ndata:z\nEvent:e\nID:1\nRetry:5\n\n",
       {ev("z")}},
      {"unknown_fields_ignored", "foo:bar\nbaz\ndata:x\nx-data:y\n\n", {ev("x")}},
      {"event_type_names_the_event", "event: delta\ndata: {}\n\n", {ev("{}", "delta")}},
      {"last_event_field_wins", "event:a\nevent:b\ndata:x\n\n", {ev("x", "b")}},
      {"event_type_resets_at_blank_line_without_data", "event:ping\n\ndata:x\n\n", {ev("x")}},
      {"event_without_colon_clears_type", "event:a\nevent\ndata:x\n\n", {ev("x")}},
      {"id_set_in_block_without_data_persists", "id:7\n\ndata:x\n\n", {ev("x", "", "7")}},
      {"id_with_nul_is_ignored",
       "id:1\ndata:a\n\nid:2\0x\ndata:b\n\n"s,
       {ev("a", "", "1"), ev("b", "", "1")}},
      {"id_without_colon_resets", "id:1\ndata:a\n\nid\ndata:b\n\n", {ev("a", "", "1"), ev("b")}},
      {"id_keeps_spaces_after_the_first", "id:  9 \ndata:x\n\n", {ev("x", "", " 9 ")}},
      {"retry_space_stripped", "retry: 1500\ndata:x\n\n", {ev("x", "", "", 1500)}},
      {"retry_bogus_forms_ignored",
       "retry:-1\nretry:+1\nretry:1.5\nretry:1 \nretry: \nretry:\nretry:0x1\ndata:x\n\n",
       {ev("x")}},
      {"retry_zero", "retry:0\ndata:x\n\n", {ev("x", "", "", 0)}},
      {"retry_saturates",
       "retry:99999999999999999999999\ndata:x\n\n",
       {ev("x", "", "", UINT64_MAX)}},
      {"retry_belongs_to_its_own_event",
       "retry:10\ndata:a\n\ndata:b\n\n",
       {ev("a", "", "", 10), ev("b")}},
      {"retry_in_block_without_data_reaches_no_event", "retry:10\n\ndata:a\n\n", {ev("a")}},
      // Dispatch and end of stream
      {"blank_lines_without_data_dispatch_nothing", "\n\n\r\n\r\r", {}},
      {"empty_input", "", {}},
      {"unterminated_event_dropped", "data:x\n\ndata:y\n", {ev("x")}},
      {"unterminated_line_dropped", "data:x\n\ndata:y", {ev("x")}},
      {"openai_stream",
       "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n",
       {ev("{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}"), ev("[DONE]")}},
      {"keepalive_comments_between_events",
       ": ping\n\ndata:1\n\n: ping\n\ndata:2\n\n",
       {ev("1"), ev("2")}},
  };
  return table;
}

class SSEParserTable : public ::testing::TestWithParam<Row> {};

TEST_P(SSEParserTable, WholeInput) {
  EXPECT_EQ(parse_whole(GetParam().input), GetParam().expected);
}

TEST_P(SSEParserTable, EveryTwoWaySplit) {
  const std::string_view input = GetParam().input;
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    ASSERT_EQ(parse_pieces({input.substr(0, cut), input.substr(cut)}), GetParam().expected)
        << "split at byte " << cut;
  }
}

TEST_P(SSEParserTable, OneByteAtATime) {
  EXPECT_EQ(parse_bytewise(GetParam().input), GetParam().expected);
}

TEST_P(SSEParserTable, RandomThreeWaySplits) {
  const std::string_view input = GetParam().input;
  std::mt19937 rng(12345);
  for (int round = 0; round < 50; ++round) {
    std::size_t a = input.empty() ? 0 : rng() % (input.size() + 1);
    std::size_t b = input.empty() ? 0 : rng() % (input.size() + 1);
    if (a > b) std::swap(a, b);
    ASSERT_EQ(parse_pieces({input.substr(0, a), input.substr(a, b - a), input.substr(b)}),
              GetParam().expected)
        << "split at " << a << " and " << b;
  }
}

std::string row_name(const ::testing::TestParamInfo<Row>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Rules, SSEParserTable, ::testing::ValuesIn(rows()), row_name);

TEST(SSEParser, CrlfSplitAcrossFeedsIsOneLineEnd) {
  SSEParser parser;
  EXPECT_TRUE(parser.feed("data:a\r").empty());
  // Were the LF a second line end, it would be a blank line and dispatch "a" here.
  EXPECT_TRUE(parser.feed("\ndata:b\r").empty());
  EXPECT_EQ(parser.feed("\n\r\n"), Events{ev("a\nb")});
}

TEST(SSEParser, SinkSeesTheSameEventsAsTheVectorForm) {
  const std::string input = "id:1\nevent:x\nretry:5\ndata:a\n\ndata:b\n\nevent:y\ndata:c\n\n";
  SSEParser parser;
  Events moved;
  parser.feed(input, [&moved](SSEEvent&& event) { moved.push_back(std::move(event)); });
  EXPECT_EQ(moved, parse_whole(input));
  ASSERT_EQ(moved.size(), 3u);
}

TEST(SSEParser, ReadOnlySinkNeverSeesLeftoversOfTheReusedEvent) {
  // A sink that does not move the event lets the parser reuse it: fields and the JSON cache of
  // one event must not leak into the next.
  SSEParser parser;
  std::vector<std::string> seen;
  parser.feed("event:first\nretry:9\ndata:{\"n\":1}\n\ndata:{\"n\":2}\n\ndata:plain\n\n",
              [&seen](SSEEvent&& event) {
                const auto& json = event.data();
                seen.push_back(event.raw() + "|" + event.event() + "|" +
                               (event.retry() ? std::to_string(*event.retry()) : "-") + "|" +
                               (json ? json->dump() : "not json"));
              });
  EXPECT_EQ(seen, (std::vector<std::string>{"{\"n\":1}|first|9|{\"n\":1}", "{\"n\":2}||-|{\"n\":2}",
                                            "plain||-|not json"}));
}

TEST(SSEParser, FinishDropsTheOpenEventAndStartsANewStream) {
  SSEParser parser;
  EXPECT_TRUE(parser.feed("id:42\ndata:partial\n").empty());
  EXPECT_TRUE(parser.has_pending_event());
  EXPECT_TRUE(parser.finish().empty());
  EXPECT_FALSE(parser.has_pending_event());
  EXPECT_EQ(parser.last_event_id(), "42");  // kept: a reconnect sends it back
  // A new stream: its BOM is dropped again, and the dropped data does not resurface.
  EXPECT_EQ(parser.feed("\xEF\xBB\xBF"
                        "data:fresh\n\n"),
            Events{ev("fresh", "", "42")});
}

TEST(SSEParser, PendingEventTracksPartialLinesAndOpenData) {
  SSEParser parser;
  EXPECT_FALSE(parser.has_pending_event());
  parser.feed("\xEF");
  EXPECT_TRUE(parser.has_pending_event());
  parser.feed("\xBB\xBF");
  EXPECT_FALSE(parser.has_pending_event());
  parser.feed("data:x");
  EXPECT_TRUE(parser.has_pending_event());
  parser.feed("\n");
  EXPECT_TRUE(parser.has_pending_event());
  parser.feed("\n: comment\nid:3\n");
  EXPECT_FALSE(parser.has_pending_event());
}

TEST(SSEParser, ReconnectionTimeKeepsTheLatestValidRetry) {
  SSEParser parser;
  EXPECT_FALSE(parser.reconnection_time().has_value());
  parser.feed("retry:3000\n\nretry:oops\ndata:x\n\n");
  EXPECT_EQ(parser.reconnection_time(), std::optional<std::uint64_t>(3000));
}

// --- The size bound ---

TEST(SSEParserLimits, DefaultBoundIs64MiB) {
  EXPECT_EQ(SSEParserOptions{}.max_event_size, std::size_t{64} << 20);
  EXPECT_EQ(SSEParser().options().max_event_size, std::size_t{64} << 20);
}

TEST(SSEParserLimits, LineUpToTheBoundPassesOneMoreByteThrows) {
  SSEParserOptions options;
  options.max_event_size = 16;
  EXPECT_EQ(parse_pieces({"data: 0123456789\n\n"}, options), Events{ev("0123456789")});
  SSEParser parser(options);
  try {
    parser.feed("data: 0123456789a\n\n");
    FAIL() << "expected ResponseTooLargeError";
  } catch (const babyapi::ResponseTooLargeError& error) {
    EXPECT_NE(std::string(error.what()).find("max_event_size"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("16"), std::string::npos) << error.what();
  }
}

TEST(SSEParserLimits, DataAccumulatedOverLinesCounts) {
  SSEParserOptions options;
  options.max_event_size = 16;
  // "aaaa" then "aaaa\naaaa" fit; the third line would need 9 + 9 > 16.
  SSEParser parser(options);
  EXPECT_NO_THROW(parser.feed("data:aaaa\ndata:aaaa\n"));
  EXPECT_THROW(parser.feed("data:aaaa\n"), BabyAPIError);
  // A blank line resets the count.
  EXPECT_EQ(parse_pieces({"data:aaaa\ndata:aaaa\n\ndata:aaaa\ndata:aaaa\n\n"}, options),
            (Events{ev("aaaa\naaaa"), ev("aaaa\naaaa")}));
}

TEST(SSEParserLimits, EndlessLineThrowsWhileItIsStillArriving) {
  SSEParserOptions options;
  options.max_event_size = 1000;
  SSEParser parser(options);
  const std::string piece(100, 'x');
  parser.feed(":");
  for (int i = 0; i < 9; ++i) ASSERT_NO_THROW(parser.feed(piece));
  EXPECT_THROW(parser.feed(piece), BabyAPIError);
}

TEST(SSEParserLimits, OutcomeDoesNotDependOnTheSplit) {
  SSEParserOptions options;
  options.max_event_size = 12;
  const std::string input = "data:ok\n\n:comment-ok\ndata:way-too-long\n\ndata:never\n\n";
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    SSEParser parser(options);
    Events events;
    auto keep = [&events](SSEEvent&& event) { events.push_back(std::move(event)); };
    bool threw = false;
    try {
      parser.feed(std::string_view(input).substr(0, cut), keep);
      parser.feed(std::string_view(input).substr(cut), keep);
    } catch (const BabyAPIError&) {
      threw = true;
    }
    EXPECT_TRUE(threw) << "split at " << cut;
    EXPECT_EQ(events, Events{ev("ok")}) << "split at " << cut;
  }
}

TEST(SSEParserLimits, RefusesBytesAfterAnErrorUntilFinish) {
  SSEParserOptions options;
  options.max_event_size = 8;
  SSEParser parser(options);
  EXPECT_THROW(parser.feed("data:123456789\n\n"), BabyAPIError);
  EXPECT_THROW(parser.feed("data:1\n\n"), BabyAPIError);
  parser.finish();
  EXPECT_EQ(parser.feed("data:1\n\n"), Events{ev("1")});
}

TEST(SSEParserLimits, SinkExceptionStopsTheParser) {
  SSEParser parser;
  EXPECT_THROW(
      parser.feed("data:a\n\ndata:b\n\n", [](SSEEvent&&) { throw std::runtime_error("stop"); }),
      std::runtime_error);
  EXPECT_THROW(parser.feed("data:c\n\n"), BabyAPIError);
}

TEST(SSEParserLimits, DefaultBoundHoldsAtFullSize) {
  const std::size_t limit = SSEParserOptions{}.max_event_size;
  const std::string chunk(std::size_t{1} << 20, 'y');
  {
    // Exactly at the bound: "data:" plus limit - 5 bytes.
    SSEParser parser;
    parser.feed("data:");
    for (std::size_t sent = 5; sent < limit; sent += chunk.size()) {
      parser.feed(std::string_view(chunk).substr(0, std::min(chunk.size(), limit - sent)));
    }
    const Events events = parser.feed("\n\n");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].raw().size(), limit - 5);
  }
  {
    SSEParser parser;
    parser.feed("data:");
    for (std::size_t sent = 5; sent < limit; sent += chunk.size()) {
      parser.feed(std::string_view(chunk).substr(0, std::min(chunk.size(), limit - sent)));
    }
    EXPECT_THROW(parser.feed("y"), BabyAPIError);
  }
}

// --- Random streams: any split gives the same events ---

TEST(SSEParser, RandomStreamsAreSplitInvariant) {
  std::mt19937 rng(2024);
  const std::vector<std::string> atoms = {
      "data:",  "data: ",    "data",      "event:", "id:", "id",
      "retry:", "retry: 12", ":",         "x",      "yz",  " ",
      "\n",     "\r",        "\r\n",      "\n\n",   "\0"s, "\xEF\xBB\xBF",
      "\xEF",   "DATA:",     "{\"a\":1}", "[DONE]"};
  for (int round = 0; round < 300; ++round) {
    std::string input;
    const int atoms_in_stream = static_cast<int>(rng() % 40);
    for (int i = 0; i < atoms_in_stream; ++i) input += atoms[rng() % atoms.size()];
    const Events whole = parse_whole(input);
    ASSERT_EQ(parse_bytewise(input), whole) << ::testing::PrintToString(input);
    std::vector<std::string_view> pieces;
    std::size_t at = 0;
    while (at < input.size()) {
      const std::size_t size = std::min<std::size_t>(input.size() - at, 1 + rng() % 7);
      pieces.push_back(std::string_view(input).substr(at, size));
      at += size;
    }
    ASSERT_EQ(parse_pieces(pieces), whole) << ::testing::PrintToString(input);
  }
}

}  // namespace
