// The transport seam: one HTTP exchange in, one answer out. CurlTransport is the real one; unit
// tests of pure logic may substitute a fake. Failures without an HTTP answer throw
// APIConnectionError (APITimeoutError when a deadline passed).
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "babyapi/cancel.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"
#include "http/form.hpp"

namespace babyapi::detail {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;                      // sent when non-empty or the method is POST
  std::shared_ptr<const Form> form;      // sent as multipart/form-data instead of body when set
  std::chrono::milliseconds timeout{0};  // whole exchange; 0 = none
  std::chrono::milliseconds idle_timeout{0};     // abort when no byte moves this long; 0 = none
  std::chrono::milliseconds connect_timeout{0};  // 0 = libcurl's default
  ProgressCallback on_upload_progress;
  // The whole call's deadline (ClientOptions/RequestOptions::total_timeout), shared by every
  // attempt; a transfer never runs past it and fails with APITimeoutError when it passes.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // The most decoded body bytes accepted; past it the transfer fails with ResponseTooLargeError.
  // 0 = no bound.
  std::size_t max_response_bytes = 0;
  // When set, the body of a successful (2xx) answer is written to this file as it arrives and
  // HttpResponse::body stays empty; an error answer's body is still read into memory, bounded.
  std::string download_to;
  // Streams: body bytes held for the consumer before the transfer pauses (back-pressure).
  std::size_t stream_buffer_limit = std::size_t{256} * 1024;
  // Streams read in the caller's thread: a cancel makes the next read throw APIUserAbortError.
  std::optional<CancelToken> cancel;
  // The answer's JSON is read by the caller's own parser (EmbeddingMatrix): Response keeps the
  // body as text and builds no tree.
  bool unparsed_body = false;
};

// Mixed into the errors a transport throws for an exchange that got no HTTP answer, so that the
// retry loop knows what the failure means. Users see only the public class (APIConnectionError,
// APITimeoutError, or BabyAPIError for a configuration mistake).
struct TransferTraits {
  bool retryable = true;   // worth another attempt (a refused or reset connection, a timeout)
  bool maybe_sent = true;  // the server may have received the request (false: it surely did not)
};

template <class Base>
class TransferError : public Base, public TransferTraits {
 public:
  TransferError(const std::string& message, TransferTraits traits)
      : Base(message), TransferTraits(traits) {}
};

// The traits of error, or the defaults (retryable, maybe sent) when it carries none.
inline TransferTraits transfer_traits(const std::exception& error) noexcept {
  if (const auto* traits = dynamic_cast<const TransferTraits*>(&error)) return *traits;
  return TransferTraits{};
}

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
};

struct TransportConfig {
  std::string ca_info;
  std::string ca_path;
  std::optional<std::string> proxy;
  int max_connections = 256;  // the async engine's bound on open connections
};

// One streaming exchange in progress. Its status and headers are known once open_stream returns;
// the body is pulled piece by piece in the caller's thread.
class StreamTransfer {
 public:
  virtual ~StreamTransfer() = default;
  virtual int status() const = 0;
  virtual const HeaderList& headers() const = 0;
  // The next bytes of the body (valid until the next call), or an empty view once the body ended
  // cleanly. Throws APIConnectionError when the transfer fails, APITimeoutError after idle_timeout
  // of silence.
  virtual std::string_view read() = 0;
  // How often the transfer paused because the consumer had not taken the bytes yet.
  virtual std::size_t pauses() const = 0;
  // Throws APIUserAbortError once the request's CancelToken was cancelled.
  virtual void check_cancelled() const {}
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
  // Sends request (its timeout is ignored: streams have no overall deadline) and waits for the
  // status and headers. idle_timeout bounds silence between bytes; zero means none.
  virtual std::unique_ptr<StreamTransfer> open_stream(const HttpRequest& request,
                                                      std::chrono::milliseconds idle_timeout) = 0;
  // Drops idle pooled connections.
  virtual void close() = 0;
  // The event loop for this transport's async calls (one per Client, made on first use).
  virtual std::unique_ptr<class Engine> make_engine() = 0;
};

std::unique_ptr<Transport> make_curl_transport(const TransportConfig& config);

}  // namespace babyapi::detail
