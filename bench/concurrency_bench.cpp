// Concurrency figures against one loopback babyapi-emulator, measured side by side in one run:
//   (a) 2,000 chat requests, 256 in flight: create_many next to a hand-written curl_multi loop
//       doing the same JSON work (build each body, parse each answer, read its content);
//   (b) the same 2,000 with 16 threads sharing one Client and making blocking calls;
//   (c) 1,000 concurrent streams of 200 events on one Client: threads, RSS per open stream and
//       CPU per event;
//   (d) cancellation latency: cancel() to the exception, and to the server seeing the close;
//   (e) 2,000 embeddings requests: create_many next to the best of several thread pools over
//       the blocking API.
// Absolute times here are noise (2 shared cores); the ratios are the figures. Never a test.
//
//   concurrency_bench [rounds]   (default 3; each figure is the best round)
#include <curl/curl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <dirent.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "babyapi/babyapi.hpp"
#include "emulator_process.hpp"

namespace {

using babyapi::Json;
using Clock = std::chrono::steady_clock;

constexpr int kRequests = 2000;
constexpr int kInFlight = 256;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t count_dir(const char* path) {
  std::size_t count = 0;
  if (DIR* dir = ::opendir(path)) {
    while (const dirent* entry = ::readdir(dir)) count += entry->d_name[0] != '.';
    ::closedir(dir);
  }
  return count;
}

long resident_kib() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  unsigned long pages = 0, resident = 0;
  if (file == nullptr) return 0;
  const int got = std::fscanf(file, "%lu %lu", &pages, &resident);
  std::fclose(file);
  return got == 2 ? static_cast<long>(resident * (::sysconf(_SC_PAGESIZE) / 1024)) : 0;
}

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

Json chat_body(int i) {
  return {{"model", "mistral"},
          {"messages", {{{"role", "user"}, {"content", "question number " + std::to_string(i)}}}},
          {"max_tokens", 16}};
}

// The dimensions (e) asks for: 1,024 as real embedding models answer, and the emulator's toy 16,
// where per-request overhead is all there is.
int g_dimensions = 1024;

Json embedding_body(int i) {
  return {{"model", "qwen3-embedding"},
          {"input", Json::array({"passage " + std::to_string(i), "another " + std::to_string(i)})},
          {"dimensions", g_dimensions}};
}

// --- The hand-written curl_multi program ---------------------------------------------------------

struct RawSlot {
  CURL* easy = nullptr;
  std::string body;
  std::string answer;
  int index = -1;
};

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// kRequests POSTs with at most in_flight at once on one CURLM; each body built and each answer
// parsed with nlohmann, as an application would. Returns the number of answers read.
int raw_multi(const std::string& url, const std::function<Json(int)>& make_body,
              const char* content_path) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(kInFlight));
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(kInFlight));
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(
      headers, (std::string("Authorization: Bearer ") + babyapi::testing::kTestApiKey).c_str());
  headers = curl_slist_append(headers, "Expect:");
  std::vector<RawSlot> slots(kInFlight);
  std::vector<RawSlot*> idle;
  for (auto& slot : slots) {
    slot.easy = curl_easy_init();
    curl_easy_setopt(slot.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(slot.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(slot.easy, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(slot.easy, CURLOPT_WRITEDATA, &slot.answer);
    curl_easy_setopt(slot.easy, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
    curl_easy_setopt(slot.easy, CURLOPT_PRIVATE, &slot);
    idle.push_back(&slot);
  }
  int next = 0, answered = 0;
  const auto start_one = [&] {
    RawSlot* slot = idle.back();
    idle.pop_back();
    slot->index = next++;
    slot->body = make_body(slot->index).dump();
    slot->answer.clear();
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDS, slot->body.c_str());
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(slot->body.size()));
    curl_multi_add_handle(multi, slot->easy);
  };
  while (next < kRequests && !idle.empty()) start_one();
  int finished = 0;
  while (finished < kRequests) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      RawSlot* slot = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&slot));
      curl_multi_remove_handle(multi, slot->easy);
      ++finished;
      const Json answer = Json::parse(slot->answer, nullptr, false);
      const Json::json_pointer content(content_path);
      if (!answer.is_discarded() && answer.contains(content) && !answer.at(content).empty())
        ++answered;
      idle.push_back(slot);
      if (next < kRequests) start_one();
    }
    if (finished < kRequests) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  for (auto& slot : slots) curl_easy_cleanup(slot.easy);
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  return answered;
}

// --- SDK runs
// -------------------------------------------------------------------------------------

int sdk_many(const babyapi::Client& client, bool chat, std::size_t in_flight) {
  std::vector<Json> params;
  params.reserve(kRequests);
  for (int i = 0; i < kRequests; ++i) params.push_back(chat ? chat_body(i) : embedding_body(i));
  babyapi::BatchOptions options;
  options.max_in_flight = in_flight;
  const auto results = chat ? client.chat.completions.create_many(std::move(params), options)
                            : client.embeddings.create_many(std::move(params), options);
  int answered = 0;
  for (const auto& result : results) {
    if (!result.ok()) continue;
    const babyapi::Response& res = result.value();
    answered += chat ? !res["choices"][0]["message"]["content"].get<std::string>().empty()
                     : !res["data"][0]["embedding"].empty();
  }
  return answered;
}

int sdk_threads(const babyapi::Client& client, bool chat, int threads) {
  std::atomic<int> next{0}, answered{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < kRequests; i = next++) {
        try {
          if (chat) {
            const babyapi::Response res = client.chat.completions.create(chat_body(i));
            answered += !res["choices"][0]["message"]["content"].get<std::string>().empty();
          } else {
            const babyapi::Response res = client.embeddings.create(embedding_body(i));
            answered += !res["data"][0]["embedding"].empty();
          }
        } catch (const babyapi::BabyAPIError&) {
        }
      }
    });
  }
  for (auto& thread : pool) thread.join();
  return answered;
}

double timed(const std::function<int()>& run, const char* what) {
  const double cpu = cpu_seconds();
  const auto start = Clock::now();
  const int answered = run();
  const double took = seconds_since(start);
  if (std::getenv("BENCH_VERBOSE"))
    std::fprintf(stderr, "  %s: %.3f s, %.1f us CPU per request\n", what, took,
                 (cpu_seconds() - cpu) * 1e6 / kRequests);
  if (answered != kRequests) std::fprintf(stderr, "%s: only %d answers\n", what, answered);
  return took;
}

// --- (c) Streams
// ----------------------------------------------------------------------------------

void streams_figure(const babyapi::testing::EmulatorProcess& emulator) {
  constexpr int kStreams = 1000, kEvents = 200, kHoldAt = 100;
  babyapi::ClientOptions options = emulator.client_options();
  options.max_connections = kStreams;
  babyapi::Client client(options);
  client.get_async("/v1/models").get();  // the engine is running and warm
  const std::size_t threads_before = count_dir("/proc/self/task");
  const long rss_before = resident_kib();
  const double cpu_before = cpu_seconds();
  const auto start = Clock::now();

  std::mutex mutex;
  std::condition_variable all_held;
  std::atomic<long> events{0};
  babyapi::RequestOptions request;
  request.headers["x-emulator-stream"] = "tokens=" + std::to_string(kEvents) +
                                         ";hold-after=" + std::to_string(kHoldAt) +
                                         ";key=bench-streams";
  std::vector<babyapi::Future<void>> streams;
  for (int i = 0; i < kStreams; ++i) {
    streams.push_back(client.completions.stream_async(
        {{"model", "mistral"}, {"prompt", "stream " + std::to_string(i)}, {"max_tokens", kEvents}},
        [&](const babyapi::SSEEvent&) {
          if (++events == long{kStreams} * kHoldAt) {
            std::lock_guard<std::mutex> lock(mutex);
            all_held.notify_all();
          }
        },
        request));
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    // A stream that ended early (an error) never reaches the hold: stop waiting for it then.
    while (!all_held.wait_for(lock, std::chrono::milliseconds(200),
                              [&] { return events.load() >= long{kStreams} * kHoldAt; })) {
      if (std::any_of(streams.begin(), streams.end(), [](auto& f) { return f.ready(); })) break;
    }
  }
  const std::size_t threads_open = count_dir("/proc/self/task");
  const long rss_open = resident_kib();
  client.post("/_emulator/release/bench-streams", Json::object());
  int failed = 0;
  for (auto& stream : streams) {
    try {
      stream.get();
    } catch (const babyapi::BabyAPIError& error) {
      if (++failed == 1) std::fprintf(stderr, "stream failed: %s\n", error.what());
    }
  }
  const double took = seconds_since(start);
  const double cpu = cpu_seconds() - cpu_before;
  std::printf(
      "(c) %d streams x %d events on one Client: %zu threads while all open (%zu before: main "
      "and this Client's engine), RSS +%.1f KiB per open stream, %.2f us CPU per event (%ld "
      "events, "
      "%.2f s, %d failed)\n",
      kStreams, kEvents, threads_open, threads_before,
      static_cast<double>(rss_open - rss_before) / kStreams, cpu * 1e6 / events.load(),
      events.load(), took, failed);
}

// --- (d) Cancellation
// -----------------------------------------------------------------------------

void cancel_figure(const babyapi::testing::EmulatorProcess& emulator) {
  babyapi::Client client(emulator.client_options());
  constexpr int kTries = 20;
  std::vector<double> to_error, to_server;
  for (int i = 0; i < kTries; ++i) {
    const std::string key = "bench-cancel-" + std::to_string(i);
    babyapi::RequestOptions request;
    request.headers["x-emulator-stream"] = "tokens=50;hold-after=1;key=" + key;
    std::mutex mutex;
    std::condition_variable first;
    bool seen = false;
    babyapi::Future<void> stream = client.completions.stream_async(
        {{"model", "mistral"}, {"prompt", "cancel me"}, {"max_tokens", 50}},
        [&](const babyapi::SSEEvent&) {
          std::lock_guard<std::mutex> lock(mutex);
          seen = true;
          first.notify_all();
        },
        request);
    {
      std::unique_lock<std::mutex> lock(mutex);
      first.wait(lock, [&] { return seen; });
    }
    const auto start = Clock::now();
    stream.cancel();
    try {
      stream.get();
    } catch (const babyapi::APIUserAbortError&) {
    }
    to_error.push_back(seconds_since(start) * 1e6);
    // The emulator notices a closed peer within its own 20 ms check; this answers once it did.
    client.get("/_emulator/streams/" + key + "?wait_ms=60000");
    to_server.push_back(seconds_since(start) * 1e3);
  }
  std::sort(to_error.begin(), to_error.end());
  std::sort(to_server.begin(), to_server.end());
  std::printf(
      "(d) cancel(): median %.0f us to APIUserAbortError (max %.0f); median %.1f ms until the "
      "server reports the connection closed (its own check runs every 20 ms)\n",
      to_error[kTries / 2], to_error.back(), to_server[kTries / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure shows as soon as it is measured
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;  // 1,000 streams need 1,000 sockets (the emulator inherits)
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  babyapi::testing::EmulatorProcess emulator;
  {  // this Client (and its engine thread) ends before (c) counts threads
    babyapi::ClientOptions options = emulator.client_options();
    options.max_connections = kInFlight;
    const babyapi::Client client(options);
    const std::string chat_url = emulator.base_url() + "/v1/chat/completions";
    const std::string embed_url = emulator.base_url() + "/v1/embeddings";

    // Warm both paths once: connections opened, allocator grown.
    raw_multi(chat_url, chat_body, "/choices/0/message/content");
    sdk_many(client, true, kInFlight);

    double raw = 1e300, many = 1e300, threads = 1e300;
    for (int i = 0; i < rounds; ++i) {  // interleaved, so drift hits each side alike
      raw = std::min(
          raw, timed([&] { return raw_multi(chat_url, chat_body, "/choices/0/message/content"); },
                     "raw"));
      many = std::min(many, timed([&] { return sdk_many(client, true, kInFlight); }, "many"));
      threads = std::min(threads, timed([&] { return sdk_threads(client, true, 16); }, "threads"));
    }
    std::printf(
        "(a) %d chat requests, %d in flight: create_many %.0f req/s, hand-written curl_multi "
        "%.0f req/s: %.2fx its throughput\n",
        kRequests, kInFlight, kRequests / many, kRequests / raw, raw / many);
    std::printf(
        "(b) the same with 16 threads making blocking calls on one Client: %.0f req/s, "
        "%.2fx curl_multi, %.2fx create_many\n",
        kRequests / threads, raw / threads, many / threads);

    // (e) embeddings: create_many against the best thread pool over the blocking API, every
    // configuration once per round, rounds interleaved.
    for (const int dimensions : {1024, 16}) {
      g_dimensions = dimensions;
      const std::vector<int> pools = {4, 8, 16, 32, 64};
      const std::vector<std::size_t> in_flights = {4, 8, 16, 32, 64};
      std::vector<double> pool_best(pools.size(), 1e300), many_best(in_flights.size(), 1e300);
      for (int round = 0; round < rounds; ++round) {
        for (std::size_t k = 0; k < pools.size(); ++k) {
          pool_best[k] = std::min(
              pool_best[k], timed([&] { return sdk_threads(client, false, pools[k]); }, "pool"));
          many_best[k] = std::min(
              many_best[k], timed([&] { return sdk_many(client, false, in_flights[k]); }, "many"));
        }
      }
      const std::size_t p =
          std::min_element(pool_best.begin(), pool_best.end()) - pool_best.begin();
      const std::size_t m =
          std::min_element(many_best.begin(), many_best.end()) - many_best.begin();
      std::printf(
          "(e) %d embeddings requests of 2 x %d dims: create_many (max_in_flight %zu) %.0f req/s, "
          "best thread pool over create() (%d threads) %.0f req/s: %.2fx\n",
          kRequests, dimensions, in_flights[m], kRequests / many_best[m], pools[p],
          kRequests / pool_best[p], pool_best[p] / many_best[m]);
    }
  }

  streams_figure(emulator);
  cancel_figure(emulator);
  curl_global_cleanup();
}
