// A loopback HTTP/1.1 server whose answers are written by the test, byte for byte: for wire-level
// cases the emulator cannot produce (closing without a word, interim 1xx answers, odd headers).
// Serves one connection at a time on a background thread; readiness is the bound port itself.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

namespace babyapi::testing {

class ScriptedServer {
 public:
  // Given one raw request (head and body), the raw bytes to answer, or nullopt to close the
  // connection without answering. An answer with a "Connection: close" header closes the
  // connection once it is sent.
  using Handler = std::function<std::optional<std::string>(const std::string& request)>;

  explicit ScriptedServer(Handler handler);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }

 private:
  void run();
  void serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace babyapi::testing
