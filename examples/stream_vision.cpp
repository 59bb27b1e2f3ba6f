// Streaming with vision content parts.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  for (const babyapi::SSEEvent& event : client.chat.completions.stream({
           {"model", "pixtral"},
           {"messages",
            {{{"role", "user"},
              {"content",
               {{{"type", "text"}, {"text", "What is this image trying to communicate?"}},
                {{"type", "image_url"},
                 {"image_url", {{"url", "https://api.babyapi.org/images/banner.png"}}}}}}}}},
       })) {
    if (event.done()) break;
    std::cout << event.text() << std::flush;
  }
  std::cout << "\n";
}
