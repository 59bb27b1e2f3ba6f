// Embeddings for one text; decode_embedding reads the vector whatever the encoding_format.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response res = client.embeddings.create({
      {"model", "qwen3-embedding"},
      {"input", "BabyAPI makes LLMs easy."},
  });

  std::vector<float> vector = babyapi::decode_embedding(res["data"][0]);
  std::cout << "first 5 dimensions:";
  for (size_t i = 0; i < 5 && i < vector.size(); ++i) std::cout << " " << vector[i];
  std::cout << "\n" << res["usage"].dump() << "\n";
}
