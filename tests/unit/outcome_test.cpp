// The table from CURLcode to what a failed transfer means (src/http/outcome.cpp).
#include "http/outcome.hpp"

#include <gtest/gtest.h>

namespace babyapi::detail {
namespace {

using C = TransferErrorClass;

TEST(OutcomeTest, UnreachedServersAreRetriedAndSurelyNotSent) {
  for (const CURLcode code :
       {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY}) {
    const TransferOutcome outcome = classify_transfer(code);
    EXPECT_TRUE(outcome.retryable) << code;
    EXPECT_FALSE(outcome.maybe_sent) << code;
    EXPECT_EQ(outcome.error_class, C::kConnection) << code;
  }
}

TEST(OutcomeTest, BrokenConnectionsAreRetriedButMayHaveBeenSent) {
  for (const CURLcode code : {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
                              CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM}) {
    const TransferOutcome outcome = classify_transfer(code);
    EXPECT_TRUE(outcome.retryable) << code;
    EXPECT_TRUE(outcome.maybe_sent) << code;
    EXPECT_EQ(outcome.error_class, C::kConnection) << code;
  }
}

TEST(OutcomeTest, TimeoutsAreRetriedTimeouts) {
  const TransferOutcome outcome = classify_transfer(CURLE_OPERATION_TIMEDOUT);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_EQ(outcome.error_class, C::kTimeout);
}

TEST(OutcomeTest, TlsFailuresAreNeverRetriedAndNameCaInfo) {
  for (const CURLcode code : {CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR}) {
    const TransferOutcome outcome = classify_transfer(code);
    EXPECT_FALSE(outcome.retryable) << code;
    EXPECT_FALSE(outcome.maybe_sent) << code;
    EXPECT_EQ(outcome.error_class, C::kTls) << code;
    EXPECT_NE(std::string(outcome.advice).find("ClientOptions::ca_info"), std::string::npos);
  }
}

TEST(OutcomeTest, ConfigurationMistakesAreNotConnectionFailures) {
  for (const CURLcode code : {CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL,
                              CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM}) {
    const TransferOutcome outcome = classify_transfer(code);
    EXPECT_FALSE(outcome.retryable) << code;
    EXPECT_EQ(outcome.error_class, C::kConfiguration) << code;
    EXPECT_NE(std::string(outcome.advice).find("onfiguration"), std::string::npos) << code;
  }
  EXPECT_NE(std::string(classify_transfer(CURLE_SSL_CACERT_BADFILE).advice).find("ca_info"),
            std::string::npos);
}

TEST(OutcomeTest, OutOfMemoryIsLocalAndNotRetried) {
  const TransferOutcome outcome = classify_transfer(CURLE_OUT_OF_MEMORY);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_EQ(outcome.error_class, C::kLocal);
}

TEST(OutcomeTest, UnknownCodesFallBackToARetryableConnectionFailure) {
  const TransferOutcome outcome = classify_transfer(static_cast<CURLcode>(9999));
  EXPECT_TRUE(outcome.retryable);
  EXPECT_TRUE(outcome.maybe_sent);
  EXPECT_EQ(outcome.error_class, C::kConnection);
}

TEST(OutcomeTest, TheMessageSaysWhatFailedWhereAndWhatToDo) {
  const std::string message = transfer_error_message(
      classify_transfer(CURLE_PEER_FAILED_VERIFICATION), "https://example.test", "bad cert");
  EXPECT_EQ(message.rfind("TLS error talking to https://example.test: bad cert. ", 0), 0u)
      << message;
  EXPECT_NE(message.find("ca_info"), std::string::npos);
  EXPECT_EQ(transfer_error_message(classify_transfer(CURLE_COULDNT_CONNECT), "http://h", "refused")
                .rfind("Connection error talking to http://h: refused", 0),
            0u);
}

}  // namespace
}  // namespace babyapi::detail
