// client.baby.infer with option aliases nested under "options"; the SDK sends them in snake_case.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response out = client.baby.infer({
      {"model", "mistral"},
      {"prompt", "Give 3 calm API principles."},
      {"options", {{"topP", 0.9}, {"max_tokens", 80}}},
  });
  std::cout << out["output"].get<std::string>() << "\n";
}
