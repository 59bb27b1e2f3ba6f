// OpenAI-compatible text completions.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response res = client.completions.create({
      {"model", "mistral"},
      {"prompt", "Write a friendly release note opener for BabyAPI."},
      {"max_tokens", 120},
      {"temperature", 0.7},
  });

  std::cout << res["choices"][0]["text"].get<std::string>() << "\n";
}
