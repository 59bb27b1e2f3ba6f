// Streaming chat: events arrive as the model writes; event.text() is the delta's content.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  for (const babyapi::SSEEvent& event : client.chat.completions.stream({
           {"model", "mistral"},
           {"messages", {{{"role", "user"}, {"content", "Write a short poem about servers."}}}},
       })) {
    if (event.done()) break;
    std::cout << event.text() << std::flush;
  }
  std::cout << "\n";
}
