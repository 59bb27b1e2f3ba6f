// Turns an HTTP error answer into the matching BabyAPIError subclass with a useful message, from
// whichever body shape the server used (OpenAI, vLLM's flat form, FastAPI/Docling detail, text,
// HTML). The server is not trusted: nothing it sends is rendered recursively, every text taken from
// it is bounded, and the caller's secrets are redacted from all of it.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "babyapi/errors.hpp"
#include "babyapi/json.hpp"
#include "babyapi/response.hpp"
#include "babyapi/sse.hpp"

namespace babyapi::detail {

// What the mapper needs beyond the answer: secrets to keep out of messages, and the retry delay the
// caller already parsed from the headers.
struct ErrorContext {
  std::string api_key;       // replaced by a redaction mark wherever a message or body echoes it
  std::string url_userinfo;  // "user:password" of base_url, likewise redacted
  std::optional<std::chrono::milliseconds> retry_after;
};

// What replaces a secret.
inline constexpr std::string_view kRedactionMark = "[redacted]";
// Bounds on what an error keeps of a server's answer. A cut text ends in kCutMark; a cut body ends
// in a note giving the body's full size.
inline constexpr std::size_t kMaxErrorMessageBytes = 2000;  // message() taken from a JSON body
inline constexpr std::size_t kMaxErrorTextBytes = 500;      // message() taken from a text/HTML body
inline constexpr std::size_t kMaxErrorFieldBytes = 256;     // code(), type(), param(), request_id()
inline constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;  // body()
inline constexpr std::string_view kCutMark = "\u2026";        // "…"

// The text with every secret of context replaced by a redaction mark (for messages and logs): the
// API key, base_url's userinfo (as written and percent-decoded) and its password alone when it has
// at least 4 bytes.
std::string redact(std::string_view text, const ErrorContext& context);

// redact() of at most about `limit` bytes of the result: the text is cut on a UTF-8 boundary,
// never inside a secret, and kCutMark is appended when anything was left off.
std::string redact_bounded(std::string_view text, const ErrorContext& context, std::size_t limit);

// A JSON value as text, without recursion and bounded to about `limit` bytes: a string as it is,
// null as "", anything else as compact JSON with containers nested deeper than a few levels shown
// as [...] / {...}. Safe on any parsed document, however deep (Json::dump() is not).
std::string json_value_text(const Json& value, std::size_t limit = kMaxErrorMessageBytes);

// The message, code, type and param found in an error body, with status, request id, headers and
// the (bounded, redacted) body filled in.
ErrorDetails parse_error_body(int status, const HeaderList& headers, const std::string& body,
                              std::string& message, const ErrorContext& context = {});

// The typed error for an HTTP status outside 2xx, as an exception_ptr (for code that stores it).
std::exception_ptr make_status_error(int status, const HeaderList& headers, const std::string& body,
                                     const ErrorContext& context = {});
[[noreturn]] void throw_status_error(int status, const HeaderList& headers, const std::string& body,
                                     const ErrorContext& context = {});

// The standard reason phrase ("Not Found"), or "" for an unusual status.
const char* reason_phrase(int status) noexcept;

// Throws BabyAPIError with the server's message when a stream event reports an error (an
// `event: error`, or a payload with an "error" member); returns otherwise. Defined in stream.cpp.
void throw_if_error_event(const SSEEvent& event, const HeaderList& headers,
                          const ErrorContext& error_context);

}  // namespace babyapi::detail
