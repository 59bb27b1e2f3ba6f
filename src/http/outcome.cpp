#include "http/outcome.hpp"

#include <iterator>

namespace babyapi::detail {
namespace {

using C = TransferErrorClass;

struct Row {
  CURLcode code;
  TransferOutcome outcome;
};

constexpr const char* kCheckNetwork =
    "Check that the server is up and reachable from here (base_url, proxy, firewall); "
    "the request is retried";
constexpr const char* kCutShort =
    "The connection broke before the whole answer arrived; the request is retried when that is "
    "safe";
constexpr const char* kTlsAdvice =
    "TLS failed: check that base_url names the server's host with the right scheme and port, and "
    "that its certificate is trusted (set ClientOptions::ca_info or ca_path, or SSL_CERT_FILE, to "
    "the CA that signed it); not retried";
constexpr const char* kConfig =
    "This is a configuration problem, not a network failure; not retried";

// Every CURLcode a transfer of ours can end with, and some it should not, in one place. Codes not
// listed fall back to a retryable connection failure: when in doubt, another attempt is cheap.
constexpr Row kTable[] = {
    // The server was never reached: surely not sent, always worth another try.
    {CURLE_COULDNT_RESOLVE_HOST, {true, false, C::kConnection, kCheckNetwork}},
    {CURLE_COULDNT_RESOLVE_PROXY, {true, false, C::kConnection, kCheckNetwork}},
    {CURLE_COULDNT_CONNECT, {true, false, C::kConnection, kCheckNetwork}},
    // The connection broke or the answer was cut: the server may have the request.
    {CURLE_SEND_ERROR, {true, true, C::kConnection, kCutShort}},
    {CURLE_RECV_ERROR, {true, true, C::kConnection, kCutShort}},
    {CURLE_GOT_NOTHING, {true, true, C::kConnection, kCutShort}},
    {CURLE_PARTIAL_FILE, {true, true, C::kConnection, kCutShort}},
    {CURLE_HTTP2, {true, true, C::kConnection, kCutShort}},
    {CURLE_HTTP2_STREAM, {true, true, C::kConnection, kCutShort}},
    {CURLE_HTTP3, {true, true, C::kConnection, kCutShort}},
    {CURLE_QUIC_CONNECT_ERROR, {true, false, C::kConnection, kCheckNetwork}},
    {CURLE_SSL_SHUTDOWN_FAILED, {true, true, C::kConnection, kCutShort}},
    {CURLE_AGAIN, {true, true, C::kConnection, kCutShort}},
    {CURLE_OPERATION_TIMEDOUT,
     {true, true, C::kTimeout,
      "Raise ClientOptions::timeout (or RequestOptions::timeout) if the server needs longer"}},
    // An answer that is not HTTP, or that cannot be decoded: asking again gives the same.
    {CURLE_WEIRD_SERVER_REPLY,
     {false, true, C::kConnection,
      "The server did not answer in HTTP: check base_url's scheme and port; not retried"}},
    {CURLE_BAD_CONTENT_ENCODING,
     {false, true, C::kConnection,
      "The server's compressed answer could not be decoded; not retried"}},
    // TLS: the handshake or the certificate failed. Nothing was sent over it.
    {CURLE_SSL_CONNECT_ERROR, {false, false, C::kTls, kTlsAdvice}},
    {CURLE_PEER_FAILED_VERIFICATION, {false, false, C::kTls, kTlsAdvice}},
    {CURLE_SSL_CIPHER, {false, false, C::kTls, kTlsAdvice}},
    {CURLE_SSL_ISSUER_ERROR, {false, false, C::kTls, kTlsAdvice}},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, {false, false, C::kTls, kTlsAdvice}},
    {CURLE_SSL_INVALIDCERTSTATUS, {false, false, C::kTls, kTlsAdvice}},
    {CURLE_USE_SSL_FAILED, {false, false, C::kTls, kTlsAdvice}},
    // Settings that cannot work, whatever the network does.
    {CURLE_URL_MALFORMAT,
     {false, false, C::kConfiguration,
      "Configuration error: the URL is malformed; check base_url (host, port) and the path"}},
    {CURLE_UNSUPPORTED_PROTOCOL,
     {false, false, C::kConfiguration,
      "Configuration error: base_url (or proxy) uses a scheme this libcurl does not support"}},
    {CURLE_NOT_BUILT_IN,
     {false, false, C::kConfiguration,
      "Configuration error: this libcurl was built without a feature the request needs"}},
    {CURLE_SSL_CACERT_BADFILE,
     {false, false, C::kConfiguration,
      "Configuration error: the CA file or directory cannot be read; check "
      "ClientOptions::ca_info / ca_path (or SSL_CERT_FILE / SSL_CERT_DIR)"}},
    {CURLE_SSL_CRL_BADFILE, {false, false, C::kConfiguration, kConfig}},
    {CURLE_SSL_CERTPROBLEM,
     {false, false, C::kConfiguration,
      "Configuration error: the client certificate cannot be used; not retried"}},
    {CURLE_SSL_ENGINE_NOTFOUND, {false, false, C::kConfiguration, kConfig}},
    {CURLE_SSL_ENGINE_SETFAILED, {false, false, C::kConfiguration, kConfig}},
    {CURLE_SSL_ENGINE_INITFAILED, {false, false, C::kConfiguration, kConfig}},
    {CURLE_SSL_CLIENTCERT, {false, false, C::kConfiguration, kConfig}},
    {CURLE_PROXY,
     {true, false, C::kConnection, "The proxy failed the tunnel; check the proxy setting"}},
    {CURLE_LOGIN_DENIED, {false, false, C::kConfiguration, kConfig}},
    {CURLE_REMOTE_ACCESS_DENIED, {false, false, C::kConfiguration, kConfig}},
    {CURLE_INTERFACE_FAILED, {false, false, C::kConfiguration, kConfig}},
    {CURLE_UNKNOWN_OPTION, {false, false, C::kConfiguration, kConfig}},
    {CURLE_BAD_FUNCTION_ARGUMENT, {false, false, C::kConfiguration, kConfig}},
    // This process failed; the network is not to blame.
    {CURLE_OUT_OF_MEMORY, {false, false, C::kLocal, "Out of memory; not retried"}},
    {CURLE_FAILED_INIT, {false, false, C::kLocal, "libcurl could not start the transfer"}},
    {CURLE_READ_ERROR,
     {false, true, C::kLocal, "A file being uploaded could not be read; not retried"}},
    {CURLE_WRITE_ERROR, {false, true, C::kLocal, "The answer could not be stored; not retried"}},
    {CURLE_ABORTED_BY_CALLBACK, {false, true, C::kLocal, "The transfer was stopped; not retried"}},
    {CURLE_SEND_FAIL_REWIND,
     {false, true, C::kLocal, "The upload could not be replayed on a new connection; not retried"}},
    {CURLE_FILESIZE_EXCEEDED, {false, true, C::kLocal, "The answer is larger than allowed"}},
};

}  // namespace

TransferOutcome classify_transfer(CURLcode code) noexcept {
  for (const Row& row : kTable) {
    if (row.code == code) return row.outcome;
  }
  return TransferOutcome{true, true, TransferErrorClass::kConnection, kCheckNetwork};
}

std::string transfer_error_message(const TransferOutcome& outcome, const std::string& origin,
                                   const std::string& curl_detail) {
  std::string message;
  switch (outcome.error_class) {
    case TransferErrorClass::kTimeout:
      message = "Request timed out talking to " + origin;
      break;
    case TransferErrorClass::kTls:
      message = "TLS error talking to " + origin;
      break;
    case TransferErrorClass::kConfiguration:
      message = "Cannot talk to " + origin;
      break;
    case TransferErrorClass::kLocal:
      message = "Request to " + origin + " failed";
      break;
    case TransferErrorClass::kConnection:
      message = "Connection error talking to " + origin;
      break;
  }
  message += ": " + curl_detail;
  if (outcome.advice[0] != '\0') {
    message += ". ";
    message += outcome.advice;
  }
  return message;
}

}  // namespace babyapi::detail
