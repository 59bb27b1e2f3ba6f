// Docling chunking for RAG: hybrid from a URL, hierarchical from a file.
// Usage: docling_chunk handbook.md
#include <babyapi/babyapi.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: docling_chunk FILE\n";
    return 2;
  }
  babyapi::Client client;

  // Hybrid chunking from a URL
  babyapi::Response hybrid = client.docling.chunk.hybrid_source({
      {"sources", {{{"kind", "http"}, {"url", "https://arxiv.org/pdf/2408.09869"}}}},
  });
  std::cout << "hybrid: " << hybrid["chunks"].size() << " chunks\n";

  // Hierarchical chunking from a file
  babyapi::Response chunks = client.docling.chunk.hierarchical_file(argv[1]);
  for (const babyapi::Json& chunk : chunks["chunks"]) {
    std::cout << "- " << chunk["text"].get<std::string>() << "\n";
  }
}
