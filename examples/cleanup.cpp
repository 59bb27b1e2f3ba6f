// Cleanup: a Client releases its connections when it goes out of scope (RAII), or at close().
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  {
    babyapi::Client client;
    babyapi::Response res = client.completions.create({{"model", "mistral"}, {"prompt", "Ping"}});
    std::cout << res["choices"][0]["text"].get<std::string>() << "\n";
  }  // connections closed here

  babyapi::Client client;
  client.close();  // or explicitly; later calls on this client throw BabyAPIError
}
