// Beyond the Python SDK: the models list, and raw calls for endpoints the SDK does not wrap.
#include <babyapi/babyapi.hpp>

#include <fstream>
#include <iostream>

int main() {
  babyapi::Client client;

  for (const babyapi::Json& model : client.models.list()["data"]) {
    std::cout << model["id"].get<std::string>() << "\n";
  }
  std::cout << client.models.retrieve("mistral")["owned_by"].get<std::string>() << "\n";

  // Any GET or POST with the same auth, retries and errors.
  std::cout << client.get("/health")["status"].get<std::string>() << "\n";

  // A binary answer keeps its exact bytes.
  babyapi::Response speech = client.post("/v1/tts", {{"input", "Hello from BabyAPI"}});
  std::ofstream("speech.wav", std::ios::binary) << speech.text();
  std::cout << speech.header("content-type") << ", " << speech.text().size() << " bytes\n";
}
