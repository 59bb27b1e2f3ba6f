// A gtest fixture for integration tests: one babyapi-emulator per test suite, and helpers to tag
// requests and find them again in the emulator's request log.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "emulator_process.hpp"

namespace babyapi::testing {

class EmulatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { emulator_ = std::make_unique<EmulatorProcess>(); }
  static void TearDownTestSuite() { emulator_.reset(); }
  static const EmulatorProcess& emulator() { return *emulator_; }

  // stem + the running test's name + a counter: unique within this process.
  static std::string unique(const std::string& stem = "");
  // Request options carrying a fresh x-test-tag header; tag receives its value.
  static RequestOptions tagged(std::string& tag);
  // A one-message chat completion request for the model "mistral".
  static Json chat_params(const std::string& text);
  // Request options carrying one header, e.g. an x-emulator-fault or x-emulator-stream mode.
  static RequestOptions with_header(const std::string& name, const std::string& value);
  // The logged requests that carried header name with exactly this value, oldest first.
  static std::vector<Json> logged(const std::string& value, const std::string& name = "x-test-tag");

 private:
  static inline std::unique_ptr<EmulatorProcess> emulator_;
};

}  // namespace babyapi::testing
