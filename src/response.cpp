#include "babyapi/response.hpp"

#include "babyapi/errors.hpp"
#include "util/strings.hpp"

namespace babyapi {

Response::Response(int status, HeaderList headers, std::string body)
    : status_(status), headers_(std::move(headers)), body_(std::move(body)) {
  if (body_.empty() || detail::to_lower(header("content-type")).find("json") == std::string::npos) {
    return;
  }
  json_ = Json::parse(body_, nullptr, /*allow_exceptions=*/false);
  if (json_.is_discarded()) {
    json_ = nullptr;
    ErrorDetails details;
    details.status = status_;
    details.request_id = request_id();
    details.body = body_;
    throw BabyAPIError("The server sent a JSON content type with a body that is not valid JSON",
                       std::move(details));
  }
}

std::string Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (detail::iequals(key, name)) return value;
  }
  return {};
}

bool Response::has_header(std::string_view name) const {
  for (const auto& entry : headers_) {
    if (detail::iequals(entry.first, name)) return true;
  }
  return false;
}

const Json& Response::get(std::string_view key) const& noexcept {
  static const Json kNull;
  if (!json_.is_object()) return kNull;
  const auto found = json_.find(key);
  return found == json_.end() ? kNull : *found;
}

bool Response::contains(std::string_view key) const noexcept {
  return json_.is_object() && json_.contains(key);
}

}  // namespace babyapi
