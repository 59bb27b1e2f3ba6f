// Turns an HTTP error answer into the matching BabyAPIError subclass with a useful message, from
// whichever body shape the server used (OpenAI, vLLM's flat form, FastAPI/Docling detail, text,
// HTML).
#pragma once

#include <exception>
#include <string>

#include "babyapi/errors.hpp"
#include "babyapi/response.hpp"

namespace babyapi::detail {

// The message, code, type and param found in an error body (status and request id not filled).
ErrorDetails parse_error_body(int status, const HeaderList& headers, const std::string& body,
                              std::string& message);

// The typed error for an HTTP error status, as an exception_ptr (for code that stores it).
std::exception_ptr make_status_error(int status, const HeaderList& headers,
                                     const std::string& body);
[[noreturn]] void throw_status_error(int status, const HeaderList& headers,
                                     const std::string& body);

// The standard reason phrase ("Not Found"), or "" for an unusual status.
const char* reason_phrase(int status) noexcept;

}  // namespace babyapi::detail
