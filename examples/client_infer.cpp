// client.infer routes by payload: "messages" → chat completions, "prompt" → completions.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response chat_res = client.infer({
      {"model", "mistral"},
      {"messages", {{{"role", "user"}, {"content", "One-line slogan for BabyAPI?"}}}},
  });
  std::cout << chat_res["choices"][0]["message"]["content"].get<std::string>() << "\n";

  babyapi::Response comp_res = client.infer({
      {"model", "mistral"},
      {"prompt", "Give 3 product names for a tiny LLM SDK."},
      {"max_tokens", 60},
  });
  std::cout << comp_res["choices"][0]["text"].get<std::string>() << "\n";
}
