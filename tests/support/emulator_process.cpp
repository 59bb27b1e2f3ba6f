#include "emulator_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace babyapi::testing {
namespace {

constexpr const char* kReadyPrefix = "babyapi-emulator listening on ";

std::string read_line(int fd) {
  std::string line;
  char c = 0;
  for (;;) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n == 0) throw std::runtime_error("babyapi-emulator exited before it was ready");
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("reading from babyapi-emulator: ") +
                               std::strerror(errno));
    }
    if (c == '\n') return line;
    line.push_back(c);
  }
}

}  // namespace

EmulatorProcess::EmulatorProcess(std::vector<std::string> extra_args, std::string program) {
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  std::vector<std::string> args = {std::move(program), "--port",    "0",
                                   "--api-key",        kTestApiKey, "--exit-on-stdin-eof"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  stdout_fd_ = out_pipe[0];
  if (rc != 0) {
    ::close(stdin_fd_);
    ::close(stdout_fd_);
    throw std::runtime_error(std::string("cannot start babyapi-emulator: ") + std::strerror(rc));
  }
  for (;;) {
    const std::string line = read_line(stdout_fd_);
    const size_t at = line.find(kReadyPrefix);
    if (at != std::string::npos) {
      base_url_ = line.substr(at + std::strlen(kReadyPrefix));
      break;
    }
  }
}

EmulatorProcess::~EmulatorProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

ClientOptions EmulatorProcess::client_options() const {
  ClientOptions options;
  options.api_key = kTestApiKey;
  options.base_url = base_url_;
  options.retry_base_delay = std::chrono::milliseconds(1);
  options.max_retry_delay = std::chrono::milliseconds(5);
  return options;
}

Json EmulatorProcess::requests() const {
  Client client(client_options());
  return client.get("/_emulator/requests").json();
}

}  // namespace babyapi::testing
