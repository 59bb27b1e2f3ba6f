// Ctrl-C stops a stream, even one that has stalled: a thread waits for SIGINT with sigwait() and
// cancels the request's token, and the streaming loop ends with APIUserAbortError at once. The
// connection is closed, so the server stops generating.
//
// A signal handler cannot call cancel() (it takes a lock); a thread that receives the signal
// synchronously can. The signal is blocked before any other thread starts, so only that thread
// ever sees it.
//
// Options, for trying it without a keyboard: --interrupt-after N sends this process SIGINT once N
// tokens have printed; --header NAME:VALUE adds a request header.
#include <babyapi/babyapi.hpp>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  int interrupt_after = -1;
  babyapi::RequestOptions request_options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--interrupt-after") {
      interrupt_after = std::atoi(value.c_str());
    } else if (flag == "--header" && value.find(':') != std::string::npos) {
      request_options.headers[value.substr(0, value.find(':'))] = value.substr(value.find(':') + 1);
    } else {
      std::cerr << "usage: cancel [--interrupt-after N] [--header NAME:VALUE]\n";
      return 2;
    }
  }

  // Block SIGINT here, before any thread exists: every thread started later inherits the mask.
  sigset_t interrupt;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  pthread_sigmask(SIG_BLOCK, &interrupt, nullptr);

  babyapi::CancelToken token;
  request_options.cancel = token;
  std::thread watcher([&interrupt, token] {
    int signal_number = 0;
    sigwait(&interrupt, &signal_number);
    token.cancel();
  });

  babyapi::Client client;
  int tokens = 0;
  try {
    for (const babyapi::SSEEvent& event : client.chat.completions.stream(
             {
                 {"model", "mistral"},
                 {"messages", {{{"role", "user"}, {"content", "Tell a very long story."}}}},
                 {"max_tokens", 4000},
             },
             request_options)) {
      if (event.done()) break;
      std::cout << event.text() << std::flush;
      if (++tokens == interrupt_after) ::kill(::getpid(), SIGINT);  // as if Ctrl-C were pressed
    }
    std::cout << "\n[the story ended]\n";
  } catch (const babyapi::APIUserAbortError&) {
    std::cout << "\n[stopped by Ctrl-C after " << tokens << " tokens]\n";
  }

  // The watcher is still waiting when the stream ended by itself: wake it so it can be joined.
  if (!token.cancelled()) ::kill(::getpid(), SIGINT);
  watcher.join();
}
