// A batch: one embeddings request per chunk of texts, at most 8 in flight, results in input
// order. A failed item has its own error and never stops the others.
#include <babyapi/babyapi.hpp>

#include <iostream>
#include <string>
#include <vector>

int main() {
  babyapi::Client client;

  std::vector<babyapi::Json> requests;
  for (int chunk = 0; chunk < 40; ++chunk) {
    babyapi::Json texts = babyapi::Json::array();
    for (int i = 0; i < 5; ++i) texts.push_back("passage " + std::to_string(chunk * 5 + i));
    requests.push_back({{"model", "qwen3-embedding"}, {"input", texts}});
  }

  babyapi::BatchOptions options;
  options.max_in_flight = 8;
  options.on_progress = [](std::size_t done, std::size_t total) {
    if (done == total) std::cerr << "embedded " << done << "/" << total << " requests\n";
  };
  std::vector<babyapi::Result<babyapi::Response>> results =
      client.embeddings.create_many(std::move(requests), options);

  std::size_t vectors = 0, failed = 0;
  for (const auto& result : results) {
    if (!result.ok()) {
      ++failed;
      continue;
    }
    vectors += result.value()["data"].size();
  }
  const std::size_t dims = results.front().value()["data"][0]["embedding"].size();
  std::cout << vectors << " vectors of " << dims << " dimensions, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
