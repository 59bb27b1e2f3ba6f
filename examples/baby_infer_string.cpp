// client.baby.infer with a bare prompt string and the default model.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::ClientOptions options;
  options.default_model = "mistral";
  babyapi::Client client(options);

  babyapi::Response out = client.baby.infer("Explain BabyAPI in one sentence.");
  std::cout << out["output"].get<std::string>() << "\n";
}
