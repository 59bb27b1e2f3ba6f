// The async engine over real loopback sockets: futures, streams on the engine, batches with
// adaptive concurrency, cancellation of every kind, shutdown with work in flight, and no growth in
// fds over many calls. No test waits on time: servers and callbacks signal what they reached.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "babyapi/babyapi.hpp"
#include "emulator_test.hpp"
#include "scripted_server.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;
using testing::EmulatorTest;
using testing::ScriptedServer;

std::size_t open_fds() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir) != nullptr) ++count;
    ::closedir(dir);
  }
  return count;
}

std::size_t resident_kib() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  unsigned long pages = 0, resident = 0;
  const int read = std::fscanf(file, "%lu %lu", &pages, &resident);
  std::fclose(file);
  return read == 2 ? resident * (static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) / 1024) : 0;
}

// A latch a test thread waits on until another thread (a callback, a server) reaches a point.
class Signal {
 public:
  void notify() {
    std::lock_guard<std::mutex> lock(mutex_);
    set_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

class AsyncTest : public EmulatorTest {
 protected:
  static void SetUpTestSuite() {
    // A thousand streams need a thousand sockets, on each side.
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
      limit.rlim_cur = limit.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    EmulatorTest::SetUpTestSuite();
  }
  static RequestOptions stream_mode(const std::string& mode) {
    return with_header("x-emulator-stream", mode);
  }
  static std::string stream_state(Client& client, const std::string& key) {
    return client.get("/_emulator/streams/" + key + "?wait_ms=60000")["state"];
  }
  static Json completion(const std::string& prompt) {
    return {{"model", "mistral"}, {"prompt", prompt}, {"max_tokens", 8}};
  }
};

// --- Futures ------------------------------------------------------------------------------------

TEST_F(AsyncTest, FuturesDeliverResultsAndTypedErrors) {
  Client client(emulator().client_options());
  Future<Response> chat = client.chat.completions.create_async(chat_params("hello there"));
  Future<Response> completion = client.completions.create_async(this->completion("one two"));
  Future<Response> embeddings =
      client.embeddings.create_async({{"model", "qwen3-embedding"}, {"input", {"a", "b"}}});
  Future<Response> infer = client.baby.infer_async({{"prompt", "hi"}, {"model", "mistral"}});
  Future<Response> missing = client.get_async("/v1/no-such-route");
  EXPECT_EQ(chat.get()["choices"][0]["message"]["content"], "hello there");
  EXPECT_EQ(completion.get()["choices"][0]["text"], "one two");
  EXPECT_EQ(embeddings.get()["data"].size(), 2u);
  EXPECT_EQ(infer.get()["output"], "hi");
  missing.wait();
  EXPECT_TRUE(missing.ready());
  EXPECT_THROW(missing.get(), NotFoundError);
  // A result is delivered once.
  EXPECT_THROW(missing.get(), BabyAPIError);
  EXPECT_THROW(Future<Response>().get(), BabyAPIError);
}

TEST_F(AsyncTest, ThenRunsOnTheEngineThreadOrAtOnceWhenReady) {
  Client client(emulator().client_options());
  std::promise<std::thread::id> ran_on;
  Future<Response> pending = client.post_async("/v1/completions", completion("later"));
  pending.then([&](Result<Response> result) {
    EXPECT_TRUE(result.ok());
    EXPECT_EQ(result.value()["choices"][0]["text"], "later");
    ran_on.set_value(std::this_thread::get_id());
  });
  const std::thread::id engine_thread = ran_on.get_future().get();
  EXPECT_NE(engine_thread, std::this_thread::get_id());
  EXPECT_THROW(pending.get(), BabyAPIError) << "the result went to the callback";

  Future<Response> done = client.post_async("/v1/completions", completion("now"));
  done.wait();
  std::thread::id here;
  done.then([&](Result<Response> result) {
    here = std::this_thread::get_id();
    EXPECT_EQ(result.value()["choices"][0]["text"], "now");
  });
  EXPECT_EQ(here, std::this_thread::get_id());
}

TEST_F(AsyncTest, AsyncCallsRetryLikeBlockingOnes) {
  std::atomic<int> requests{0};
  ScriptedServer server([&](const std::string&) -> std::optional<std::string> {
    const std::string body = ++requests < 3 ? R"({"error":{"message":"busy"}})" : R"({"ok":true})";
    const int status = requests < 3 ? 503 : 200;
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nretry-after-ms: 1\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  });
  ClientOptions options = emulator().client_options();
  options.base_url = server.base_url();
  options.retry_base_delay = milliseconds(1);
  Client client(options);
  EXPECT_EQ(client.get_async("/v1/models").get()["ok"], true);
  EXPECT_EQ(requests.load(), 3);
  RequestOptions no_retries;
  no_retries.max_retries = 0;
  requests = 0;
  EXPECT_THROW(client.get_async("/v1/models", no_retries).get(), InternalServerError);
}

// --- Streams on the engine ----------------------------------------------------------------------

TEST_F(AsyncTest, StreamAsyncDeliversEveryEventInOrderOnTheEngine) {
  Client client(emulator().client_options());
  std::string text;
  bool done = false;
  std::set<std::thread::id> threads;
  client.chat.completions
      .stream_async(chat_params("the quick brown fox"),
                    [&](const SSEEvent& event) {
                      threads.insert(std::this_thread::get_id());
                      if (event.done()) done = true;
                      text += event.text();
                    })
      .get();
  EXPECT_EQ(text, "the quick brown fox");
  EXPECT_TRUE(done);
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST_F(AsyncTest, StreamAsyncErrorsAreTyped) {
  Client client(emulator().client_options());
  const auto ignore = [](const SSEEvent&) {};
  // A server-reported error inside the stream.
  EXPECT_THROW(
      client.completions.stream_async(completion("a b c"), ignore, stream_mode("error-after=1"))
          .get(),
      BabyAPIError);
  // An error status before the stream.
  EXPECT_THROW(client.chat.completions
                   .stream_async(chat_params("x"), ignore,
                                 with_header("x-emulator-fault", "status=429;times=0"))
                   .get(),
               RateLimitError);
  // An exception thrown by on_event ends the stream with it.
  struct Stop {};
  EXPECT_THROW(client.chat.completions
                   .stream_async(chat_params("a b c"), [](const SSEEvent&) { throw Stop{}; })
                   .get(),
               Stop);
  // A stream cut mid-way is a connection error, never a clean end.
  EXPECT_THROW(client.chat.completions
                   .stream_async(chat_params("a b c d"), ignore, stream_mode("cut-after=2"))
                   .get(),
               APIConnectionError);
}

TEST_F(AsyncTest, AThousandStreamsShareTheOneEngineThread) {
  ClientOptions options = emulator().client_options();
  options.max_connections = 1000;  // all of them open at once over HTTP/1.1
  Client client(options);
  constexpr int kStreams = 1000;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> events{0};
  std::vector<Future<void>> streams;
  streams.reserve(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    streams.push_back(
        client.completions.stream_async(completion("w" + std::to_string(i)), [&](const SSEEvent&) {
          {
            std::lock_guard<std::mutex> lock(mutex);
            threads.insert(std::this_thread::get_id());
          }
          ++events;
        }));
  }
  for (auto& stream : streams) stream.get();
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_GE(events.load(), 2 * kStreams);  // at least a word and [DONE] each
}

// --- Batches ------------------------------------------------------------------------------------

TEST_F(AsyncTest, CreateManyKeepsInputOrderAndEachItemsOwnError) {
  Client client(emulator().client_options());
  std::vector<Json> params;
  for (int i = 0; i < 50; ++i) params.push_back(completion("item " + std::to_string(i)));
  params[7] = {{"prompt", "no model"}};                // 400 from the server
  params[23] = {{"model", "mistral"}, {"prompt", 5}};  // 400 too
  std::atomic<std::size_t> last_done{0};
  BatchOptions options;
  options.max_in_flight = 8;
  options.on_progress = [&](std::size_t done, std::size_t total) {
    EXPECT_EQ(total, 50u);
    last_done = done;
  };
  std::vector<Result<Response>> results = client.completions.create_many(params, options);
  ASSERT_EQ(results.size(), 50u);
  EXPECT_EQ(last_done.load(), 50u);
  for (int i = 0; i < 50; ++i) {
    if (i == 7 || i == 23) {
      EXPECT_FALSE(results[i].ok()) << i;
      EXPECT_THROW(results[i].value(), BadRequestError) << i;
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << i;
    EXPECT_EQ(results[i].value()["choices"][0]["text"], "item " + std::to_string(i));
  }
  EXPECT_TRUE(client.embeddings.create_many({}).empty());
}

TEST_F(AsyncTest, RateLimitsHalveTheBatchAndItGrowsBack) {
  Client client(emulator().client_options());
  // The first 6 requests carrying this exact header answer 429 with a Retry-After; later ones pass.
  BatchOptions options;
  options.max_in_flight = 16;
  options.request_options =
      with_header("x-emulator-fault", "status=429;times=6;retry-after-ms=100;id=" + unique());
  std::vector<std::size_t> limits;
  options.on_limit = [&](std::size_t limit) { limits.push_back(limit); };
  std::vector<Json> params(64, Json{{"model", "qwen3-embedding"}, {"input", "x"}});
  std::vector<Result<Response>> results = client.embeddings.create_many(params, options);
  for (const auto& result : results) EXPECT_TRUE(result.ok());
  ASSERT_FALSE(limits.empty());
  EXPECT_LE(limits.front(), 8u) << "a 429 halves the limit";
  const std::size_t lowest = *std::min_element(limits.begin(), limits.end());
  EXPECT_GE(lowest, 1u);
  EXPECT_GT(limits.back(), lowest) << "successes grow it back one at a time";
  for (std::size_t i = 1; i < limits.size(); ++i) {
    if (limits[i] > limits[i - 1]) EXPECT_EQ(limits[i], limits[i - 1] + 1);
  }
}

// --- Cancellation -------------------------------------------------------------------------------

// A server that tells the test when a request arrived, then never answers it.
struct SilentServer {
  Signal arrived;
  ScriptedServer server{[this](const std::string&) -> std::optional<std::string> {
    arrived.notify();
    gate.wait();
    return std::nullopt;
  }};
  Signal gate;
  ~SilentServer() { gate.notify(); }
};

TEST_F(AsyncTest, ACancelledBlockingCallThrowsUserAbortMidTransfer) {
  auto silent = std::make_unique<SilentServer>();
  ClientOptions options = emulator().client_options();
  options.base_url = silent->server.base_url();
  Client client(options);
  RequestOptions request_options;
  CancelToken token;
  request_options.cancel = token;
  std::thread canceller([&] {
    silent->arrived.wait();
    token.cancel();
  });
  EXPECT_THROW(client.get("/v1/models", request_options), APIUserAbortError);
  canceller.join();
  EXPECT_TRUE(token.cancelled());
  silent->gate.notify();
}

TEST_F(AsyncTest, ACancelledBlockingCallThrowsUserAbortMidBackoff) {
  Signal answered;
  ScriptedServer server([&](const std::string&) -> std::optional<std::string> {
    answered.notify();
    const std::string body = R"({"error":{"message":"later"}})";
    return "HTTP/1.1 503 X\r\nContent-Type: application/json\r\nretry-after-ms: 3600000\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  });
  ClientOptions options = emulator().client_options();
  options.base_url = server.base_url();
  options.max_retry_after = std::chrono::hours(2);  // the back-off is an hour
  Client client(options);
  RequestOptions request_options;
  CancelToken token;
  request_options.cancel = token;
  std::thread canceller([&] {
    answered.wait();
    token.cancel();
  });
  EXPECT_THROW(client.get("/v1/models", request_options), APIUserAbortError);
  canceller.join();
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(AsyncTest, ACancelledStreamThrowsAtTheNextReadAndTheServerSeesTheClose) {
  Client client(emulator().client_options());
  const std::string key = unique("cancel-");
  RequestOptions options = stream_mode("hold-after=1;hold-key=" + key);
  CancelToken token;
  options.cancel = token;
  Stream stream = client.chat.completions.stream(chat_params("a b c"), options);
  ASSERT_NE(stream.next(), nullptr);
  std::thread canceller([&] { token.cancel(); });
  canceller.join();
  EXPECT_THROW(
      {
        while (stream.next() != nullptr) {
        }
      },
      APIUserAbortError);
  stream.close();
  EXPECT_EQ(stream_state(client, key), "client_closed");
}

TEST_F(AsyncTest, CancellingAnAsyncStreamClosesItsConnectionAtOnce) {
  Client client(emulator().client_options());
  const std::string key = unique("cancel-async-");
  Signal first_event;
  Future<void> stream = client.chat.completions.stream_async(
      chat_params("a b c"), [&](const SSEEvent&) { first_event.notify(); },
      stream_mode("hold-after=1;hold-key=" + key));
  first_event.wait();
  stream.cancel();
  EXPECT_THROW(stream.get(), APIUserAbortError);
  EXPECT_EQ(stream_state(client, key), "client_closed");
}

TEST_F(AsyncTest, ATokenCancelsFuturesBatchesAndDoclingWaits) {
  auto silent = std::make_unique<SilentServer>();
  ClientOptions options = emulator().client_options();
  options.base_url = silent->server.base_url();
  Client client(options);
  CancelToken token;
  RequestOptions request_options;
  request_options.cancel = token;
  Future<Response> future = client.get_async("/v1/models", request_options);
  silent->arrived.wait();
  token.cancel();
  EXPECT_THROW(future.get(), APIUserAbortError);
  // Already cancelled: nothing more is sent, each item says why.
  BatchOptions batch;
  batch.request_options = request_options;
  auto results = client.rerank.create_many(std::vector<Json>(5, Json::object()), batch);
  ASSERT_EQ(results.size(), 5u);
  for (auto& result : results) EXPECT_THROW(result.value(), APIUserAbortError);
  silent->gate.notify();
}

TEST_F(AsyncTest, ATokenCancelsABatchInFlight) {
  Client client(emulator().client_options());
  const std::string key = unique("batch-");
  CancelToken token;
  BatchOptions batch;
  batch.max_in_flight = 4;
  batch.request_options = with_header("x-emulator-fault", "delay-ms=600000;times=0;id=" + key);
  batch.request_options.cancel = token;
  std::thread canceller([&] {
    // Cancel once the emulator has the first delayed request: the rest are never started.
    for (;;) {
      if (!logged(batch.request_options.headers.begin()->second, "x-emulator-fault").empty()) break;
      std::this_thread::yield();
    }
    token.cancel();
  });
  auto results = client.completions.create_many(std::vector<Json>(20, completion("x")), batch);
  canceller.join();
  for (auto& result : results) EXPECT_THROW(result.value(), APIUserAbortError);
}

// --- Shutdown and resources ---------------------------------------------------------------------

TEST_F(AsyncTest, DestroyingTheClientCompletesPendingWorkWithAnError) {
  const std::string key = unique("shutdown-");
  Future<void> stream;
  Future<Response> call;
  {
    Client client(emulator().client_options());
    Signal first_event;
    stream = client.chat.completions.stream_async(
        chat_params("a b c"), [&](const SSEEvent&) { first_event.notify(); },
        stream_mode("hold-after=1;hold-key=" + key));
    call = client.get_async("/v1/models",
                            with_header("x-emulator-fault", "delay-ms=600000;id=" + key));
    first_event.wait();
  }
  EXPECT_THROW(stream.get(), BabyAPIError);
  EXPECT_THROW(call.get(), BabyAPIError);
  Client closed(emulator().client_options());
  closed.close();
  EXPECT_THROW(closed.get_async("/v1/models"), BabyAPIError);
}

TEST_F(AsyncTest, TheEngineOpensAtMostMaxConnections) {
  ClientOptions options = emulator().client_options();
  options.max_connections = 4;
  Client client(options);
  std::vector<Future<Response>> futures;
  for (int i = 0; i < 200; ++i) futures.push_back(client.get_async("/v1/models"));
  std::set<std::string> connections;  // the client's port of each connection, as the server saw it
  for (auto& future : futures) connections.insert(future.get().header("x-emulator-remote-port"));
  EXPECT_LE(connections.size(), 4u);
  EXPECT_THROW(
      {
        options.max_connections = 0;
        Client refused(options);
      },
      BabyAPIError);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizedBuild = true;
#else
constexpr bool kSanitizedBuild = false;
#endif
#else
constexpr bool kSanitizedBuild = false;
#endif

TEST_F(AsyncTest, ManyCallsAndBrokenStreamsLeaveNoFdsBehind) {
  Client client(emulator().client_options());
  const auto batch = [&](int calls) {
    std::vector<Future<Response>> futures;
    for (int i = 0; i < calls; ++i) futures.push_back(client.get_async("/v1/models"));
    for (auto& future : futures) EXPECT_TRUE(future.get().contains("data"));
  };
  const auto broken_streams = [&](int streams) {
    std::vector<Future<void>> futures;
    for (int i = 0; i < streams; ++i) {
      futures.push_back(client.completions.stream_async(
          completion("a b c d e"), [](const SSEEvent&) {}, stream_mode("cut-after=2")));
    }
    for (auto& future : futures) EXPECT_THROW(future.get(), APIConnectionError);
  };
  // Waves, so that what is measured is what stays behind, not 10,000 answers held at once.
  const auto waves = [&] {
    for (int wave = 0; wave < 10; ++wave) batch(1000);
    for (int wave = 0; wave < 4; ++wave) broken_streams(250);
  };
  // Warm: the first round brings the connection cache, the idle handles and the allocator to
  // their working size (about +7 MiB here); a second round must then add nothing.
  waves();
  const std::size_t fds = open_fds();
  const std::size_t rss = resident_kib();
  waves();
  // Connections are cached, not leaked: a few more or fewer may be open, never one per call.
  EXPECT_LE(open_fds(), fds + 32);
  // Nothing is held per finished call: 11,000 more of them must not grow the process by 2 MiB.
  // Under ASan and TSan the allocator's quarantine and shadow memory make RSS meaningless; there
  // LeakSanitizer and the dev and release runs do this part.
  if (!kSanitizedBuild) {
    EXPECT_LE(resident_kib(), rss + 2 * 1024) << "RSS before the round " << rss << " KiB";
  }
}

}  // namespace
}  // namespace babyapi
