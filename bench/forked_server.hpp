// For benchmarks that measure one process's memory: a loopback HTTP server in a forked child (so
// its own memory is not counted), and the /proc figures. Header-only; bench code, not a test.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

namespace bench {

// A figure of /proc/self/status in KiB: VmHWM (peak resident) or VmRSS (resident now).
inline long status_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  }
  return -1;
}

inline bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// The request's head and its body (by Content-Length), or "" when the peer went away.
inline std::string read_request(int fd) {
  std::string request;
  char buffer[8192];
  std::size_t head_end = std::string::npos;
  std::size_t want = 0;
  for (;;) {
    if (head_end == std::string::npos) {
      head_end = request.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const std::size_t at = request.find("Content-Length: ");
        const std::size_t length = at != std::string::npos && at < head_end
                                       ? std::strtoul(&request[at + 16], nullptr, 10)
                                       : 0;
        want = head_end + 4 + length;
      }
    }
    if (head_end != std::string::npos && request.size() >= want) return request;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return "";
    request.append(buffer, static_cast<std::size_t>(n));
  }
}

// A server in a child process: prepare() runs there first (to build its answers), then each
// connection's requests get answer(request), keep-alive. Stops with the object.
class ForkedServer {
 public:
  ForkedServer(const std::function<void()>& prepare,
               const std::function<std::string(const std::string&)>& answer) {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener, 16) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      std::perror("listen");
      std::exit(1);
    }
    int ready[2];
    if (::pipe(ready) != 0) std::exit(1);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      prepare();
      const char ok = 1;
      if (::write(ready[1], &ok, 1) != 1) std::_Exit(1);
      ::close(ready[1]);
      for (;;) {
        const int fd = ::accept(listener, nullptr, nullptr);
        if (fd < 0) continue;
        for (;;) {
          const std::string request = read_request(fd);
          if (request.empty() || !send_all(fd, answer(request))) break;
        }
        ::close(fd);
      }
    }
    ::close(ready[1]);
    ::close(listener);
    char ok = 0;
    if (::read(ready[0], &ok, 1) != 1) std::exit(1);  // the child is ready and listening
    ::close(ready[0]);
    base_url_ = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  }
  ~ForkedServer() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ForkedServer(const ForkedServer&) = delete;
  ForkedServer& operator=(const ForkedServer&) = delete;
  const std::string& base_url() const { return base_url_; }

 private:
  pid_t pid_ = -1;
  std::string base_url_;
};

// An HTTP/1.1 200 answer with a JSON body.
inline std::string json_answer(const std::string& body, bool close = false) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
}

// Runs body in a fresh child process and waits for it; false when the child failed.
inline bool in_child(const std::function<void()>& body) {
  std::fflush(stdout);  // or the child would print the parent's buffered lines again
  const pid_t child = ::fork();
  if (child == 0) {
    body();
    std::fflush(stdout);
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace bench
