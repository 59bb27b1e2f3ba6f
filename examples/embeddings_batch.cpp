// Embeddings for several texts in one call.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response res = client.embeddings.create({
      {"model", "qwen3-embedding"},
      {"input", {"First document to embed.", "Second document to embed."}},
  });

  for (const babyapi::Json& item : res["data"]) {
    std::cout << "Index " << item["index"] << ": " << item["embedding"].size() << " dimensions\n";
  }
}
