// A downstream program: includes the umbrella header, builds a client and checks that a missing
// key is reported as the documented error. Needs no server.
#include <babyapi/babyapi.hpp>

#include <cstdlib>
#include <iostream>

int main() {
  if (std::string(babyapi::version()) != BABYAPI_VERSION_STRING) return 1;
  ::unsetenv("BABYAPI_API_KEY");
  ::unsetenv("BABY_API_KEY");
  try {
    babyapi::Client client;
    std::cerr << "a client without a key was created\n";
    return 1;
  } catch (const babyapi::BabyAPIError& error) {
    if (std::string(error.what()).find("BABYAPI_API_KEY") == std::string::npos) return 1;
  }
  babyapi::ClientOptions options;
  options.api_key = "sk-consumer";
  options.base_url = "http://127.0.0.1:1";
  babyapi::Client client(options);
  const babyapi::Json body = {{"model", "mistral"}, {"prompt", "hi"}};
  std::cout << "babyapi-cpp " << babyapi::version() << " ok (" << body.dump() << ")\n";
  return 0;
}
