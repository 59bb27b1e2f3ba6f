// The test kit: unit-test code that calls babyapi without a server. Link babyapi::testing and
// give a Client a FakeTransport:
//
//   auto fake = std::make_shared<babyapi::testing::FakeTransport>();
//   fake->push(babyapi::testing::FakeAnswer::chat("Hello!"));
//   babyapi::Client client(babyapi::testing::fake_options(fake));
//   EXPECT_EQ(my_greeter(client), "Hello!");
//   EXPECT_EQ(fake->last_request().json()["model"], "mistral");
//
// Everything above the transport runs as it does over the network: retries and their back-off,
// error mapping, streams, the async engine (futures, stream_async, create_many) and docling waits.
// Time is virtual: a back-off or a poll interval moves the fake's clock instead of sleeping, so
// tests never wait.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/config.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/transport.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace testing {

/// One scripted answer: an HTTP answer (status, headers, body), a stream's body split into the
/// pieces its reads return, or a failure instead of any answer.
struct FakeAnswer {
  /// What happens instead of an answer.
  enum class Failure {
    kNone,     ///< an answer comes
    kRefused,  ///< connection refused: surely not sent, retried
    kReset,    ///< connection reset: maybe sent, retried when the call may be repeated
    kTimeout,  ///< APITimeoutError
  };

  int status = 200;    ///< the HTTP status
  HeaderList headers;  ///< the response headers (json() and the others set content-type)
  std::string body;    ///< the body of a plain answer
  std::vector<std::string> pieces;   ///< a stream's body, one read() per piece (body when empty)
  Failure failure = Failure::kNone;  ///< instead of an answer
  Failure failure_after_pieces = Failure::kNone;  ///< a stream that breaks after its pieces

  /// 200 (or status) with a JSON body.
  static FakeAnswer json(const Json& body, int status = 200);
  /// A body of any content type (HTML from a proxy, plain text, audio bytes).
  static FakeAnswer text(std::string body, std::string content_type = "text/plain; charset=utf-8",
                         int status = 200);
  /// An error status with an OpenAI-shaped body {"error": {"message", "type", "code"}}.
  static FakeAnswer error(int status, std::string message, std::string type = "",
                          std::string code = "");
  /// A chat.completion whose first choice says content (finish_reason "stop").
  static FakeAnswer chat(std::string content, std::string model = "mistral");
  /// An event stream from raw bytes, each piece returned by one read (split where you like).
  static FakeAnswer sse(std::vector<std::string> pieces);
  /// An event stream of these chunks ("data: <json>\n\n" each, one read each), then
  /// "data: [DONE]" when done is set.
  static FakeAnswer events(const std::vector<Json>& chunks, bool done = true);
  /// A chat stream: one chunk per token with delta.content, a last chunk with finish_reason.
  static FakeAnswer chat_stream(const std::vector<std::string>& tokens,
                                std::string model = "mistral");
  static FakeAnswer refused();  ///< the connection is refused (retried; surely not sent)
  static FakeAnswer reset();    ///< the connection breaks before an answer (maybe sent)
  static FakeAnswer timeout();  ///< the attempt times out (APITimeoutError, retried)

  /// Adds a response header (e.g. x-request-id, retry-after).
  FakeAnswer& with_header(std::string name, std::string value);
  /// For a stream: the connection breaks after the pieces (APIConnectionError on the next read).
  FakeAnswer& then_reset();
};

/// What the SDK sent, as the fake saw it.
struct RecordedRequest {
  std::string method;  ///< GET, POST, ...
  std::string url;     ///< absolute, as sent
  std::string path;    ///< the URL's path and query, e.g. "/v1/chat/completions"
  HeaderList headers;  ///< every header sent, Authorization included
  std::string body;    ///< the body as sent (JSON for most calls; see json())
  Form form;  ///< the parts of a multipart upload (a file from disk keeps its path, not its bytes)
  bool stream = false;                        ///< sent through open_stream
  std::chrono::milliseconds timeout{0};       ///< the whole-exchange bound the SDK set (0: none)
  std::chrono::milliseconds idle_timeout{0};  ///< a stream: the silence bound it was opened with

  /// The first header of that name (any case), or nullptr.
  const std::string* header(std::string_view name) const noexcept;
  /// The body parsed as JSON; throws BabyAPIError when it is not JSON.
  Json json() const;
};

/// A Transport that answers from a script and records every request. Thread-safe: a Client's
/// threads and its engine may call it at once.
///
/// Answers are taken in order: first from a route matching the request's method and path (see
/// on()), else from the general queue (push()). A request with no answer left fails with a
/// BabyAPIError naming it, which is not retried.
class FakeTransport : public Transport {
 public:
  FakeTransport();

  /// Queues an answer for the next request that no route claims.
  FakeTransport& push(FakeAnswer answer);
  /// Queues an answer for requests with this method and path (the path without its query, e.g.
  /// "/v1/embeddings"); several answers for one route are used in order.
  FakeTransport& on(std::string method, std::string path, FakeAnswer answer);
  /// With repeat set, the last answer of every route stays in place once reached (a docling task
  /// that stays "pending", a server that keeps answering 503).
  FakeTransport& repeat_last(bool repeat = true);

  /// Every request so far, in the order they were made.
  std::vector<RecordedRequest> requests() const;
  /// The latest request; throws BabyAPIError when none was made.
  RecordedRequest last_request() const;
  /// How many requests were made so far.
  std::size_t request_count() const;
  /// Answers scripted and not used yet.
  std::size_t pending() const;

  /// Virtual time. now() starts at an arbitrary point and moves only by sleep() and advance().
  std::chrono::steady_clock::time_point now() const override;
  /// Records the pause and moves the virtual clock by it (or calls the sleeper set).
  void sleep(std::chrono::milliseconds delay) override;
  /// Moves the virtual clock without recording a pause.
  void advance(std::chrono::milliseconds delay);
  /// Every pause the SDK took (back-off, poll intervals), in order.
  std::vector<std::chrono::milliseconds> sleeps() const;
  /// Replaces the virtual clock and pause, e.g. with real ones.
  void set_clock(std::function<std::chrono::steady_clock::time_point()> clock);
  /// Replaces the virtual pause: sleep() calls sleeper (after recording the pause).
  void set_sleeper(std::function<void(std::chrono::milliseconds)> sleeper);

  HttpResponse send(const HttpRequest& request) override;
  std::unique_ptr<StreamTransfer> open_stream(const HttpRequest& request,
                                              std::chrono::milliseconds idle_timeout) override;

 private:
  FakeAnswer take(const HttpRequest& request, bool stream, std::chrono::milliseconds idle);

  mutable std::mutex mutex_;
  std::deque<FakeAnswer> queue_;
  std::map<std::string, std::deque<FakeAnswer>> routes_;  ///< "METHOD /path"
  bool repeat_last_ = false;
  std::vector<RecordedRequest> requests_;
  std::chrono::steady_clock::time_point now_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::function<std::chrono::steady_clock::time_point()> clock_;
  std::function<void(std::chrono::milliseconds)> sleeper_;
};

/// ClientOptions for a Client on transport: a test key, base_url https://fake.babyapi.test, the
/// default model "mistral"; nothing is read from the environment.
ClientOptions fake_options(std::shared_ptr<FakeTransport> transport);

}  // namespace testing
BABYAPI_NAMESPACE_END
