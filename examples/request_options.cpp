// Per-call overrides: timeout, retries and headers for one request.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response res = client.chat.completions.create(
      {{"model", "mistral"}, {"messages", {{{"role", "user"}, {"content", "Hello."}}}}},
      babyapi::RequestOptions{std::chrono::seconds(30), 0, {{"x-trace", "abc123"}}});
  std::cout << res["choices"][0]["message"]["content"].get<std::string>() << "\n";

  // Or set only the fields you need.
  babyapi::RequestOptions options;
  options.timeout = std::chrono::seconds(10);
  options.headers = {{"x-app", "demo"}};
  babyapi::Response again = client.chat.completions.create(
      {{"model", "mistral"}, {"messages", {{{"role", "user"}, {"content", "Hi again."}}}}},
      options);
  std::cout << again["choices"][0]["message"]["content"].get<std::string>() << "\n";
}
