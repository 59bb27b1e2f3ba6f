// run_with_emulator EMULATOR PROGRAM [ARGS...]: starts the emulator on a free loopback port, runs
// PROGRAM with BABYAPI_BASE_URL and BABYAPI_API_KEY pointing at it, and exits with PROGRAM's
// status. ctest uses it to run every example against a fresh emulator.
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "emulator_process.hpp"

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: run_with_emulator EMULATOR PROGRAM [ARGS...]\n");
    return 2;
  }
  try {
    babyapi::testing::EmulatorProcess emulator({}, argv[1]);
    ::setenv("BABYAPI_BASE_URL", emulator.base_url().c_str(), 1);
    ::setenv("BABYAPI_API_KEY", babyapi::testing::kTestApiKey, 1);
    std::fflush(stdout);
    pid_t pid = 0;
    if (::posix_spawn(&pid, argv[2], nullptr, nullptr, argv + 2, environ) != 0) {
      std::fprintf(stderr, "cannot start %s\n", argv[2]);
      return 2;
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) < 0) return 2;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    std::fprintf(stderr, "%s was killed by signal %d\n", argv[2], WTERMSIG(status));
    return 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "run_with_emulator: %s\n", error.what());
    return 2;
  }
}
