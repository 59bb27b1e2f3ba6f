// Real third-party servers for integration tests, all inside one throwaway directory:
//   - a test CA, a server certificate for localhost / 127.0.0.1 and one for a name nobody connects
//     to, all made at test time with the openssl command;
//   - nginx terminating TLS with HTTP/2 and gzip in front of a babyapi-emulator;
//   - squid as a forward proxy (plain HTTP and CONNECT).
// The servers run in the foreground as children of the test process and say on their stderr when
// they are listening; nothing here sleeps. A missing openssl, nginx or squid is an error, never a
// skip: scripts/bootstrap installs them. Works as root (CI) and as an ordinary user.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace babyapi::testing {

// A long-running child whose stdout and stderr are collected by a background thread.
class ServerProcess {
 public:
  // argv[0] must be an absolute path. The child gets SIGTERM if this thread ends first.
  ServerProcess(std::string name, std::vector<std::string> argv);
  // SIGTERM, then waits for the child and for every process sharing its output pipe.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Blocks until the output holds `text` (true) or the output pipe closes, i.e. the server and
  // all its workers exited (false). `bound` only turns a hung server into an error message.
  bool wait_for_output(const std::string& text, std::chrono::seconds bound);
  std::string output() const;
  const std::string& name() const { return name_; }

 private:
  void drain();

  std::string name_;
  pid_t pid_ = -1;
  int output_fd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool closed_ = false;
  std::thread reader_;
};

struct TestCertificates {
  std::string ca;           // PEM file: the CA that signed both server certificates
  std::string other_ca;     // PEM file: an unrelated CA that signed nothing used here
  std::string server_cert;  // DNS:localhost, IP:127.0.0.1
  std::string server_key;
  std::string mismatch_cert;  // signed by `ca` but only for DNS:wrong-name.babyapi.invalid
  std::string mismatch_key;
};

class RealServers {
 public:
  // The address squid connects from, so that nginx (X-Remote-Addr) tells proxied requests apart.
  static constexpr const char* kProxyOutgoingAddress = "127.0.0.2";

  // Makes the certificates and starts nginx (proxying to emulator_base_url, an http:// URL) and
  // squid. Throws std::runtime_error with the servers' own output when something is missing or
  // does not start.
  explicit RealServers(const std::string& emulator_base_url);
  ~RealServers();
  RealServers(const RealServers&) = delete;
  RealServers& operator=(const RealServers&) = delete;

  const TestCertificates& certificates() const { return certs_; }
  const std::string& directory() const { return dir_; }

  // nginx with the localhost certificate. Every answer carries X-Proto ($server_protocol) and
  // X-Remote-Addr. Locations: "/" buffered, gzip on; "/gzip" unbuffered, gzip on for
  // application/json and text/event-stream; "/identity" unbuffered, gzip off. Each prefix is
  // stripped before the request reaches the emulator. The server also listens on 127.0.0.2, an
  // address its certificate does not name.
  int tls_port() const { return tls_port_; }
  std::string tls_url(const std::string& prefix = "", const std::string& host = "127.0.0.1") const;
  // The same nginx on another port, serving the certificate whose name matches nothing.
  std::string mismatch_url(const std::string& host = "127.0.0.1") const;

  // squid: http://127.0.0.1:<port>.
  std::string proxy_url() const;
  int proxy_port() const { return proxy_port_; }
  // Lines of squid's access log containing `needle`.
  std::size_t squid_log_count(const std::string& needle) const;
  // Blocks (on inotify, not a timer) until squid's access log holds at least `count` lines
  // containing `needle`; returns how many it holds. Throws after `bound` without them.
  std::size_t wait_for_squid_log(const std::string& needle, std::size_t count,
                                 std::chrono::seconds bound = std::chrono::seconds(30)) const;
  std::string squid_access_log() const;

 private:
  void make_certificates(const std::string& openssl);
  void start_nginx(const std::string& nginx, const std::string& emulator_base_url);
  void start_squid(const std::string& squid);

  std::string dir_;
  TestCertificates certs_;
  int tls_port_ = 0;
  int mismatch_port_ = 0;
  int proxy_port_ = 0;
  std::string squid_log_;
  std::vector<std::unique_ptr<ServerProcess>> processes_;  // stopped last-started first
};

// The full path of an executable found on PATH or in the sbin directories; throws naming
// scripts/bootstrap when there is none.
std::string require_program(const std::string& name);

// Sets (or, with unset, removes) an environment variable and puts back the old state on
// destruction. Not thread-safe: use it only while no other thread reads the environment.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value);
  explicit ScopedEnv(std::string name);  // unsets
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  bool had_value_ = false;
  std::string old_value_;
};

}  // namespace babyapi::testing
