#include "error_mapper.hpp"

#include "util/strings.hpp"

namespace babyapi::detail {
namespace {

constexpr size_t kMaxTextMessage = 500;

std::string header_value(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

// Strings stay as they are; numbers and other scalars become their JSON text; null becomes "".
std::string scalar_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return {};
  return value.dump();
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
    } else {
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }
  return out;
}

std::string truncate(std::string text) {
  if (text.size() > kMaxTextMessage) {
    text.resize(kMaxTextMessage);
    text += "...";
  }
  return text;
}

// Visible text of an HTML page: its <title> when there is one, else the text between tags.
std::string html_text(std::string_view html) {
  const std::string lower = to_lower(html);
  const size_t title = lower.find("<title>");
  if (title != std::string::npos) {
    const size_t end = lower.find("</title>", title);
    if (end != std::string::npos) {
      std::string text = collapse_whitespace(html.substr(title + 7, end - title - 7));
      if (!text.empty()) return text;
    }
  }
  std::string text;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') {
      in_tag = true;
      text.push_back(' ');
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      text.push_back(c);
    }
  }
  return collapse_whitespace(text);
}

// FastAPI validation errors: [{"loc": ["body", "files"], "msg": "Field required", "type": ...}].
std::string detail_list_message(const Json& items, std::string& type) {
  std::string message;
  for (const Json& item : items) {
    if (!message.empty()) message += "; ";
    if (!item.is_object()) {
      message += scalar_text(item);
      continue;
    }
    std::string where;
    if (item.contains("loc") && item["loc"].is_array()) {
      for (const Json& part : item["loc"]) {
        if (!where.empty()) where += '.';
        where += scalar_text(part);
      }
    }
    const std::string msg = item.contains("msg") ? scalar_text(item["msg"]) : item.dump();
    message += where.empty() ? msg : where + ": " + msg;
    if (type.empty() && item.contains("type")) type = scalar_text(item["type"]);
  }
  return message;
}

void from_json_body(const Json& body, ErrorDetails& details, std::string& message) {
  if (!body.is_object()) return;
  const Json* source = &body;
  if (body.contains("error")) {
    const Json& error = body["error"];
    if (error.is_string()) {
      message = error.get<std::string>();
      source = nullptr;
    } else if (error.is_object()) {
      source = &error;
    }
  }
  if (source != nullptr) {
    if (source->contains("message")) message = scalar_text((*source)["message"]);
    if (source->contains("code")) details.code = scalar_text((*source)["code"]);
    if (source->contains("type")) details.type = scalar_text((*source)["type"]);
    if (source->contains("param")) details.param = scalar_text((*source)["param"]);
  }
  if (message.empty() && body.contains("detail")) {
    const Json& detail = body["detail"];
    if (detail.is_array()) {
      message = detail_list_message(detail, details.type);
    } else if (detail.is_object() && detail.contains("message")) {
      message = scalar_text(detail["message"]);
    } else {
      message = scalar_text(detail);
    }
  }
}

}  // namespace

const char* reason_phrase(int status) noexcept {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

std::string redact(std::string_view text, const ErrorContext& context) {
  std::string out(text);
  for (const std::string* secret : {&context.api_key, &context.url_userinfo}) {
    if (secret->empty()) continue;
    for (size_t at = out.find(*secret); at != std::string::npos;
         at = out.find(*secret, at + 10)) {
      out.replace(at, secret->size(), "[redacted]");
    }
  }
  return out;
}

ErrorDetails parse_error_body(int status, const HeaderList& headers, const std::string& body,
                              std::string& message, const ErrorContext& context) {
  ErrorDetails details;
  details.status = status;
  details.request_id = header_value(headers, "x-request-id");
  details.body = body;
  details.headers = headers;
  details.retry_after = context.retry_after;
  message.clear();

  const std::string type = to_lower(header_value(headers, "content-type"));
  const std::string_view trimmed = trim(body);
  const bool looks_json = !trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[');
  if (type.find("json") != std::string::npos || looks_json) {
    const Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) from_json_body(parsed, details, message);
  }
  if (message.empty() && !trimmed.empty()) {
    const bool html = type.find("html") != std::string::npos || trimmed.front() == '<';
    message = truncate(html ? html_text(trimmed) : collapse_whitespace(trimmed));
  }
  if (message.empty()) {
    const std::string phrase = reason_phrase(status);
    message = "HTTP " + std::to_string(status) + (phrase.empty() ? "" : " " + phrase);
  }
  return details;
}

std::exception_ptr make_status_error(int status, const HeaderList& headers,
                                     const std::string& body, const ErrorContext& context) {
  std::string message;
  ErrorDetails details = parse_error_body(status, headers, body, message, context);
  switch (status) {
    case 400:
      return std::make_exception_ptr(BadRequestError(message, std::move(details)));
    case 401:
      return std::make_exception_ptr(AuthenticationError(message, std::move(details)));
    case 403:
      return std::make_exception_ptr(PermissionDeniedError(message, std::move(details)));
    case 404:
      return std::make_exception_ptr(NotFoundError(message, std::move(details)));
    case 409:
      return std::make_exception_ptr(ConflictError(message, std::move(details)));
    case 422:
      return std::make_exception_ptr(UnprocessableEntityError(message, std::move(details)));
    case 429:
      return std::make_exception_ptr(RateLimitError(message, std::move(details)));
    default:
      break;
  }
  if (status >= 500) {
    return std::make_exception_ptr(InternalServerError(message, std::move(details)));
  }
  return std::make_exception_ptr(APIStatusError(message, std::move(details)));
}

void throw_status_error(int status, const HeaderList& headers, const std::string& body,
                        const ErrorContext& context) {
  std::rethrow_exception(make_status_error(status, headers, body, context));
}

}  // namespace babyapi::detail
