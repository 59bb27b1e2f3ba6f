#include "babyapi/response.hpp"

#include <mutex>

#include "babyapi/errors.hpp"
#include "sse/chunk_fields.hpp"
#include "util/strings.hpp"

BABYAPI_NAMESPACE_BEGIN

const std::string* find_header(const HeaderList& headers, std::string_view name) noexcept {
  for (const auto& entry : headers) {
    if (detail::iequals(entry.first, name)) return &entry.second;
  }
  return nullptr;
}

BABYAPI_NAMESPACE_END

namespace babyapi::detail {
struct ResponseTextCache {
  std::once_flag once;
  std::string text;
};
}  // namespace babyapi::detail

BABYAPI_NAMESPACE_BEGIN

Response::Response(int status, HeaderList headers, std::string body, bool keep_text)
    : status_(status), headers_(std::move(headers)), body_(std::move(body)) {
  if (body_.empty() || content_type().find("json") == std::string::npos) return;
  json_ = Json::parse(body_, nullptr, /*allow_exceptions=*/false);
  if (!json_.is_discarded()) {
    origin_ = make_origin();  // once per answer, not once per res["key"]
    if (!keep_text) {
      // The tree is what callers read; the text would double the memory a large answer holds.
      std::string().swap(body_);
      text_cache_ = std::make_shared<detail::ResponseTextCache>();
    }
    return;
  }
  json_ = nullptr;
  ErrorDetails details;
  details.status = status_;
  details.request_id = request_id();
  details.headers = headers_;
  details.body = body_.substr(0, 64 << 10);
  throw BabyAPIError("The server sent a JSON content type with a body that is not valid JSON",
                     std::move(details));
}

const std::string& Response::text() const {
  if (!text_cache_) return body_;
  // Shared by copies of this answer; call_once keeps concurrent readers of one answer safe.
  std::call_once(text_cache_->once, [this] {
    text_cache_->text = json_.dump(-1, ' ', false, Json::error_handler_t::replace);
  });
  return text_cache_->text;
}

std::string Response::header(std::string_view name) const {
  const std::string* value = find_header(headers_, name);
  return value != nullptr ? *value : std::string();
}

bool Response::has_header(std::string_view name) const {
  return find_header(headers_, name) != nullptr;
}

std::string Response::content_type() const {
  const std::string* value = find_header(headers_, "content-type");
  return value != nullptr ? detail::media_type(*value) : std::string();
}

std::shared_ptr<JsonViewOrigin> Response::make_origin() const {
  auto origin = std::make_shared<JsonViewOrigin>();
  origin->status = status_;
  origin->request_id = request_id();
  return origin;
}

JsonView Response::view() const& { return JsonView(json_, origin_ ? origin_ : make_origin()); }

JsonView Response::view() && {
  // The views own the document from here on; the origin is this answer's alone.
  std::shared_ptr<JsonViewOrigin> origin = make_origin();
  auto document = std::make_shared<const Json>(std::move(json_));
  const Json& value = *document;
  origin->document = std::move(document);
  return JsonView(value, std::move(origin));
}

JsonView Response::operator[](std::string_view key) const& { return view()[key]; }

JsonView Response::operator[](std::string_view key) && { return std::move(*this).view()[key]; }

const Json& Response::get(std::string_view key) const& noexcept {
  static const Json kNull;
  if (!json_.is_object()) return kNull;
  const auto found = json_.find(key);
  return found == json_.end() ? kNull : *found;
}

namespace {

const Json* first_message(const Json& document) noexcept {
  const Json* choice = detail::find_choice(document, 0);
  if (choice == nullptr) return nullptr;
  const auto message = choice->find("message");
  return message != choice->end() && message->is_object() ? &*message : nullptr;
}

}  // namespace

std::string Response::content() const {
  if (const Json* message = first_message(json_)) {
    const std::string* content = detail::string_member(*message, "content");
    return content != nullptr ? *content : std::string();
  }
  const Json* choice = detail::find_choice(json_, 0);
  const std::string* text = choice != nullptr ? detail::string_member(*choice, "text") : nullptr;
  return text != nullptr ? *text : std::string();
}

std::string Response::reasoning() const {
  const Json* message = first_message(json_);
  const std::string* reasoning = message != nullptr ? detail::reasoning_member(*message) : nullptr;
  return reasoning != nullptr ? *reasoning : std::string();
}

Json Response::tool_calls() const {
  const Json* message = first_message(json_);
  if (message == nullptr) return Json::array();
  const auto calls = message->find("tool_calls");
  return calls != message->end() && calls->is_array() ? *calls : Json::array();
}

std::optional<std::string> Response::finish_reason() const {
  const Json* choice = detail::find_choice(json_, 0);
  const std::string* reason =
      choice != nullptr ? detail::string_member(*choice, "finish_reason") : nullptr;
  if (reason == nullptr) return std::nullopt;
  return *reason;
}

Json Response::usage() const {
  if (!json_.is_object()) return nullptr;
  const auto usage = json_.find("usage");
  return usage != json_.end() && usage->is_object() ? *usage : Json(nullptr);
}

bool Response::contains(std::string_view key) const noexcept {
  return json_.is_object() && json_.contains(key);
}

BABYAPI_NAMESPACE_END
