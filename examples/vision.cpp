// Vision: OpenAI-style content parts, with an image URL and with a local file as a data: URL.
// Usage: vision [image.png]
#include <babyapi/babyapi.hpp>

#include <iostream>

int main(int argc, char** argv) {
  babyapi::Client client;

  babyapi::Response res = client.chat.completions.create({
      {"model", "pixtral"},
      {"messages",
       {{{"role", "user"},
         {"content",
          {{{"type", "text"},
            {"text", "Describe the image in 2 sentences. Then list 3 objects you see."}},
           {{"type", "image_url"},
            {"image_url", {{"url", "https://api.babyapi.org/images/banner.png"}}}}}}}}},
  });
  std::cout << res["choices"][0]["message"]["content"].get<std::string>() << "\n";

  if (argc > 1) {
    // A local PNG, JPEG, WebP or GIF travels inline as a data: URL.
    babyapi::Response local = client.chat.completions.create({
        {"model", "pixtral"},
        {"messages",
         {{{"role", "user"},
           {"content",
            {{{"type", "text"}, {"text", "What is in this picture?"}},
             {{"type", "image_url"},
              {"image_url", {{"url", babyapi::image_data_url(argv[1])}}}}}}}}},
    });
    std::cout << local["choices"][0]["message"]["content"].get<std::string>() << "\n";
  }
}
