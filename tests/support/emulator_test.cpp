#include "emulator_test.hpp"

#include <atomic>

namespace babyapi::testing {

std::string EmulatorTest::unique(const std::string& stem) {
  static std::atomic<int> counter{0};
  return stem + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
         std::to_string(counter++);
}

Json EmulatorTest::chat_params(const std::string& text) {
  return {{"model", "mistral"}, {"messages", {{{"role", "user"}, {"content", text}}}}};
}

RequestOptions EmulatorTest::with_header(const std::string& name, const std::string& value) {
  RequestOptions options;
  options.headers = {{name, value}};
  return options;
}

RequestOptions EmulatorTest::tagged(std::string& tag) {
  tag = unique("tag-");
  return with_header("x-test-tag", tag);
}

std::vector<Json> EmulatorTest::logged(const std::string& value, const std::string& name) {
  std::vector<Json> found;
  for (const Json& entry : emulator().requests()) {
    if (entry["headers"].value(name, "") == value) found.push_back(entry);
  }
  return found;
}

}  // namespace babyapi::testing
