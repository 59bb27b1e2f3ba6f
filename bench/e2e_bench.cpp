// End to end over loopback against babyapi-emulator: the SDK next to raw libcurl doing the same
// exchange, in one run, so the ratio shows what the SDK's layers cost. Prints figures; never a
// test.
#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "babyapi/babyapi.hpp"
#include "emulator_process.hpp"

namespace {

using babyapi::testing::EmulatorProcess;

EmulatorProcess& emulator() {
  static EmulatorProcess process;
  return process;
}

const std::string kCompletion = R"({"model":"mistral","prompt":"ping","max_tokens":8})";
const std::string kStream = R"({"model":"mistral","prompt":"stream me","stream":true})";
constexpr const char* kStreamMode = "x-emulator-stream: tokens=2000";

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct Curl {
  Curl() : handle(curl_easy_init()) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(
        headers, (std::string("Authorization: Bearer ") + babyapi::testing::kTestApiKey).c_str());
    headers = curl_slist_append(headers, "Expect:");
  }
  ~Curl() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(handle);
  }
  // One POST on the reused handle; returns the body.
  std::string post(const std::string& path, const std::string& body, curl_slist* extra = nullptr) {
    std::string out;
    curl_easy_setopt(handle, CURLOPT_URL, (emulator().base_url() + path).c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, extra ? extra : headers);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");  // as the SDK asks
    if (curl_easy_perform(handle) != CURLE_OK) out.clear();
    return out;
  }
  CURL* handle;
  curl_slist* headers = nullptr;
};

void BM_RawCurlCompletion(benchmark::State& state) {
  Curl curl;
  for (auto _ : state) {
    const std::string body = curl.post("/v1/completions", kCompletion);
    if (body.empty()) state.SkipWithError("request failed");
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SdkCompletion(benchmark::State& state) {
  babyapi::Client client(emulator().client_options());
  const babyapi::Json params = babyapi::Json::parse(kCompletion);
  for (auto _ : state) {
    babyapi::Response res = client.completions.create(params);
    benchmark::DoNotOptimize(res["choices"][0]["text"]);
  }
  state.SetItemsProcessed(state.iterations());
}

// The two loops above run one after the other, so load that changes between them moves the ratio.
// Here each iteration makes a block of raw calls and a block of SDK calls, in alternating order,
// and the counters give the mean wall time of each and their throughput ratio (total raw time /
// total SDK time: 1.0 means the SDK costs nothing). A third block parses each raw answer with
// nlohmann, the least a hand-written client does to read it (sdk_vs_parsed). This is the figure the
// README quotes; run it pinned to one core (taskset -c 1) so that the emulator and the client share
// it and the wall time is the work done, not the scheduler's choice of which core wakes up.
void BM_AlternatingCompletion(benchmark::State& state) {
  constexpr int kBlock = 200;
  Curl curl;
  babyapi::Client client(emulator().client_options());
  const babyapi::Json params = babyapi::Json::parse(kCompletion);
  double raw_total = 0;
  double parsed_total = 0;  // raw, then nlohmann::json::parse of the body, as a user of raw must
  double sdk_total = 0;
  std::int64_t calls = 0;
  const auto timed_block = [](auto&& call) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kBlock; ++i) call();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
        .count();
  };
  const auto raw_call = [&] {
    const std::string body = curl.post("/v1/completions", kCompletion);
    if (body.empty()) state.SkipWithError("request failed");
    benchmark::DoNotOptimize(body);
  };
  const auto parsed_call = [&] {
    const babyapi::Json answer = babyapi::Json::parse(curl.post("/v1/completions", kCompletion));
    benchmark::DoNotOptimize(answer.at("choices").at(0).at("text"));
  };
  const auto sdk_call = [&] {
    babyapi::Response res = client.completions.create(params);
    benchmark::DoNotOptimize(res["choices"][0]["text"]);
  };
  bool raw_first = true;
  for (auto _ : state) {
    if (raw_first) {
      raw_total += timed_block(raw_call);
      parsed_total += timed_block(parsed_call);
      sdk_total += timed_block(sdk_call);
    } else {
      sdk_total += timed_block(sdk_call);
      parsed_total += timed_block(parsed_call);
      raw_total += timed_block(raw_call);
    }
    raw_first = !raw_first;
    calls += kBlock;
  }
  state.counters["raw_us"] = raw_total / static_cast<double>(calls);
  state.counters["sdk_us"] = sdk_total / static_cast<double>(calls);
  state.counters["parsed_us"] = parsed_total / static_cast<double>(calls);
  state.counters["sdk_vs_raw"] = raw_total / sdk_total;
  state.counters["sdk_vs_parsed"] = parsed_total / sdk_total;
}

// A 2,000-token stream: raw libcurl only collects the bytes; the SDK also frames every event and
// extracts its text, which is what a user's loop does.
void BM_RawCurlStream(benchmark::State& state) {
  Curl curl;
  curl_slist* headers = nullptr;
  for (curl_slist* h = curl.headers; h; h = h->next) headers = curl_slist_append(headers, h->data);
  headers = curl_slist_append(headers, kStreamMode);
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string body = curl.post("/v1/completions", kStream, headers);
    if (body.empty()) state.SkipWithError("request failed");
    bytes += body.size();
  }
  curl_slist_free_all(headers);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}

void BM_SdkStream(benchmark::State& state) {
  babyapi::Client client(emulator().client_options());
  babyapi::RequestOptions options;
  options.headers = {{"x-emulator-stream", "tokens=2000"}};
  const babyapi::Json params = babyapi::Json::parse(kStream);
  size_t bytes = 0;
  for (auto _ : state) {
    size_t text = 0;
    for (const babyapi::SSEEvent& event : client.completions.stream(params, options)) {
      bytes += event.raw().size();
      text += event.text().size();
    }
    if (text == 0) state.SkipWithError("no text streamed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RawCurlCompletion)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_SdkCompletion)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_AlternatingCompletion)->Unit(benchmark::kMicrosecond)->MinTime(3.0);
BENCHMARK(BM_RawCurlStream)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_SdkStream)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
