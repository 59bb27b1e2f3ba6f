// A raw loopback server for transport_edges_test.cpp: each accepted connection runs the test's
// session, which may stall, trickle, speak plain HTTP to a TLS client, or read a chunked upload
// (tests/support/scripted_server.hpp reads only Content-Length bodies and answers in one piece).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace babyapi::testing {

// Accepts loopback connections one at a time and runs the test's session on each.
class RawServer {
 public:
  using Session = std::function<void(RawServer&, int fd)>;

  explicit RawServer(Session session) : session_(std::move(session)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe(wake_) != 0) {
      throw std::runtime_error("RawServer: cannot listen on loopback");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~RawServer() {
    const char byte = 'x';
    (void)!::write(wake_[1], &byte, 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_);
  }
  int connections() const { return connections_.load(); }

  // Waits until the test ends (true) or for `wait` (false).
  bool wait_stop(std::chrono::milliseconds wait) {
    pollfd fd{wake_[0], POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(wait.count())) > 0;
  }
  // Reads what is there (waiting for some); false when the peer closed or the test ended.
  bool read_some(int fd, std::string& into) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) <= 0 || fds[1].revents != 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    into.append(chunk, static_cast<size_t>(n));
    return true;
  }
  bool read_head(int fd, std::string& head, std::string& rest) {
    while (rest.find("\r\n\r\n") == std::string::npos) {
      if (!read_some(fd, rest)) return false;
    }
    const size_t end = rest.find("\r\n\r\n") + 4;
    head = rest.substr(0, end);
    rest.erase(0, end);
    return true;
  }
  // One whole request; a chunked body is decoded.
  bool read_request(int fd, std::string& head, std::string& body) {
    std::string rest;
    if (!read_head(fd, head, rest)) return false;
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("transfer-encoding: chunked") != std::string::npos) {
      for (;;) {
        size_t line_end;
        while ((line_end = rest.find("\r\n")) == std::string::npos) {
          if (!read_some(fd, rest)) return false;
        }
        const size_t size = std::strtoul(rest.c_str(), nullptr, 16);
        while (rest.size() < line_end + 2 + size + 2) {
          if (!read_some(fd, rest)) return false;
        }
        body.append(rest, line_end + 2, size);
        rest.erase(0, line_end + 2 + size + 2);
        if (size == 0) return true;
      }
    }
    const size_t at = lower.find("content-length:");
    const size_t length =
        at == std::string::npos ? 0 : std::strtoul(lower.c_str() + at + 15, nullptr, 10);
    while (rest.size() < length) {
      if (!read_some(fd, rest)) return false;
    }
    body = rest;
    return true;
  }
  static bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

 private:
  void run() {
    for (;;) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 || fds[1].revents != 0) return;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      session_(*this, fd);
      ::close(fd);
    }
  }

  Session session_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace babyapi::testing
