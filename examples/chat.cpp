// OpenAI-compatible chat completions.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response res = client.chat.completions.create({
      {"model", "mixtral"},
      {"messages",
       {
           {{"role", "system"}, {"content", "You are concise."}},
           {{"role", "user"}, {"content", "Give me 3 tagline ideas for a tiny LLM API."}},
       }},
      {"temperature", 0.7},
  });

  std::cout << res["choices"][0]["message"]["content"].get<std::string>() << "\n";
}
