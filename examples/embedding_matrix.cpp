// Many vectors at once: one contiguous matrix of floats, decoded from base64 with no JSON tree.
#include <babyapi/babyapi.hpp>

#include <iostream>
#include <string>
#include <vector>

int main() {
  babyapi::Client client;
  std::vector<std::string> passages;
  for (int i = 0; i < 64; ++i) passages.push_back("passage " + std::to_string(i));

  babyapi::EmbeddingMatrix matrix = client.embeddings.create_matrix({
      {"model", "qwen3-embedding"},
      {"input", passages},
  });
  std::cout << matrix.rows() << " x " << matrix.dim() << " floats, "
            << matrix.usage()["total_tokens"].get<int>() << " tokens\n";
  babyapi::EmbeddingRow first = matrix.row(0);
  float dot = 0;
  for (std::size_t i = 0; i < first.size(); ++i) dot += first[i] * matrix.row(1)[i];
  std::cout << "row 0 . row 1 = " << dot << "\n";
  // matrix.data() is rows() * dim() floats, row-major: hand it to a vector index as it is.
  const std::vector<float>& all = matrix.data();
  std::cout << "contiguous: " << (all.size() == matrix.rows() * matrix.dim()) << "\n";
}
