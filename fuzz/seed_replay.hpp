// The standalone form of a fuzz target (-DBABYAPI_FUZZ_STANDALONE): replays the target's built-in
// seeds and any files named on the command line, so a crash found by clang can be replayed with
// any compiler; `--write-seeds DIR` writes the seeds out for scripts/fuzz to start libFuzzer from.
#pragma once

#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace babyapi::fuzz {

template <class FuzzOne>
int replay_seeds(int argc, char** argv, const char* name, const std::vector<std::string>& seeds,
                 FuzzOne fuzz_one) {
  if (argc == 3 && std::string_view(argv[1]) == "--write-seeds") {
    for (size_t i = 0; i < seeds.size(); ++i) {
      std::ofstream file(std::string(argv[2]) + "/seed-" + std::to_string(i), std::ios::binary);
      file << seeds[i];
      if (!file) {
        std::fprintf(stderr, "cannot write into %s\n", argv[2]);
        return 2;
      }
    }
    return 0;
  }
  try {
    for (const std::string& seed : seeds) fuzz_one(seed);
    for (int i = 1; i < argc; ++i) {
      std::ifstream file(argv[i], std::ios::binary);
      if (!file) {
        std::fprintf(stderr, "cannot read %s\n", argv[i]);
        return 2;
      }
      const std::string input((std::istreambuf_iterator<char>(file)),
                              std::istreambuf_iterator<char>());
      fuzz_one(input);
    }
    std::printf("%s: %zu seeds and %d files passed\n", name, seeds.size(), argc - 1);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: unexpected exception: %s\n", name, error.what());
    return 1;
  }
}

}  // namespace babyapi::fuzz
