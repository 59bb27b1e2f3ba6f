// Per-call overrides: timeout, retries and headers for one request; or a view of the Client with
// other defaults for a group of calls.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response res = client.chat.completions.create(
      {{"model", "mistral"}, {"messages", {{{"role", "user"}, {"content", "Hello."}}}}},
      babyapi::RequestOptions{}
          .with_timeout(std::chrono::seconds(30))
          .with_max_retries(0)
          .with_header("x-trace", "abc123"));
  std::cout << res["choices"][0]["message"]["content"].get<std::string>() << "\n";

  // A view with its own defaults, sharing the client's connections and engine.
  babyapi::Client quick = client.with_options(babyapi::RequestOptions{}
                                                  .with_timeout(std::chrono::seconds(10))
                                                  .with_header("x-app", "demo"));
  babyapi::Response again = quick.chat.completions.create(
      {{"model", "mistral"}, {"messages", {{{"role", "user"}, {"content", "Hi again."}}}}});
  std::cout << again["choices"][0]["message"]["content"].get<std::string>() << "\n";
}
