// Quick start: one chat completion. Reads BABYAPI_API_KEY and BABYAPI_BASE_URL from the
// environment.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  try {
    babyapi::Client client;

    babyapi::Response res = client.chat.completions.create({
        {"model", "mistral"},
        {"messages", {{{"role", "user"}, {"content", "Say hello to BabyAPI."}}}},
    });

    std::cout << res["choices"][0]["message"]["content"].get<std::string>() << "\n";
    std::cout << "request id: " << res.request_id() << "\n";
  } catch (const babyapi::BabyAPIError& err) {
    std::cerr << "BabyAPI error: " << err.what() << "\n";
    return 1;
  }
}
