// Asynchronous calls: futures from create_async, a continuation with then(), and a stream whose
// events arrive on the Client's engine thread. All of it runs on that one thread.
#include <babyapi/babyapi.hpp>

#include <future>
#include <iostream>
#include <string>
#include <vector>

int main() {
  babyapi::Client client;

  // Three questions in flight at once; get() waits for each answer (or rethrows its error).
  std::vector<babyapi::Future<babyapi::Response>> answers;
  for (const char* question :
       {"Name a calm colour.", "Name a calm animal.", "Name a calm sound."}) {
    answers.push_back(client.chat.completions.create_async({
        {"model", "mistral"},
        {"messages", {{{"role", "user"}, {"content", question}}}},
    }));
  }
  for (auto& answer : answers) {
    babyapi::Response res = answer.get();
    std::cout << "answer: " << res["choices"][0]["message"]["content"].get<std::string>() << "\n";
  }

  // then() hands the result to a callback on the engine thread: it must be quick and not block.
  // Here it passes the text on through a std::promise.
  std::promise<std::string> infer_text;
  client.baby.infer_async({{"model", "mistral"}, {"prompt", "Say hello asynchronously"}})
      .then([&infer_text](babyapi::Result<babyapi::Response> result) {
        infer_text.set_value(result.ok() ? result.value()["output"].get<std::string>()
                                         : std::string("(failed)"));
      });
  std::cout << "infer: " << infer_text.get_future().get() << "\n";

  // A stream on the engine: on_event runs for each event, in order; the Future ends with it.
  std::string text;
  client.chat.completions
      .stream_async(
          {
              {"model", "mistral"},
              {"messages", {{{"role", "user"}, {"content", "Stream a haiku about queues."}}}},
          },
          [&text](const babyapi::SSEEvent& event) {
            if (!event.done()) text += event.text();  // only the engine thread touches text
          })
      .get();
  std::cout << "streamed: " << text << "\n";
}
