// Rerank documents against a query; results come most relevant first.
#include <babyapi/babyapi.hpp>

#include <cstdio>

int main() {
  babyapi::Client client;

  babyapi::Response res = client.rerank.create({
      {"model", "qwen3-reranker"},
      {"query", "What is BabyAPI?"},
      {"documents",
       {"BabyAPI is a tiny hosted LLM API.", "The weather is nice today.",
        "BabyAPI supports OpenAI-compatible endpoints."}},
  });

  for (const babyapi::Json& result : res["results"]) {
    std::printf("Index %d: relevance_score=%.4f\n", result["index"].get<int>(),
                result["relevance_score"].get<double>());
  }
}
