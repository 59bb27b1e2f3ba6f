// Response: one HTTP answer from BabyAPI — its status, headers, exact body bytes and, when the
// body is JSON, the parsed value, indexable like the Python SDK's dicts.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "babyapi/json.hpp"

namespace babyapi {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class Response {
 public:
  Response() = default;
  // Parses the body as JSON when the content type says JSON (a malformed JSON body throws
  // BabyAPIError carrying the status and request id).
  Response(int status, HeaderList headers, std::string body);

  // The parsed body; null when the answer was not JSON.
  const Json& json() const& noexcept { return json_; }
  Json& json() & noexcept { return json_; }
  // On a temporary Response the value is moved out, so `for (auto& m :
  // client.models.list().json())` and the operator[] / get forms below never dangle.
  Json json() && noexcept { return std::move(json_); }
  // The exact body bytes, whatever the content type (e.g. audio/wav from a raw call).
  const std::string& text() const noexcept { return body_; }
  int status() const noexcept { return status_; }
  // First header of that name, compared without regard to case; "" when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  const HeaderList& headers() const noexcept { return headers_; }
  // x-request-id of the answer; "" when the server sent none.
  std::string request_id() const { return header("x-request-id"); }
  // For Docling async submits: the node that owns the task (header x-babyapi-docling-id).
  std::string docling_id() const { return header("x-babyapi-docling-id"); }

  // Member access like Python's res["choices"]: throws Json::out_of_range when the key is absent
  // (never undefined behaviour) and Json::type_error when the body is not a JSON object.
  const Json& operator[](std::string_view key) const& { return json_.at(key); }
  const Json& operator[](const char* key) const& { return json_.at(key); }
  Json operator[](std::string_view key) && { return std::move(json_.at(key)); }
  Json operator[](const char* key) && { return std::move(json_.at(key)); }
  // Like Python's res.get(key): the member, or null when absent or not an object.
  const Json& get(std::string_view key) const& noexcept;
  Json get(std::string_view key) && { return get(key); }
  bool contains(std::string_view key) const noexcept;

  operator const Json&() const noexcept { return json_; }  // NOLINT(google-explicit-constructor)

 private:
  int status_ = 0;
  HeaderList headers_;
  std::string body_;
  Json json_;
};

}  // namespace babyapi
