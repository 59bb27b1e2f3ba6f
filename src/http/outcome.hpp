// What a failed libcurl transfer means for the caller: one table from CURLcode to whether another
// attempt can help, whether the server may have seen the request, which public error class reports
// it, and advice on what to do. throw_transfer_error (curl_easy.cpp) throws from this table.
#pragma once

#include <curl/curl.h>

#include <string>

namespace babyapi::detail {

enum class TransferErrorClass {
  kConnection,     // APIConnectionError: the network or the server failed to answer
  kTimeout,        // APITimeoutError: a deadline or a stall bound passed
  kTls,            // APIConnectionError, never retried: the TLS handshake or certificate failed
  kConfiguration,  // BabyAPIError: base_url, ca_info, proxy or another setting is wrong
  kLocal,          // BabyAPIError: this process failed (out of memory, a callback, a local file)
};

struct TransferOutcome {
  bool retryable = true;
  bool maybe_sent = true;
  TransferErrorClass error_class = TransferErrorClass::kConnection;
  const char* advice = "";  // a sentence saying what to do; may be empty
};

// The classification of code; unknown codes are treated as retryable connection failures.
TransferOutcome classify_transfer(CURLcode code) noexcept;

// The full message for a failed transfer to origin: what failed, libcurl's own words, the advice.
std::string transfer_error_message(const TransferOutcome& outcome, const std::string& origin,
                                   const std::string& curl_detail);

}  // namespace babyapi::detail
