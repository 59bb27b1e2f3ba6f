// babyapi-emulator: command line, readiness line and lifecycle.
//
// The main thread waits on one self-pipe that carries every event: 'r' (accept loop
// running), 's' (SIGINT/SIGTERM), 'x' (POST /_emulator/shutdown), 'q' (accept loop
// ended); plus stdin when --exit-on-stdin-eof is given.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "netutil.hpp"
#include "server.hpp"
#include "textutil.hpp"

namespace {

int g_wake[2] = {-1, -1};

void wake(char c) {
  if (g_wake[1] < 0) return;
  ssize_t n;
  do {
    n = ::write(g_wake[1], &c, 1);
  } while (n < 0 && errno == EINTR);
}

extern "C" void on_signal(int) {
  const int saved = errno;
  wake('s');
  errno = saved;
}

// One thread per accepted connection. httplib keeps a thread busy for the whole life
// of a keep-alive connection, so a fixed pool would make the (N+1)th concurrent client
// wait; finished threads are joined on the next accept, the rest at shutdown.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(std::function<void()> before_join)
      : before_join_(std::move(before_join)) {}

  void enqueue(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lk(mu_);
    reap_locked();
    workers_.emplace_back();
    Worker& w = workers_.back();
    w.thread = std::thread([this, &w, fn = std::move(fn)] {
      fn();
      std::lock_guard<std::mutex> done_lk(mu_);
      w.done = true;
    });
  }

  void shutdown() override {
    // Idle keep-alive connections would otherwise hold their threads until the
    // keep-alive timeout; closing them lets every worker finish now.
    before_join_();
    std::list<Worker> all;
    {
      std::lock_guard<std::mutex> lk(mu_);
      all.swap(workers_);
    }
    for (auto& w : all) w.thread.join();
  }

 private:
  struct Worker {
    std::thread thread;
    bool done = false;
  };

  void reap_locked() {
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done) {
        it->thread.join();  // it has left fn(); only the thread exit remains
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::function<void()> before_join_;
  std::mutex mu_;
  std::list<Worker> workers_;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "Usage: babyapi-emulator [options]\n"
               "\n"
               "A local BabyAPI-compatible server with toy deterministic models, for tests and\n"
               "demos of BabyAPI clients. It is a development tool, not the BabyAPI service.\n"
               "\n"
               "Options:\n"
               "  --host HOST            address to bind (default 127.0.0.1)\n"
               "  --port N               port to bind; 0 picks a free one (default 0)\n"
               "  --api-key KEY          accept only this Bearer key (default: any non-empty)\n"
               "  --docling-nodes N      simulated Docling nodes (default 2)\n"
               "  --exit-on-stdin-eof    stop when standard input reaches end of file\n"
               "  --verbose              log every request to stderr\n"
               "  --help                 show this help\n"
               "  --version              print the version\n"
               "\n"
               "Once listening it prints one line to stdout:\n"
               "  babyapi-emulator listening on http://HOST:PORT\n");
}

bool parse_args(int argc, char** argv, emu::Config& cfg, bool& exit_now, int& exit_code) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    const auto eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto need_value = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "babyapi-emulator: %s needs a value\n", arg.c_str());
        return false;
      }
      value = argv[++i];
      return true;
    };
    auto int_value = [&](long long lo, long long hi, long long& out) -> bool {
      if (!need_value()) return false;
      if (!emu::parse_long(value, out) || out < lo || out > hi) {
        std::fprintf(stderr, "babyapi-emulator: %s must be an integer %lld..%lld\n", arg.c_str(),
                     lo, hi);
        return false;
      }
      return true;
    };
    long long n = 0;
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      exit_now = true;
      exit_code = 0;
      return true;
    } else if (arg == "--version") {
      std::printf("%s %s\n", emu::kName, emu::kVersion);
      exit_now = true;
      exit_code = 0;
      return true;
    } else if (arg == "--host") {
      if (!need_value()) return false;
      cfg.host = value;
    } else if (arg == "--port") {
      if (!int_value(0, 65535, n)) return false;
      cfg.port = static_cast<int>(n);
    } else if (arg == "--api-key") {
      if (!need_value()) return false;
      if (value.empty()) {
        std::fprintf(stderr, "babyapi-emulator: --api-key must not be empty\n");
        return false;
      }
      cfg.api_key = value;
    } else if (arg == "--docling-nodes") {
      if (!int_value(1, 64, n)) return false;
      cfg.docling_nodes = static_cast<int>(n);
    } else if (arg == "--exit-on-stdin-eof" && !has_value) {
      cfg.exit_on_stdin_eof = true;
    } else if (arg == "--verbose" && !has_value) {
      cfg.verbose = true;
    } else {
      std::fprintf(stderr, "babyapi-emulator: unknown option '%s' (see --help)\n", argv[i]);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  emu::Config cfg;
  bool exit_now = false;
  int exit_code = 0;
  if (!parse_args(argc, argv, cfg, exit_now, exit_code)) return 2;
  if (exit_now) return exit_code;

  std::fprintf(stderr,
               "babyapi-emulator %s: development tool with toy deterministic models for testing "
               "BabyAPI clients; it is NOT the BabyAPI service.\n",
               emu::kVersion);

  ::signal(SIGPIPE, SIG_IGN);  // a client closing mid-answer must not kill us
  if (::pipe(g_wake) != 0) {
    std::perror("babyapi-emulator: pipe");
    return 1;
  }
  for (int fd : g_wake) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  ::fcntl(g_wake[1], F_SETFL, O_NONBLOCK);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  emu::Emulator emulator(cfg);
  emulator.set_exit_hook([] { wake('x'); });
  httplib::Server svr;
  svr.new_task_queue = [&emulator]() -> httplib::TaskQueue* {
    wake('r');  // called once the accept loop runs (Server::is_running() is true)
    return new ConnectionThreads([&emulator] { emu::shutdown_all_connections(emulator.port()); });
  };
  svr.set_keep_alive_max_count(10000);
  svr.set_keep_alive_timeout(120);
  svr.set_read_timeout(30, 0);
  svr.set_write_timeout(30, 0);
  svr.set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, which lets a second emulator bind the same
  // port and silently share it. SO_REUSEADDR alone only permits TIME_WAIT reuse.
  int listen_fd = -1;
  svr.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = sock;
  });
  emulator.install(svr);

  int port = cfg.port;
  if (port == 0) {
    port = svr.bind_to_any_port(cfg.host);
  } else if (!svr.bind_to_port(cfg.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "babyapi-emulator: cannot bind %s:%d\n", cfg.host.c_str(), cfg.port);
    return 1;
  }
  emulator.set_port(port);
  // cpp-httplib 0.11 listens with a backlog of 5: a burst of new connections (a client opening
  // hundreds at once) then waits out SYN retransmits, a second or more each. listen() again on the
  // bound socket raises the backlog (Linux caps it at net.core.somaxconn).
  if (listen_fd >= 0 && ::listen(listen_fd, 4096) != 0) std::perror("babyapi-emulator: listen");

  std::atomic<bool> listen_ok{false};
  std::thread listener([&] {
    listen_ok.store(svr.listen_after_bind());
    wake('q');
  });

  bool ready = false, stop_requested = false, stopped = false, listener_done = false;
  bool stdin_open = cfg.exit_on_stdin_eof;
  while (!listener_done) {
    pollfd fds[2] = {};
    fds[0].fd = g_wake[0];
    fds[0].events = POLLIN;
    fds[1].fd = STDIN_FILENO;
    fds[1].events = POLLIN;
    const int rc = ::poll(fds, stdin_open ? 2 : 1, -1);
    if (rc < 0) {
      if (errno == EINTR) continue;
      std::perror("babyapi-emulator: poll");
      stop_requested = true;
    }
    if (rc > 0 && (fds[0].revents & POLLIN)) {
      char buf[64];
      const ssize_t n = ::read(g_wake[0], buf, sizeof buf);
      for (ssize_t i = 0; i < n; ++i) {
        switch (buf[i]) {
          case 'r':
            ready = true;
            if (!stop_requested) {
              const bool v6 = cfg.host.find(':') != std::string::npos;
              std::printf("babyapi-emulator listening on http://%s%s%s:%d\n", v6 ? "[" : "",
                          cfg.host.c_str(), v6 ? "]" : "", port);
              std::fflush(stdout);
            }
            break;
          case 'q':
            listener_done = true;
            break;
          default:
            stop_requested = true;
            break;  // 's' or 'x'
        }
      }
    }
    if (rc > 0 && stdin_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
      char buf[4096];
      const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        stdin_open = false;
        stop_requested = true;
      }
    }
    if (stop_requested && !emulator.shutting_down()) emulator.begin_shutdown();
    // stop() only works once the accept loop runs, i.e. after 'r'.
    if (stop_requested && ready && !stopped) {
      svr.stop();
      stopped = true;
    }
  }
  listener.join();
  ::close(g_wake[0]);
  const int wfd = g_wake[1];
  g_wake[1] = -1;
  ::close(wfd);
  return (listen_ok.load() || stopped) ? 0 : 1;
}
