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

// What an error knows beyond its message. Strings are empty when the server did not say.
struct BABYAPI_EXPORT ErrorDetails {
  int status = 0;          // HTTP status; 0 when there was no HTTP answer
  std::string code;        // the server's error code; an integer code is rendered as text
  std::string type;        // the server's error type
  std::string param;       // the parameter the server blamed, when it names one
  std::string request_id;  // x-request-id of the answer
  std::string body;        // the answer body, bounded and redacted (or a failed task's status JSON)
  HeaderList headers;      // the answer's headers (empty when there was no HTTP answer)
  // The delay the server asked for (retry-after-ms, else Retry-After in seconds or as an HTTP
  // date), parsed exactly as the retry policy parses it; nullopt when it asked for none.
  std::optional<std::chrono::milliseconds> retry_after;
};

class BABYAPI_EXPORT BabyAPIError : public std::runtime_error {
 public:
  explicit BabyAPIError(const std::string& message);
  BabyAPIError(const std::string& message, ErrorDetails details);
  // Out of line, so that the vtable and typeinfo of the hierarchy's root live in libbabyapi.
  ~BabyAPIError() override;

  // The human-readable message alone; what() adds the status and request id when known.
  const std::string& message() const noexcept;
  int status() const noexcept { return details().status; }
  const std::string& code() const noexcept { return details().code; }
  const std::string& type() const noexcept { return details().type; }
  const std::string& param() const noexcept { return details().param; }
  const std::string& request_id() const noexcept { return details().request_id; }
  const std::string& body() const noexcept { return details().body; }
  const ErrorDetails& details() const noexcept;
  // The headers of the answer, e.g. x-ratelimit-remaining-requests on a RateLimitError.
  const HeaderList& headers() const noexcept { return details().headers; }
  // The first header of that name, compared without regard to case; "" when absent.
  std::string header(std::string_view name) const;
  std::optional<std::chrono::milliseconds> retry_after() const noexcept {
    return details().retry_after;
  }

 private:
  // Shared so that copying an exception (as throw and catch may) never throws.
  std::shared_ptr<const detail::ErrorState> state_;
};

// No HTTP answer arrived: the connection failed, was refused, or dropped mid-answer.
class BABYAPI_EXPORT APIConnectionError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

// A deadline passed: the request's timeout, a stream's silence bound, or a wait's timeout.
class BABYAPI_EXPORT APITimeoutError : public APIConnectionError {
 public:
  using APIConnectionError::APIConnectionError;
};

// A value in a JSON answer is not where or what the caller expected: a missing key, an index out of
// range or a wrong type. The message names the JSON path (`/choices/0/message`).
class BABYAPI_EXPORT JsonAccessError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

// An answer (a JSON body, an error body or one stream event) grew past
// ClientOptions::max_response_bytes. Never retried: the same request would give the same answer.
class BABYAPI_EXPORT ResponseTooLargeError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

// The call was cancelled through its CancelToken (RequestOptions::cancel) or Future::cancel(). Its
// connection was closed, so the server stops working on it. Never retried.
class BABYAPI_EXPORT APIUserAbortError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

// The server answered with a status outside 2xx (3xx included: redirects are never followed, so
// that the API key never travels elsewhere; header("location") tells where it pointed).
class BABYAPI_EXPORT APIStatusError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

class BABYAPI_EXPORT BadRequestError : public APIStatusError {  // 400
 public:
  using APIStatusError::APIStatusError;
};
class BABYAPI_EXPORT AuthenticationError : public APIStatusError {  // 401
 public:
  using APIStatusError::APIStatusError;
};
class BABYAPI_EXPORT PermissionDeniedError : public APIStatusError {  // 403
 public:
  using APIStatusError::APIStatusError;
};
class BABYAPI_EXPORT NotFoundError : public APIStatusError {  // 404
 public:
  using APIStatusError::APIStatusError;
};
class BABYAPI_EXPORT ConflictError : public APIStatusError {  // 409
 public:
  using APIStatusError::APIStatusError;
};
class BABYAPI_EXPORT UnprocessableEntityError : public APIStatusError {  // 422
 public:
  using APIStatusError::APIStatusError;
};
class BABYAPI_EXPORT RateLimitError : public APIStatusError {  // 429
 public:
  using APIStatusError::APIStatusError;
};
class BABYAPI_EXPORT InternalServerError : public APIStatusError {  // >= 500
 public:
  using APIStatusError::APIStatusError;
};

// chat.completions.parse<T>() got an answer the model stopped before finishing: finish_reason
// "length" (max_tokens ran out, so the JSON is cut). body() holds the content it did give.
class BABYAPI_EXPORT LengthFinishReasonError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

// chat.completions.parse<T>() got an answer withheld by a content filter (finish_reason
// "content_filter").
class BABYAPI_EXPORT ContentFilterFinishReasonError : public BabyAPIError {
 public:
  using BabyAPIError::BabyAPIError;
};

BABYAPI_NAMESPACE_END
