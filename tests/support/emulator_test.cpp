#include "emulator_test.hpp"

#include <atomic>

namespace babyapi::testing {

std::string EmulatorTest::unique(const std::string& stem) {
  static std::atomic<int> counter{0};
  return stem + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
         std::to_string(counter++);
}

RequestOptions EmulatorTest::tagged(std::string& tag) {
  tag = unique("tag-");
  RequestOptions options;
  options.headers = {{"x-test-tag", tag}};
  return options;
}

std::vector<Json> EmulatorTest::logged(const std::string& value, const std::string& name) {
  std::vector<Json> found;
  for (const Json& entry : emulator().requests()) {
    if (entry["headers"].value(name, "") == value) found.push_back(entry);
  }
  return found;
}

}  // namespace babyapi::testing
