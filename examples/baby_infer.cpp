// client.baby.infer with a JSON object: text in, text out (POST /infer).
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::ClientOptions options;
  options.default_model = "mistral";  // so baby.infer(...) works without naming a model
  babyapi::Client client(options);    // api_key from BABYAPI_API_KEY

  babyapi::Response out = client.baby.infer({
      {"prompt", "Write a 1-line release note title for BabyAPI."},
      {"maxTokens", 40},
      {"temperature", 0.5},
  });

  std::cout << out["output"].get<std::string>() << "\n";
  std::cout << out.get("usage").dump() << "\n";
}
