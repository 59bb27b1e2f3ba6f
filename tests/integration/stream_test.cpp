// Streaming over real sockets against the emulator: lazy events, framing variants, errors in and
// around the stream, back-pressure and early close.
#include <gtest/gtest.h>

#include "emulator_test.hpp"
#include "http/transport.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;
using testing::EmulatorProcess;

const char* const kPoem = "Write a short poem about servers";

struct Collected {
  std::string text;
  int events = 0;
  bool done = false;
};

Collected collect(Stream& stream) {
  Collected out;
  for (const SSEEvent& event : stream) {
    if (event.done()) {
      out.done = true;
      break;
    }
    ++out.events;
    out.text += event.text();
  }
  return out;
}

class StreamTest : public testing::EmulatorTest {
 protected:
  static Json chat_params(const std::string& text = kPoem) {
    return EmulatorTest::chat_params(text);
  }
  static RequestOptions stream_mode(const std::string& mode) {
    return with_header("x-emulator-stream", mode);
  }
  static std::string unique_key() { return unique("key-"); }
  // The emulator's view of a keyed stream, waiting up to wait_ms for it to stop being open.
  static std::string stream_state(Client& client, const std::string& key, int wait_ms) {
    return client.get("/_emulator/streams/" + key + "?wait_ms=" + std::to_string(wait_ms))["state"];
  }
};

TEST_F(StreamTest, ChatStreamsWordByWordAndEndsWithDone) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(chat_params());
  EXPECT_EQ(stream.status(), 200);
  EXPECT_FALSE(stream.request_id().empty());
  EXPECT_NE(stream.header("content-type").find("text/event-stream"), std::string::npos);
  const Collected got = collect(stream);
  EXPECT_EQ(got.text, kPoem);
  EXPECT_GE(got.events, 6);  // a role delta, then one event per word
  EXPECT_TRUE(got.done);
}

TEST_F(StreamTest, CompletionsStreamText) {
  Client client(emulator().client_options());
  Stream stream = client.completions.stream(
      {{"model", "mistral"}, {"prompt", "List 5 calm API-building tips."}});
  const Collected got = collect(stream);
  EXPECT_EQ(got.text, "List 5 calm API-building tips.");
  EXPECT_TRUE(got.done);
}

TEST_F(StreamTest, EventsCarryParsedJson) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(chat_params("hello world"));
  const SSEEvent* first = stream.next();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->data().has_value());
  EXPECT_EQ((*first->data())["object"], "chat.completion.chunk");
  EXPECT_EQ(first->raw().front(), '{');
  std::string text;
  while (const SSEEvent* event = stream.next()) {
    if (event->done()) {
      EXPECT_FALSE(event->data().has_value());  // "[DONE]" is not JSON
      break;
    }
    const Json& delta = (*event->data())["choices"][0]["delta"];
    if (delta.contains("content")) text += delta["content"].get<std::string>();
  }
  EXPECT_EQ(text, "hello world");
}

TEST_F(StreamTest, EveryFramingGivesTheSameText) {
  Client client(emulator().client_options());
  for (const char* mode :
       {"framing=crlf", "framing=cr", "byte-writes=1", "keepalive=1", "multiline=1",
        "ids=1;retry=1500", "framing=cr;byte-writes=1;keepalive=1"}) {
    Stream stream = client.chat.completions.stream(chat_params(), stream_mode(mode));
    const Collected got = collect(stream);
    EXPECT_EQ(got.text, kPoem) << mode;
    EXPECT_TRUE(got.done) << mode;
  }
}

TEST_F(StreamTest, IdsPersistAndRetryIsReported) {
  Client client(emulator().client_options());
  Stream stream =
      client.chat.completions.stream(chat_params("a b"), stream_mode("ids=1;retry=1500"));
  std::vector<std::string> ids;
  for (const SSEEvent& event : stream) ids.push_back(event.id());
  ASSERT_GE(ids.size(), 3u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], std::to_string(i + 1)) << i;
  EXPECT_EQ(stream.last_event_id(), ids.back());
  // The retry block carries no data, so no event holds it: the stream reports it.
  EXPECT_EQ(stream.reconnection_time(), std::optional<std::uint64_t>(1500));
  EXPECT_TRUE(stream.saw_done());
}

TEST_F(StreamTest, ErrorEventThrowsWithTheServersMessage) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(chat_params(), stream_mode("error-after=2"));
  int seen = 0;
  try {
    for (const SSEEvent& event : stream) {
      (void)event;
      ++seen;
    }
    FAIL() << "expected BabyAPIError";
  } catch (const APIConnectionError&) {
    FAIL() << "an error event is not a connection error";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("Injected stream error"), std::string::npos) << error.message();
    EXPECT_EQ(error.type(), "server_error");
    EXPECT_FALSE(error.request_id().empty());
  }
  EXPECT_EQ(seen, 2);
}

TEST_F(StreamTest, StreamCutMidEventIsAPIConnectionError) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(chat_params(), stream_mode("cut-after=3"));
  std::string text;
  EXPECT_THROW(
      {
        for (const SSEEvent& event : stream) text += event.text();
      },
      APIConnectionError);
  EXPECT_FALSE(text.empty());
  EXPECT_NE(text, kPoem);
}

TEST_F(StreamTest, CleanEndWithoutDoneEndsIteration) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(chat_params(), stream_mode("no-done=1"));
  const Collected got = collect(stream);
  EXPECT_EQ(got.text, kPoem);
  EXPECT_FALSE(got.done);
  EXPECT_EQ(stream.next(), nullptr);  // stays ended
}

TEST_F(StreamTest, FirstEventArrivesWhileTheServerHoldsTheRest) {
  Client client(emulator().client_options());
  const std::string key = unique_key();
  Stream stream =
      client.chat.completions.stream(chat_params(), stream_mode("hold-after=1;hold-key=" + key));
  const SSEEvent* first = stream.next();
  ASSERT_NE(first, nullptr);  // nothing after it has been sent yet, so it was not buffered
  EXPECT_FALSE(first->done());
  EXPECT_EQ(stream_state(client, key, 0), "open");
  client.post("/_emulator/release/" + key, Json::object());
  std::string rest;
  bool done = false;
  while (const SSEEvent* event = stream.next()) {
    if (event->done()) done = true;
    rest += event->text();
  }
  EXPECT_EQ(first->text() + rest, kPoem);
  EXPECT_TRUE(done);
  EXPECT_EQ(stream_state(client, key, 10000), "completed");
}

TEST_F(StreamTest, EarlyBreakClosesTheConnection) {
  Client client(emulator().client_options());
  const std::string key = unique_key();
  {
    Stream stream =
        client.chat.completions.stream(chat_params(), stream_mode("hold-after=2;hold-key=" + key));
    for (const SSEEvent& event : stream) {
      (void)event;
      break;
    }
  }  // the Stream is gone; the server must see its connection close
  EXPECT_EQ(stream_state(client, key, 30000), "client_closed");
}

TEST_F(StreamTest, CloseEndsIterationAndTheConnection) {
  Client client(emulator().client_options());
  const std::string key = unique_key();
  Stream stream =
      client.chat.completions.stream(chat_params(), stream_mode("hold-after=1;hold-key=" + key));
  ASSERT_NE(stream.next(), nullptr);
  stream.close();
  EXPECT_EQ(stream.next(), nullptr);
  EXPECT_EQ(stream_state(client, key, 30000), "client_closed");
}

TEST_F(StreamTest, ErrorStatusThrowsItsClassAndIsNotRetried) {
  Client client(emulator().client_options());
  RequestOptions options;
  const std::string fault = "status=429;times=5;id=" + unique_key();
  options.headers = {{"x-emulator-fault", fault}};
  EXPECT_THROW(client.chat.completions.stream(chat_params(), options), RateLimitError);
  EXPECT_EQ(logged(fault, "x-emulator-fault").size(), 1u);
}

TEST_F(StreamTest, ValidationErrorBeforeTheStreamCarriesTheMessage) {
  Client client(emulator().client_options());
  try {
    client.chat.completions.stream({{"model", "mistral"}, {"messages", Json::array()}});
    FAIL() << "expected BadRequestError";
  } catch (const BadRequestError& error) {
    EXPECT_NE(error.message().find("messages"), std::string::npos);
  }
}

TEST_F(StreamTest, SilenceLongerThanTheTimeoutIsAPITimeoutError) {
  Client client(emulator().client_options());
  RequestOptions options = stream_mode("delay-ms=60000");  // the second event never comes in time
  options.timeout = milliseconds(200);
  Stream stream = client.chat.completions.stream(chat_params(), options);
  ASSERT_NE(stream.next(), nullptr);
  EXPECT_THROW(stream.next(), APITimeoutError);
}

TEST_F(StreamTest, TheJsonTimeoutDoesNotCutStreams) {
  ClientOptions options = emulator().client_options();
  options.timeout = milliseconds(50);  // far shorter than the whole stream below
  Client client(options);
  const auto started = std::chrono::steady_clock::now();
  Stream stream =
      client.chat.completions.stream(chat_params("one two three four"), stream_mode("delay-ms=40"));
  EXPECT_EQ(collect(stream).text, "one two three four");
  // The server paused 40 ms before each of the events after the first, so the stream outlived the
  // 50 ms JSON timeout: a lower bound the server guarantees, not a race.
  EXPECT_GT(std::chrono::steady_clock::now() - started, options.timeout);
  EXPECT_TRUE(stream.saw_done());
}

TEST_F(StreamTest, LargeStreamArrivesWhole) {
  Client client(emulator().client_options());
  Stream stream = client.completions.stream({{"model", "mistral"}, {"prompt", "abc"}},
                                            stream_mode("tokens=20000"));
  size_t events = 0;
  std::string text;
  for (const SSEEvent& event : stream) {
    if (event.done()) break;
    ++events;
    text += event.text();
  }
  // The emulator repeats the prompt's one token: "abc", then " abc" for each further token.
  std::string expected = "abc";
  for (int i = 1; i < 20000; ++i) expected += " abc";
  EXPECT_EQ(events, 20001u);  // one per token, then the chunk that carries finish_reason
  EXPECT_EQ(text.size(), expected.size());
  EXPECT_TRUE(text == expected);
  EXPECT_TRUE(stream.saw_done());
}

TEST_F(StreamTest, BackPressurePausesAndResumesWithoutLosingABit) {
  // The transport itself, with a buffer limit far below one network read, so that nearly every
  // delivery from libcurl pauses the transfer until the consumer reads again.
  const auto transport = detail::make_curl_transport({});
  detail::HttpRequest request;
  request.method = "POST";
  request.url = emulator().base_url() + "/v1/completions";
  request.headers = {{"Authorization", std::string("Bearer ") + testing::kTestApiKey},
                     {"Content-Type", "application/json"},
                     {"x-emulator-stream", "tokens=5000"}};
  request.body = Json{{"model", "mistral"}, {"prompt", "abc"}, {"stream", true}}.dump();
  request.stream_buffer_limit = 64;
  const auto transfer = transport->open_stream(request, milliseconds(0));
  ASSERT_EQ(transfer->status(), 200);
  SSEParser parser;
  size_t events = 0;
  bool done = false;
  std::string text;
  for (std::string_view bytes = transfer->read(); !bytes.empty(); bytes = transfer->read()) {
    EXPECT_LE(bytes.size(), 64u + 16384u);  // never more than the limit plus one delivery
    parser.feed(bytes, [&](SSEEvent&& event) {
      if (event.done()) {
        done = true;
      } else {
        ++events;
        text += event.text();
      }
    });
  }
  // Not a bit lost: every token, in order, exactly as the emulator generated them.
  std::string expected = "abc";
  for (int i = 1; i < 5000; ++i) expected += " abc";
  EXPECT_EQ(events, 5001u);  // one per token, then the chunk that carries finish_reason
  EXPECT_TRUE(text == expected);
  EXPECT_TRUE(done);
  // How often it paused depends on how the bytes happened to arrive, so it is reported, not
  // asserted; the bound on each read above is the guarantee.
  RecordProperty("pauses", static_cast<int>(transfer->pauses()));
}

TEST_F(StreamTest, VisionContentStreams) {
  Client client(emulator().client_options());
  Stream stream = client.chat.completions.stream(
      {{"model", "pixtral"},
       {"messages",
        {{{"role", "user"},
          {"content",
           {{{"type", "text"}, {"text", "What is this image trying to communicate?"}},
            {{"type", "image_url"},
             {"image_url", {{"url", "https://api.babyapi.org/images/banner.png"}}}}}}}}}});
  const std::string text = collect(stream).text;
  EXPECT_NE(text.find("What is this image trying to communicate?"), std::string::npos);
  EXPECT_NE(text.find("[image: https://api.babyapi.org/images/banner.png]"), std::string::npos)
      << text;
}

TEST_F(StreamTest, StreamsAreMovable) {
  Client client(emulator().client_options());
  Stream first = client.chat.completions.stream(chat_params("moved stream"));
  Stream second(std::move(first));
  EXPECT_EQ(collect(second).text, "moved stream");
  EXPECT_EQ(first.next(),
            nullptr);  // NOLINT(bugprone-use-after-move): a moved-from Stream is empty
}

}  // namespace
}  // namespace babyapi
