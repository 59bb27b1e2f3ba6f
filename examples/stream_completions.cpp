// Streaming completions: event.text() is choices[0].text; event.data() is the whole parsed chunk.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  for (const babyapi::SSEEvent& event : client.completions.stream({
           {"model", "mistral"},
           {"prompt", "List 5 calm API-building tips."},
       })) {
    if (event.done()) break;

    const std::optional<babyapi::Json>& data = event.data();  // parsed on first use
    if (data && data->contains("choices")) {
      std::cout << (*data)["choices"][0].value("text", "") << std::flush;
    }
  }
  std::cout << "\n";
}
