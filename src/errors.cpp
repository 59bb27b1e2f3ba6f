#include "babyapi/errors.hpp"

namespace babyapi::detail {

struct ErrorState {
  std::string message;
  ErrorDetails details;
};

}  // namespace babyapi::detail

BABYAPI_NAMESPACE_BEGIN
namespace {

std::string describe(const std::string& message, const ErrorDetails& details) {
  std::string text = message;
  if (details.status != 0 || !details.request_id.empty()) {
    text += " (";
    if (details.status != 0) text += "HTTP " + std::to_string(details.status);
    if (details.status != 0 && !details.request_id.empty()) text += ", ";
    if (!details.request_id.empty()) text += "request id " + details.request_id;
    text += ")";
  }
  return text;
}

}  // namespace

BabyAPIError::BabyAPIError(const std::string& message) : BabyAPIError(message, ErrorDetails{}) {}

BabyAPIError::BabyAPIError(const std::string& message, ErrorDetails details)
    : std::runtime_error(describe(message, details)),
      state_(std::make_shared<const detail::ErrorState>(
          detail::ErrorState{message, std::move(details)})) {}

BabyAPIError::~BabyAPIError() = default;

const std::string& BabyAPIError::message() const noexcept { return state_->message; }

const ErrorDetails& BabyAPIError::details() const noexcept { return state_->details; }

BABYAPI_NAMESPACE_END

BABYAPI_NAMESPACE_BEGIN

std::string BabyAPIError::header(std::string_view name) const {
  const std::string* value = find_header(state_->details.headers, name);
  return value != nullptr ? *value : std::string();
}

BABYAPI_NAMESPACE_END
