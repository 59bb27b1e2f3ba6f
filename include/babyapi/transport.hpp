// The transport seam: what the SDK hands to the network and what comes back. The Client's own
// transport is libcurl; ClientOptions::transport replaces it, which is how the test kit
// (<babyapi/testing.hpp>, babyapi::testing::FakeTransport) answers calls without a server.
//
// A Transport sees each attempt once it is fully built: the URL, every header (Authorization
// included), the JSON or multipart body and the bounds that apply. Retries, error mapping,
// streams, the async engine and docling waits all run above it, exactly as over the network.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/cancel.hpp"
#include "babyapi/config.hpp"
#include "babyapi/header_list.hpp"
#include "babyapi/options.hpp"

BABYAPI_NAMESPACE_BEGIN

/// One part of a multipart/form-data body (docling's file uploads).
struct BABYAPI_EXPORT FormPart {
  std::string name;          ///< the form field's name ("files" for docling uploads)
  std::string value;         ///< a field's text, or a file's bytes when it is not read from disk
  bool is_file = false;      ///< a file part (sent with a filename), not a plain field
  std::string path;          ///< a file read from disk as it is sent (empty for bytes or fields)
  std::string filename;      ///< the filename a file part is sent with
  std::string content_type;  ///< a file part's content type; empty: application/octet-stream
};
/// A multipart/form-data body: its parts in the order they are sent.
using Form = std::vector<FormPart>;

/// One HTTP exchange as the SDK wants it sent.
struct BABYAPI_EXPORT HttpRequest {
  std::string method = "GET";            ///< GET, POST, DELETE, ...
  std::string url;                       ///< absolute: the Client's base_url followed by the path
  HeaderList headers;                    ///< every header, Authorization included, in sending order
  std::string body;                      ///< sent when non-empty or the method is POST
  std::shared_ptr<const Form> form;      ///< sent as multipart/form-data instead of body when set
  std::chrono::milliseconds timeout{0};  ///< whole exchange; 0 = none
  std::chrono::milliseconds idle_timeout{0};     ///< abort when no byte moves this long; 0 = none
  std::chrono::milliseconds connect_timeout{0};  ///< 0 = the transport's default
  ProgressCallback on_upload_progress;           ///< RequestOptions::on_upload_progress of the call
  /// The whole call's deadline (ClientOptions::total_timeout or RequestOptions::total_timeout),
  /// shared by every attempt; a transfer never runs past it and fails with APITimeoutError when it
  /// passes.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// The most decoded body bytes accepted; past it the transfer fails with ResponseTooLargeError.
  /// 0 = no bound.
  std::size_t max_response_bytes = 0;
  /// When set, the body of a successful (2xx) answer is written to this file as it arrives and
  /// HttpResponse::body stays empty; an error answer's body is still read into memory, bounded.
  std::string download_to;
  /// Streams: body bytes held for the consumer before the transfer pauses (back-pressure).
  std::size_t stream_buffer_limit = std::size_t{256} * 1024;
  /// The call's CancelToken: a stream's next read throws APIUserAbortError once it is cancelled.
  std::optional<CancelToken> cancel;
  /// The answer's JSON is read by the caller's own parser (EmbeddingMatrix): Response keeps the
  /// body as text and builds no tree.
  bool unparsed_body = false;
};

/// An HTTP answer, whatever its status (the SDK maps error statuses to typed errors itself).
struct BABYAPI_EXPORT HttpResponse {
  int status = 0;      ///< the HTTP status (any: the SDK maps errors itself)
  HeaderList headers;  ///< the answer's headers in the order they came
  std::string body;    ///< the decoded body (empty when HttpRequest::download_to took it)
};

/// What a failure without an HTTP answer means for the retry loop. A transport may throw
/// `TransferError<APIConnectionError>` (or `TransferError<APITimeoutError>`) to say it; a plain
/// APIConnectionError counts as retryable and maybe sent.
struct BABYAPI_EXPORT TransferTraits {
  bool retryable = true;   ///< worth another attempt (a refused or reset connection, a timeout)
  bool maybe_sent = true;  ///< the server may have received the request (false: it surely did not)
};

/// An error of class Base (APIConnectionError, APITimeoutError) that carries TransferTraits.
///
/// \code
/// throw babyapi::TransferError<babyapi::APIConnectionError>(
///     "connection refused", babyapi::TransferTraits{/*retryable=*/true, /*maybe_sent=*/false});
/// \endcode
template <class Base>
class TransferError : public Base, public TransferTraits {
 public:
  /// The error's message and what the failure means for the retry loop.
  TransferError(const std::string& message, TransferTraits traits)
      : Base(message), TransferTraits(traits) {}
};

/// One streaming exchange in progress. Its status and headers are known once open_stream returns;
/// the body is pulled piece by piece in the reader's thread.
class BABYAPI_EXPORT StreamTransfer {
 public:
  virtual ~StreamTransfer() = default;
  virtual int status() const = 0;                 ///< the answer's HTTP status
  virtual const HeaderList& headers() const = 0;  ///< the answer's headers
  /// The next bytes of the body (valid until the next call), or an empty view once the body ended
  /// cleanly. Throws APIConnectionError when the transfer fails, APITimeoutError after the idle
  /// bound of silence.
  virtual std::string_view read() = 0;
  /// How often the transfer paused because the consumer had not taken the bytes yet.
  virtual std::size_t pauses() const { return 0; }
  /// Throws APIUserAbortError once the request's CancelToken was cancelled.
  virtual void check_cancelled() const {}
};

/// The interface ClientOptions::transport takes. send and open_stream may be called from several
/// threads at once (a Client is shared between threads, and its engine thread calls them for
/// async work when the transport is not the built-in one).
class BABYAPI_EXPORT Transport {
 public:
  virtual ~Transport() = default;
  /// One attempt: the answer, whatever its status. Throws APIConnectionError (APITimeoutError for
  /// a deadline) when there is no HTTP answer.
  virtual HttpResponse send(const HttpRequest& request) = 0;
  /// Sends request and returns once the status and headers are in (request.timeout does not apply:
  /// a stream has no overall deadline). idle_timeout bounds silence between bytes; 0 means none.
  virtual std::unique_ptr<StreamTransfer> open_stream(const HttpRequest& request,
                                                      std::chrono::milliseconds idle_timeout) = 0;
  /// Drops idle connections (Client::close()).
  virtual void close() {}
  /// The clock and the pause the SDK uses above this transport: retry back-off, total_timeout and
  /// docling's polling. A fake overrides both to run on virtual time. A custom sleep() is not cut
  /// short by a CancelToken; the token is checked when it returns.
  virtual std::chrono::steady_clock::time_point now() const {
    return std::chrono::steady_clock::now();
  }
  /// Waits delay (a back-off, a poll interval). The default really sleeps.
  virtual void sleep(std::chrono::milliseconds delay);
};

BABYAPI_NAMESPACE_END
