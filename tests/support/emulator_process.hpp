// Starts babyapi-emulator as a child process on a free loopback port and waits for its readiness
// line (no sleeping); stops it on destruction. The child also exits if this process dies, because
// it watches its stdin (--exit-on-stdin-eof).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "babyapi/babyapi.hpp"

namespace babyapi::testing {

inline constexpr const char* kTestApiKey = "sk-test-emulator-key";

class EmulatorProcess {
 public:
  explicit EmulatorProcess(std::vector<std::string> extra_args = {},
                           std::string program = BABYAPI_EMULATOR_PATH);
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  const std::string& base_url() const { return base_url_; }
  // Client options pointing at this emulator with the test key and fast retries.
  ClientOptions client_options() const;
  // The requests the emulator has logged (GET /_emulator/requests), oldest first.
  Json requests() const;

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string base_url_;
};

}  // namespace babyapi::testing
