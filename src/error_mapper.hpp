// Turns an HTTP error answer into the matching BabyAPIError subclass with a useful message, from
// whichever body shape the server used (OpenAI, vLLM's flat form, FastAPI/Docling detail, text,
// HTML).
#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <string_view>
#include <string>

#include "babyapi/errors.hpp"
#include "babyapi/response.hpp"

namespace babyapi::detail {

// What the mapper needs beyond the answer: secrets to keep out of messages, and the retry delay the
// caller already parsed from the headers.
struct ErrorContext {
  std::string api_key;       // replaced by a redaction mark wherever a message or body echoes it
  std::string url_userinfo;  // "user:password" of base_url, likewise redacted
  std::optional<std::chrono::milliseconds> retry_after;
};

// The text with every secret of context replaced by a redaction mark (for messages and logs).
std::string redact(std::string_view text, const ErrorContext& context);

// The message, code, type and param found in an error body, with status, request id, headers and
// the (bounded, redacted) body filled in.
ErrorDetails parse_error_body(int status, const HeaderList& headers, const std::string& body,
                              std::string& message, const ErrorContext& context = {});

// The typed error for an HTTP status outside 2xx, as an exception_ptr (for code that stores it).
std::exception_ptr make_status_error(int status, const HeaderList& headers,
                                     const std::string& body, const ErrorContext& context = {});
[[noreturn]] void throw_status_error(int status, const HeaderList& headers,
                                     const std::string& body, const ErrorContext& context = {});

// The standard reason phrase ("Not Found"), or "" for an unusual status.
const char* reason_phrase(int status) noexcept;

}  // namespace babyapi::detail
