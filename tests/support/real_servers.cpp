#include "real_servers.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace babyapi::testing {
namespace {

// Startup normally takes well under a second; the bound only turns a hang into a message.
constexpr std::chrono::seconds kStartBound{60};
// Binding a port another process took between our probe and the server's bind is retried.
constexpr int kStartAttempts = 5;

std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A loopback port nobody listens on right now (the kernel's pick for an ephemeral bind).
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw system_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t size = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
    const auto error = system_error("binding a probe socket");
    ::close(fd);
    throw error;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Runs a short command to completion; throws with its output when it fails.
void run_command(const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw system_error("pipe");
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error("cannot run " + args[0] + ": " + std::strerror(rc));
  }
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string line;
    for (const std::string& arg : args) line += arg + " ";
    throw std::runtime_error("command failed: " + line + "\n" + output);
  }
}

struct Account {
  std::string name;
  uid_t uid;
  gid_t gid;
};

// The unprivileged account squid switches to when started as root.
Account squid_account() {
  for (const char* name : {"proxy", "nobody"}) {
    if (const passwd* entry = ::getpwnam(name)) return {name, entry->pw_uid, entry->pw_gid};
  }
  throw std::runtime_error(
      "running as root, squid needs an unprivileged account: neither "
      "'proxy' nor 'nobody' exists");
}

// An inotify descriptor that closes itself.
class Watch {
 public:
  explicit Watch(const std::string& path) : fd_(::inotify_init1(IN_CLOEXEC)) {
    if (fd_ < 0) throw system_error("inotify_init1");
    if (::inotify_add_watch(fd_, path.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB) < 0) {
      const auto error = system_error("watching " + path);
      ::close(fd_);
      throw error;
    }
  }
  ~Watch() { ::close(fd_); }
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // Blocks until the file changes (true) or `timeout` passes (false).
  bool wait(std::chrono::milliseconds timeout) const {
    pollfd entry{fd_, POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) throw system_error("poll");
    if (ready <= 0) return false;
    alignas(inotify_event) char events[4096];
    if (::read(fd_, events, sizeof events) < 0 && errno != EINTR) throw system_error("read");
    return true;
  }

 private:
  int fd_;
};

}  // namespace

// ---- ServerProcess -------------------------------------------------------------------------

ServerProcess::ServerProcess(std::string name, std::vector<std::string> args)
    : name_(std::move(name)) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw system_error("pipe");
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw system_error("open /dev/null");
  }
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();

  pid_ = ::fork();
  if (pid_ == 0) {
    // A test process that dies without running destructors must not leave a server behind.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::execv(argv[0], argv.data());
    static const char kFailed[] = "exec failed\n";
    [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, kFailed, sizeof kFailed - 1);
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(fds[1]);
  ::close(null_fd);
  if (pid_ < 0) {
    ::close(fds[0]);
    throw std::runtime_error("fork: " + std::string(std::strerror(fork_errno)));
  }
  output_fd_ = fds[0];
  reader_ = std::thread([this] { drain(); });
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  // The pipe closes once the server's workers have exited too.
  if (reader_.joinable()) reader_.join();
  if (output_fd_ >= 0) ::close(output_fd_);
}

void ServerProcess::drain() {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(output_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    if (n <= 0) {
      closed_ = true;
      changed_.notify_all();
      return;
    }
    output_.append(buffer, static_cast<size_t>(n));
    changed_.notify_all();
  }
}

bool ServerProcess::wait_for_output(const std::string& text, std::chrono::seconds bound) {
  std::unique_lock<std::mutex> lock(mutex_);
  const bool settled = changed_.wait_for(
      lock, bound, [&] { return closed_ || output_.find(text) != std::string::npos; });
  if (!settled) {
    throw std::runtime_error(name_ + " printed no \"" + text + "\" within " +
                             std::to_string(bound.count()) + " s; its output:\n" + output_);
  }
  return output_.find(text) != std::string::npos;
}

std::string ServerProcess::output() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return output_;
}

// ---- RealServers ---------------------------------------------------------------------------

std::string require_program(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::string entries = path;
    std::size_t start = 0;
    for (;;) {
      const std::size_t colon = entries.find(':', start);
      dirs.push_back(entries.substr(start, colon - start));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  // nginx and squid live in sbin, which an ordinary user's PATH often lacks.
  for (const char* dir : {"/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin"}) dirs.push_back(dir);
  for (const std::string& dir : dirs) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error(name +
                           " is not installed; run scripts/bootstrap (it installs nginx-light, "
                           "squid and openssl)");
}

RealServers::RealServers(const std::string& emulator_base_url) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/babyapi-real-servers-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw system_error("mkdtemp " + pattern);
  dir_ = pattern;
  try {
    // squid, when started as root, works as an unprivileged account that must reach its folder.
    if (::chmod(dir_.c_str(), 0711) != 0) throw system_error("chmod " + dir_);
    const std::string openssl = require_program("openssl");
    const std::string nginx = require_program("nginx");
    const std::string squid = require_program("squid");
    make_certificates(openssl);
    start_nginx(nginx, emulator_base_url);
    start_squid(squid);
  } catch (...) {
    while (!processes_.empty()) processes_.pop_back();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

RealServers::~RealServers() {
  while (!processes_.empty()) processes_.pop_back();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RealServers::make_certificates(const std::string& openssl) {
  const std::string dir = dir_ + "/pki";
  std::filesystem::create_directory(dir);

  // A self-signed CA; its own config, so that the system's openssl.cnf does not matter.
  auto make_ca = [&](const std::string& stem, const std::string& common_name) {
    const std::string config = dir + "/" + stem + ".cnf";
    write_file(config,
               "[req]\nprompt = no\ndistinguished_name = dn\nx509_extensions = ext\n"
               "[dn]\nCN = " +
                   common_name +
                   "\n"
                   "[ext]\nbasicConstraints = critical, CA:TRUE\n"
                   "keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n");
    run_command({openssl, "req", "-x509", "-config", config, "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-keyout",
                 dir + "/" + stem + ".key", "-out", dir + "/" + stem + ".pem"});
    return dir + "/" + stem + ".pem";
  };
  // A server certificate signed by the CA "ca".
  auto make_server = [&](const std::string& stem, const std::string& common_name,
                         const std::string& alt_names, const std::string& serial) {
    const std::string config = dir + "/" + stem + ".cnf";
    write_file(config,
               "[req]\nprompt = no\ndistinguished_name = dn\n"
               "[dn]\nCN = " +
                   common_name +
                   "\n"
                   "[ext]\nbasicConstraints = critical, CA:FALSE\n"
                   "keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n"
                   "subjectAltName = " +
                   alt_names +
                   "\n"
                   "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid, issuer\n");
    run_command({openssl, "req", "-new", "-config", config, "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir + "/" + stem + ".key",
                 "-out", dir + "/" + stem + ".csr"});
    run_command({openssl, "x509", "-req", "-in", dir + "/" + stem + ".csr", "-CA", dir + "/ca.pem",
                 "-CAkey", dir + "/ca.key", "-set_serial", serial, "-days", "2", "-extfile", config,
                 "-extensions", "ext", "-out", dir + "/" + stem + ".pem"});
  };

  certs_.ca = make_ca("ca", "babyapi-cpp throwaway test CA");
  certs_.other_ca = make_ca("other-ca", "babyapi-cpp unrelated test CA");
  make_server("server", "localhost", "DNS:localhost, IP:127.0.0.1", "4097");
  make_server("mismatch", "wrong-name.babyapi.invalid", "DNS:wrong-name.babyapi.invalid", "4098");
  certs_.server_cert = dir + "/server.pem";
  certs_.server_key = dir + "/server.key";
  certs_.mismatch_cert = dir + "/mismatch.pem";
  certs_.mismatch_key = dir + "/mismatch.key";
}

void RealServers::start_nginx(const std::string& nginx, const std::string& emulator_base_url) {
  const std::string dir = dir_ + "/nginx";
  std::filesystem::create_directory(dir);
  const std::string upstream = emulator_base_url;

  for (int attempt = 1;; ++attempt) {
    tls_port_ = free_loopback_port();
    do mismatch_port_ = free_loopback_port();
    while (mismatch_port_ == tls_port_);

    // Shared by both servers. add_header lines sit at server level so that every location (none
    // has add_header of its own) inherits them.
    const std::string server_body =
        "    add_header X-Proto $server_protocol always;\n"
        "    add_header X-Remote-Addr $remote_addr always;\n"
        "    location / {\n"
        "      proxy_pass " +
        upstream +
        ";\n"
        "    }\n"
        "    location /gzip/ {\n"
        "      proxy_pass " +
        upstream +
        "/;\n"
        "      proxy_buffering off;\n"
        "    }\n"
        "    location /identity/ {\n"
        "      proxy_pass " +
        upstream +
        "/;\n"
        "      proxy_buffering off;\n"
        "      gzip off;\n"
        "    }\n";
    const std::string tls = std::to_string(tls_port_);
    const std::string mismatch = std::to_string(mismatch_port_);
    std::string config =
        "daemon off;\n"
        "master_process on;\n"
        "worker_processes 1;\n"
        "pid " +
        dir +
        "/nginx.pid;\n"
        // Startup and shutdown notices go to our pipe: "start worker process" is the readiness
        // line, written once the listening sockets are bound.
        "error_log stderr notice;\n";
    // Started as root, workers would otherwise switch to nobody; keep them able to use the
    // temp paths and the certificates in our private folder.
    if (::geteuid() == 0) config += "user root;\n";
    config +=
        "events {\n  worker_connections 256;\n}\n"
        "http {\n"
        "  access_log " +
        dir +
        "/access.log;\n"
        "  error_log " +
        dir +
        "/error.log info;\n"
        "  client_body_temp_path " +
        dir +
        "/client_body;\n"
        "  proxy_temp_path " +
        dir +
        "/proxy;\n"
        "  fastcgi_temp_path " +
        dir +
        "/fastcgi;\n"
        "  uwsgi_temp_path " +
        dir +
        "/uwsgi;\n"
        "  scgi_temp_path " +
        dir +
        "/scgi;\n"
        "  default_type application/octet-stream;\n"
        "  ssl_protocols TLSv1.2 TLSv1.3;\n"
        "  gzip on;\n"
        "  gzip_types application/json text/event-stream;\n"
        "  gzip_proxied any;\n"
        "  gzip_min_length 1;\n"
        "  proxy_http_version 1.1;\n"
        "  proxy_set_header Connection \"\";\n"
        // nginx compresses itself only what the upstream sent uncompressed.
        "  proxy_set_header Accept-Encoding \"\";\n"
        "  server {\n"
        "    listen 127.0.0.1:" +
        tls +
        " ssl http2;\n"
        // The same server and certificate under an address the certificate does not name.
        "    listen 127.0.0.2:" +
        tls +
        " ssl http2;\n"
        "    ssl_certificate " +
        certs_.server_cert +
        ";\n"
        "    ssl_certificate_key " +
        certs_.server_key + ";\n" + server_body +
        "  }\n"
        "  server {\n"
        "    listen 127.0.0.1:" +
        mismatch +
        " ssl http2;\n"
        "    ssl_certificate " +
        certs_.mismatch_cert +
        ";\n"
        "    ssl_certificate_key " +
        certs_.mismatch_key + ";\n" + server_body +
        "  }\n"
        "}\n";
    const std::string config_path = dir + "/nginx.conf";
    write_file(config_path, config);

    // -e stderr: nginx would otherwise first open its compiled-in /var/log/nginx/error.log.
    auto process = std::make_unique<ServerProcess>(
        "nginx",
        std::vector<std::string>{nginx, "-p", dir + "/", "-c", config_path, "-e", "stderr"});
    if (process->wait_for_output("start worker process", kStartBound)) {
      processes_.push_back(std::move(process));
      return;
    }
    const std::string output = process->output();
    if (attempt < kStartAttempts && output.find("Address already in use") != std::string::npos) {
      continue;
    }
    throw std::runtime_error("nginx did not start; its output:\n" + output + "\nconfig:\n" +
                             config);
  }
}

void RealServers::start_squid(const std::string& squid) {
  const std::string dir = dir_ + "/squid";
  std::filesystem::create_directory(dir);
  squid_log_ = dir + "/access.log";
  std::string account_line;
  if (::geteuid() == 0) {
    // squid refuses to keep root: it switches to cache_effective_user, which must be able to
    // write its logs and pid file here.
    const Account account = squid_account();
    if (::chown(dir.c_str(), account.uid, account.gid) != 0) throw system_error("chown " + dir);
    account_line = "cache_effective_user " + account.name + "\n";
  }

  for (int attempt = 1;; ++attempt) {
    proxy_port_ = free_loopback_port();
    const std::string config =
        "http_port 127.0.0.1:" + std::to_string(proxy_port_) +
        "\n"
        // localhost may use any method, CONNECT to any port included; nobody else anything.
        "http_access allow localhost\n"
        "http_access deny all\n"
        "cache deny all\n"
        "tcp_outgoing_address " +
        std::string(kProxyOutgoingAddress) +
        "\n"
        "pid_filename " +
        dir +
        "/squid.pid\n"
        "cache_log " +
        dir +
        "/cache.log\n"
        "access_log stdio:" +
        squid_log_ +
        "\n"
        "buffered_logs off\n"
        "cache_store_log none\n"
        "netdb_filename none\n"
        "pinger_enable off\n"
        "logfile_rotate 0\n"
        "coredump_dir " +
        dir +
        "\n"
        "shutdown_lifetime 0 seconds\n"
        "visible_hostname babyapi-test-squid\n"
        // Section 93 (AsyncJob) at level 5 logs the end of the listener job's start(), the call
        // that runs listen(): the readiness line below.
        "debug_options ALL,1 93,5\n" +
        account_line;
    const std::string config_path = dir + "/squid.conf";
    write_file(config_path, config);

    // -N: foreground, no kid processes; -d 5: copy cache.log to stderr, up to the levels that
    // debug_options enables. squid's "Accepting HTTP Socket connections" comes too early: it is
    // printed when the listener job is queued, before that job calls listen(), and a client
    // connecting in between is refused. The job's first call ending is the real signal.
    auto process = std::make_unique<ServerProcess>(
        "squid", std::vector<std::string>{squid, "-N", "-d", "5", "-f", config_path});
    if (process->wait_for_output("callEnd: Comm::TcpAcceptor status out", kStartBound) &&
        process->output().find("ERROR: listen") == std::string::npos) {
      processes_.push_back(std::move(process));
      return;
    }
    const std::string output = process->output();
    if (attempt < kStartAttempts && output.find("Address already in use") != std::string::npos) {
      continue;
    }
    throw std::runtime_error("squid did not start; its output:\n" + output + "\nconfig:\n" +
                             config);
  }
}

std::string RealServers::tls_url(const std::string& prefix, const std::string& host) const {
  return "https://" + host + ":" + std::to_string(tls_port_) + prefix;
}

std::string RealServers::mismatch_url(const std::string& host) const {
  return "https://" + host + ":" + std::to_string(mismatch_port_);
}

std::string RealServers::proxy_url() const {
  return "http://127.0.0.1:" + std::to_string(proxy_port_);
}

std::string RealServers::squid_access_log() const { return read_file(squid_log_); }

std::size_t RealServers::squid_log_count(const std::string& needle) const {
  std::istringstream log(squid_access_log());
  std::size_t count = 0;
  for (std::string line; std::getline(log, line);) {
    if (line.find(needle) != std::string::npos) ++count;
  }
  return count;
}

std::size_t RealServers::wait_for_squid_log(const std::string& needle, std::size_t count,
                                            std::chrono::seconds bound) const {
  // Watch first, then look: a line written in between still wakes the wait below.
  const Watch watch(squid_log_);
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    const std::size_t found = squid_log_count(needle);
    if (found >= count) return found;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !watch.wait(left)) {
      throw std::runtime_error("squid's access log has " + std::to_string(found) +
                               " line(s) with \"" + needle + "\", not " + std::to_string(count) +
                               ":\n" + squid_access_log());
    }
  }
}

// ---- ScopedEnv -----------------------------------------------------------------------------

ScopedEnv::ScopedEnv(std::string name, const std::string& value) : ScopedEnv(std::move(name)) {
  ::setenv(name_.c_str(), value.c_str(), 1);
}

ScopedEnv::ScopedEnv(std::string name) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) {
    had_value_ = true;
    old_value_ = old;
  }
  ::unsetenv(name_.c_str());
}

ScopedEnv::~ScopedEnv() {
  if (had_value_) {
    ::setenv(name_.c_str(), old_value_.c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

}  // namespace babyapi::testing
