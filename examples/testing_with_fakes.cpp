// Unit-testing your own code that calls babyapi, with no server: the test kit's FakeTransport
// scripts the answers and records what your code sent. Link babyapi::testing and GTest.
#include <gtest/gtest.h>

#include <babyapi/babyapi.hpp>
#include <babyapi/testing.hpp>
#include <string>

using babyapi::testing::FakeAnswer;
using babyapi::testing::FakeTransport;

// The code under test: your application's own function.
std::string one_line_summary(babyapi::Client& client, const std::string& text) {
  const babyapi::Response res =
      client.chat.completions.create({{"model", "mistral"},
                                      {"messages",
                                       {{{"role", "system"}, {"content", "Summarize in one line."}},
                                        {{"role", "user"}, {"content", text}}}},
                                      {"max_tokens", 40}});
  std::string line = res.content();
  if (const auto cut = line.find('\n'); cut != std::string::npos) line.resize(cut);
  return line;
}

TEST(OneLineSummary, KeepsTheFirstLineAndSendsTheText) {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(FakeAnswer::chat("Servers are calm.\nMore detail nobody asked for."));
  babyapi::Client client(babyapi::testing::fake_options(fake));

  EXPECT_EQ(one_line_summary(client, "A long essay about servers"), "Servers are calm.");

  const babyapi::Json sent = fake->last_request().json();
  EXPECT_EQ(sent["messages"][1]["content"], "A long essay about servers");
  EXPECT_EQ(sent["max_tokens"], 40);
}

TEST(OneLineSummary, SurvivesABusyServer) {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(FakeAnswer::error(503, "overloaded").with_header("retry-after", "1"));
  fake->push(FakeAnswer::chat("Fine."));
  babyapi::Client client(babyapi::testing::fake_options(fake));

  EXPECT_EQ(one_line_summary(client, "text"), "Fine.");
  EXPECT_EQ(fake->request_count(), 2u);
  EXPECT_EQ(fake->sleeps().size(), 1u);  // the back-off ran on the fake's clock: no real wait
}

TEST(OneLineSummary, ReportsAnAuthenticationFailure) {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(FakeAnswer::error(401, "Invalid API key", "AuthenticationError"));
  babyapi::Client client(babyapi::testing::fake_options(fake));

  EXPECT_THROW(one_line_summary(client, "text"), babyapi::AuthenticationError);
}
