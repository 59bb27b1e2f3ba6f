// Response: one HTTP answer from BabyAPI — its status, headers, exact body bytes and, when the
// body is JSON, the parsed value, indexable like the Python SDK's dicts.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "babyapi/config.hpp"
#include "babyapi/header_list.hpp"
#include "babyapi/json.hpp"
#include "babyapi/json_view.hpp"

namespace babyapi::detail {
class ClientCore;
struct ResponseTextCache;  // src/response.cpp
struct UnparsedBody;       // a tag: a JSON answer kept as text (src/client_core.hpp)
}  // namespace babyapi::detail

BABYAPI_NAMESPACE_BEGIN

/// One HTTP answer from BabyAPI: its status, headers, body and, when the body is JSON, the parsed
/// value.
///
/// `res["key"]` reads the JSON like Python's dicts, checked at every depth (see JsonView);
/// json() gives the plain, unchecked Json; content(), reasoning(), tool_calls(),
/// finish_reason() and usage() read the first choice of a chat or completions answer without
/// throwing. A Response is a plain value: copy or move it as you like.
///
/// \code
/// babyapi::Response res = client.chat.completions.create(
///     {{"model", "mistral"}, {"messages", {{{"role", "user"}, {"content", "Hello!"}}}}});
/// std::cout << res.content() << "\n";                                 // never throws
/// std::string text = res["choices"][0]["message"]["content"];         // checked
/// std::cout << res.status() << " " << res.request_id() << "\n";
/// for (const babyapi::Json& model : client.models.list()["data"]) std::cout << model["id"];
/// \endcode
class BABYAPI_EXPORT Response {
 public:
  Response() = default;  ///< an empty answer: status 0, no headers, a null body
  /// Parses the body as JSON when the content type says JSON (a malformed JSON body throws
  /// BabyAPIError carrying the status and request id). A JSON body is held once: as the parsed
  /// tree, its text released after the parse, unless keep_text is set (see text()).
  /// \param status the HTTP status
  /// \param headers the answer's headers, in the order received
  /// \param body the body bytes
  /// \param keep_text keep a JSON body's exact bytes for text()
  /// \throws BabyAPIError when the content type says JSON and the body is not valid JSON
  Response(int status, HeaderList headers, std::string body, bool keep_text = false);

  /// The parsed body; null when the answer was not JSON.
  const Json& json() const& noexcept { return json_; }
  /// \overload
  /// The parsed body, modifiable.
  Json& json() & noexcept { return json_; }
  /// On a temporary Response the value is moved out, so `for (auto& m :
  /// client.models.list().json())` and the operator[] / get forms below never dangle.
  Json json() && noexcept { return std::move(json_); }
  /// The body as text. For any answer that is not JSON (audio/wav from a raw call, a docling ZIP)
  /// these are the exact bytes. A JSON answer is not held twice: its bytes are released once
  /// parsed, and text() gives the parsed value serialized compactly, made at the first call and
  /// kept. Set RequestOptions::keep_text to keep the exact bytes of a JSON answer instead.
  const std::string& text() const;
  /// The HTTP status of the answer.
  int status() const noexcept { return status_; }
  /// First header of that name, compared without regard to case; "" when absent.
  std::string header(std::string_view name) const;
  /// True when the answer has a header of that name, compared without regard to case.
  bool has_header(std::string_view name) const;
  /// The answer's headers, in the order received, names as sent.
  const HeaderList& headers() const noexcept { return headers_; }
  /// The media type of the answer, lowercased and without parameters ("application/json",
  /// "application/zip"); "" when the server sent none.
  std::string content_type() const;
  /// x-request-id of the answer; "" when the server sent none.
  std::string request_id() const { return header("x-request-id"); }
  /// For Docling async submits: the node that owns the task (header x-babyapi-docling-id).
  std::string docling_id() const { return header("x-babyapi-docling-id"); }

  /// Member access like Python's res["choices"], checked at every depth: res["choices"][0]["text"]
  /// throws JsonAccessError naming the path (/choices/0) when a key is absent, an index is out of
  /// range or a value has the wrong type; it never reads out of bounds and never inserts. On a
  /// temporary Response the view owns the document, so `auto data = client.models.list()["data"];`
  /// stays valid.
  /// \throws JsonAccessError when the body is not an object or has no member named key
  JsonView operator[](std::string_view key) const&;
  /// \overload
  JsonView operator[](const char* key) const& { return (*this)[std::string_view(key)]; }
  /// \overload
  /// On a temporary Response: the view owns the document, so it stays valid.
  JsonView operator[](std::string_view key) &&;
  /// \overload
  /// On a temporary Response: the view owns the document, so it stays valid.
  JsonView operator[](const char* key) && { return std::move(*this)[std::string_view(key)]; }
  /// The whole body as a checked view.
  JsonView view() const&;
  /// \overload
  /// On a temporary Response: the view owns the document, so it stays valid.
  JsonView view() &&;
  /// Like Python's res.get(key): the member, or null when absent or not an object.
  const Json& get(std::string_view key) const& noexcept;
  /// \overload
  /// On a temporary Response: a copy of the member, so it never dangles.
  Json get(std::string_view key) && { return get(key); }
  /// True when the body is an object with a member named key.
  bool contains(std::string_view key) const noexcept;

  /// The first choice of a chat or completions answer, read without throwing (the names match
  /// SSEEvent's and Stream's). content(): its message.content (chat) or text (completions); ""
  /// when null or absent (a tool-calls-only answer). reasoning(): message.reasoning, else the
  /// legacy reasoning_content; "". tool_calls(): message.tool_calls, an empty array when none.
  /// finish_reason(): nullopt when absent. usage(): the answer's usage object, null when none.
  /// The first choice is the one with index 0, else the first element (as SSEEvent numbers them).
  std::string content() const;
  /// The first choice's message.reasoning, else its legacy reasoning_content; "" when absent.
  std::string reasoning() const;
  /// The first choice's message.tool_calls; an empty array when none.
  Json tool_calls() const;
  /// The first choice's finish_reason ("stop", "length", "tool_calls", ...); nullopt when
  /// absent or null.
  std::optional<std::string> finish_reason() const;
  /// The answer's usage object; null when none.
  Json usage() const;

  /// The parsed body, implicitly: a Response passes wherever `const Json&` is expected.
  operator const Json&() const noexcept { return json_; }  // NOLINT(google-explicit-constructor)

 private:
  friend class detail::ClientCore;
  /// A JSON answer kept as text for a parser of the SDK's own (embedding matrices).
  Response(const detail::UnparsedBody&, int status, HeaderList headers, std::string body)
      : status_(status), headers_(std::move(headers)), body_(std::move(body)) {}

  int status_ = 0;
  HeaderList headers_;
  std::string body_;
  Json json_;
  /// Set when a JSON answer's bytes were released: text() serializes json_ here, once.
  std::shared_ptr<detail::ResponseTextCache> text_cache_;
  /// Status and request id for the errors of views, shared by every view of this answer.
  std::shared_ptr<const JsonViewOrigin> origin_;
  std::shared_ptr<JsonViewOrigin> make_origin() const;
};

BABYAPI_NAMESPACE_END
