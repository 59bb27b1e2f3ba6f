// Every failure the SDK reports is a BabyAPIError: one rooted hierarchy whose classes say what went
// wrong (no HTTP answer, a deadline, or an HTTP error status by class) and which always carries the
// server's message, status and request id where there was one.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "babyapi/config.hpp"
#include "babyapi/header_list.hpp"

namespace babyapi::detail {
struct ErrorState;  // src/errors.cpp
}

BABYAPI_NAMESPACE_BEGIN

/// What an error knows beyond its message. Strings are empty when the server did not say.
struct BABYAPI_EXPORT ErrorDetails {
  int status = 0;          ///< HTTP status; 0 when there was no HTTP answer
  std::string code;        ///< the server's error code; an integer code is rendered as text
  std::string type;        ///< the server's error type
  std::string param;       ///< the parameter the server blamed, when it names one
  std::string request_id;  ///< x-request-id of the answer
  std::string body;    ///< the answer body, bounded and redacted (or a failed task's status JSON)
  HeaderList headers;  ///< the answer's headers (empty when there was no HTTP answer)
  /// The delay the server asked for (retry-after-ms, else Retry-After in seconds or as an HTTP
  /// date), parsed exactly as the retry policy parses it; nullopt when it asked for none.
  std::optional<std::chrono::milliseconds> retry_after;
};

/// The root of every error the SDK throws: catch it to handle any failure of a call.
///
/// Its subclasses say what went wrong: APIConnectionError (no HTTP answer), APITimeoutError (a
/// deadline), APIStatusError (an HTTP error status; the common ones have a subclass each),
/// JsonAccessError, ResponseTooLargeError, APIUserAbortError and the finish-reason errors of
/// chat.completions.parse<T>(). Every one carries the server's message, and the status, request
/// id, body and headers of the answer when there was one. Copying an error never throws.
///
/// \code
/// try {
///   babyapi::Response res = client.chat.completions.create(params);
/// } catch (const babyapi::RateLimitError& error) {
///   if (auto delay = error.retry_after()) std::cerr << "retry in " << delay->count() << " ms\n";
/// } catch (const babyapi::APIStatusError& error) {
///   std::cerr << error.status() << " " << error.code() << ": " << error.message() << "\n";
/// } catch (const babyapi::BabyAPIError& error) {
///   std::cerr << error.what() << "\n";  // the message, with status and request id when known
/// }
/// \endcode
class BABYAPI_EXPORT BabyAPIError : public std::runtime_error {
 public:
  /// An error that knows only its message: no status, request id or answer.
  /// \param message the human-readable message, also what() without details
  explicit BabyAPIError(const std::string& message);
  /// An error with what is known of the answer; what() appends its status and request id.
  /// \param message the human-readable message
  /// \param details the status, server error fields, body and headers (see ErrorDetails)
  BabyAPIError(const std::string& message, ErrorDetails details);
  // Out of line, so that the vtable and typeinfo of the hierarchy's root live in libbabyapi.
  ~BabyAPIError() override;

  /// The human-readable message alone; what() adds the status and request id when known.
  const std::string& message() const noexcept;
  /// The HTTP status of the answer; 0 when there was no HTTP answer.
  int status() const noexcept { return details().status; }
  /// The server's error code (an integer code rendered as text); "" when it sent none.
  const std::string& code() const noexcept { return details().code; }
  /// The server's error type; "" when it sent none.
  const std::string& type() const noexcept { return details().type; }
  /// The request parameter the server blamed; "" when it named none.
  const std::string& param() const noexcept { return details().param; }
  /// x-request-id of the answer; "" when there was none. Quote it when reporting a problem.
  const std::string& request_id() const noexcept { return details().request_id; }
  /// The answer body, bounded and redacted (or a failed task's status JSON); "" when none.
  const std::string& body() const noexcept { return details().body; }
  /// Everything above at once, as one ErrorDetails.
  const ErrorDetails& details() const noexcept;
  /// The headers of the answer, such as x-ratelimit-remaining-requests on a RateLimitError.
  const HeaderList& headers() const noexcept { return details().headers; }
  /// The first header of that name, compared without regard to case; "" when absent.
  std::string header(std::string_view name) const;
  /// The delay the server asked for before a retry (retry-after-ms, else Retry-After in seconds
  /// or as an HTTP date), parsed as the retry policy parses it; nullopt when it asked for none.
  std::optional<std::chrono::milliseconds> retry_after() const noexcept {
    return details().retry_after;
  }

 private:
  struct State {
    std::string message;
    ErrorDetails details;
  };
  /// Shared so that copying an exception (as throw and catch may) never throws.
  std::shared_ptr<const detail::ErrorState> state_;
};

/// No HTTP answer arrived: the connection failed, was refused, or dropped mid-answer.
class BABYAPI_EXPORT APIConnectionError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

/// A deadline passed: the request's timeout, a stream's silence bound, or a wait's timeout.
class BABYAPI_EXPORT APITimeoutError : public APIConnectionError {
 public:
  using APIConnectionError::APIConnectionError;
};

/// A value in a JSON answer is not where or what the caller expected: a missing key, an index out
/// of range or a wrong type. The message names the JSON path (`/choices/0/message`).
class BABYAPI_EXPORT JsonAccessError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

/// An answer (a JSON body, an error body or one stream event) grew past
/// ClientOptions::max_response_bytes. Never retried: the same request would give the same answer.
class BABYAPI_EXPORT ResponseTooLargeError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

/// The call was cancelled through its CancelToken (RequestOptions::cancel) or Future::cancel(). Its
/// connection was closed, so the server stops working on it. Never retried.
class BABYAPI_EXPORT APIUserAbortError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

/// The server answered with a status outside 2xx (3xx included: redirects are never followed, so
/// that the API key never travels elsewhere; header("location") tells where it pointed). The
/// statuses with a class of their own throw that subclass; any other (a 3xx, 405, 408, ...)
/// throws APIStatusError itself.
class BABYAPI_EXPORT APIStatusError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

/// HTTP 400 Bad Request: the request is malformed or a parameter is invalid.
class BABYAPI_EXPORT BadRequestError : public APIStatusError {
 public:
  using APIStatusError::APIStatusError;
};
/// HTTP 401 Unauthorized: the API key is missing, wrong or revoked.
class BABYAPI_EXPORT AuthenticationError : public APIStatusError {
 public:
  using APIStatusError::APIStatusError;
};
/// HTTP 403 Forbidden: the key may not use this model or endpoint.
class BABYAPI_EXPORT PermissionDeniedError : public APIStatusError {
 public:
  using APIStatusError::APIStatusError;
};
/// HTTP 404 Not Found: no such model, endpoint, file or task.
class BABYAPI_EXPORT NotFoundError : public APIStatusError {
 public:
  using APIStatusError::APIStatusError;
};
/// HTTP 409 Conflict: the request clashes with the current state of a resource.
class BABYAPI_EXPORT ConflictError : public APIStatusError {
 public:
  using APIStatusError::APIStatusError;
};
/// HTTP 422 Unprocessable Entity: well-formed, but the values were rejected.
class BABYAPI_EXPORT UnprocessableEntityError : public APIStatusError {
 public:
  using APIStatusError::APIStatusError;
};
/// HTTP 429 Too Many Requests: see retry_after() and the x-ratelimit-* headers.
class BABYAPI_EXPORT RateLimitError : public APIStatusError {
 public:
  using APIStatusError::APIStatusError;
};
/// HTTP status >= 500: the server, or a gateway before it, failed.
class BABYAPI_EXPORT InternalServerError : public APIStatusError {
 public:
  using APIStatusError::APIStatusError;
};

/// chat.completions.parse<T>() got an answer the model stopped before finishing: finish_reason
/// "length" (max_tokens ran out, so the JSON is cut). body() holds the content it did give.
class BABYAPI_EXPORT LengthFinishReasonError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

/// chat.completions.parse<T>() got an answer withheld by a content filter (finish_reason
/// "content_filter").
class BABYAPI_EXPORT ContentFilterFinishReasonError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

BABYAPI_NAMESPACE_END
