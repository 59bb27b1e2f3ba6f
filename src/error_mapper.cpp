#include "error_mapper.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "util/strings.hpp"

namespace babyapi::detail {
namespace {

constexpr size_t kNone = std::string::npos;
// Containers nested deeper than this are rendered as [...] / {...}: nobody reads deeper levels in
// a message, and the renderer's own stack stays small.
constexpr size_t kMaxRenderDepth = 8;
// Pieces of a message are gathered up to this many times their final bound before redaction, so
// that redacting long secrets still leaves a full message.
constexpr size_t kGatherFactor = 4;

using Secrets = std::vector<std::string>;

std::string header_value(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
        hex_digit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Every form in which a secret of context may come back, longest first (so that the longest match
// wins where two start at the same place). Empty secrets are never searched for.
Secrets secrets_of(const ErrorContext& context) {
  Secrets secrets;
  auto add = [&secrets](std::string secret) {
    if (!secret.empty() && std::find(secrets.begin(), secrets.end(), secret) == secrets.end()) {
      secrets.push_back(std::move(secret));
    }
  };
  add(context.api_key);
  add(context.url_userinfo);
  add(percent_decode(context.url_userinfo));
  const size_t colon = context.url_userinfo.find(':');
  if (colon != std::string::npos) {
    // A short password alone would redact ordinary words; the whole userinfo still is redacted.
    const std::string password = context.url_userinfo.substr(colon + 1);
    if (password.size() >= 4) add(password);
    if (percent_decode(password).size() >= 4) add(percent_decode(password));
  }
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return secrets;
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The largest cut point <= at that does not split a UTF-8 sequence (text continues past at).
size_t utf8_floor(std::string_view text, size_t at) {
  if (at >= text.size()) return text.size();
  const size_t lowest = at >= 3 ? at - 3 : 0;
  while (at > lowest && is_continuation(text[at])) --at;
  return at;
}

// The length of text without a trailing, incomplete UTF-8 sequence.
size_t utf8_complete(std::string_view text) {
  size_t lead = text.size();
  while (lead > 0 && text.size() - lead < 4 && is_continuation(text[lead - 1])) --lead;
  if (lead == 0) return text.size();
  const auto byte = static_cast<unsigned char>(text[lead - 1]);
  const size_t length = byte < 0x80    ? 1
                        : byte >= 0xF0 ? 4
                        : byte >= 0xE0 ? 3
                        : byte >= 0xC0 ? 2
                                       : 1;
  return lead - 1 + length > text.size() ? lead - 1 : text.size();
}

// How many bytes at the end of text are the beginning of a secret: what a cut must also drop so
// that no part of a secret survives it.
size_t partial_secret_tail(std::string_view text, const Secrets& secrets) {
  size_t longest = 0;
  for (const std::string& secret : secrets) {
    for (size_t n = std::min(secret.size() - 1, text.size()); n > longest; --n) {
      if (text.compare(text.size() - n, n, secret, 0, n) == 0) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

// The text with each secret replaced by kRedactionMark, stopping once about limit bytes are written
// (cut set then). The output is cut between whole secrets and on a UTF-8 boundary. Each secret is
// searched for incrementally, so the work is linear in what is read, not in the whole text.
std::string redact_with(std::string_view text, const Secrets& secrets, size_t limit, bool& cut) {
  std::string out;
  std::vector<size_t> found(secrets.size(), kNone);  // the next occurrence at or after scanned
  std::vector<size_t> scanned(secrets.size(), 0);    // no occurrence starts in [pos, scanned)
  size_t pos = 0;
  while (pos < text.size()) {
    if (out.size() >= limit) {
      cut = true;
      break;
    }
    const size_t room = limit - out.size();
    const size_t end = room >= text.size() - pos ? text.size() : pos + room;  // starts looked at
    size_t best = kNone;
    size_t which = 0;
    for (size_t i = 0; i < secrets.size(); ++i) {
      if (found[i] != kNone && found[i] < pos) {  // overlapped by a replaced secret: look again
        found[i] = kNone;
        scanned[i] = pos;
      }
      if (found[i] == kNone && scanned[i] < end) {
        const size_t from = std::max(scanned[i], pos);
        const std::string_view window = text.substr(from, end - from + secrets[i].size() - 1);
        const size_t hit = window.find(secrets[i]);
        if (hit != kNone) {
          found[i] = from + hit;
        } else {
          scanned[i] = end;
        }
      }
      if (found[i] != kNone && found[i] < end && (best == kNone || found[i] < best)) {
        best = found[i];
        which = i;
      }
    }
    if (best != kNone) {
      out.append(text.substr(pos, best - pos));
      out.append(kRedactionMark);
      pos = best + secrets[which].size();
    } else {
      out.append(text.substr(pos, end - pos));
      pos = end;
    }
  }
  if (cut) out.resize(utf8_complete(out));
  return out;
}

// Gathers a message from pieces of a server's answer, keeping at most limit bytes.
class TextBuilder {
 public:
  explicit TextBuilder(size_t limit) : limit_(limit) {}

  bool full() const { return cut_; }
  size_t room() const { return limit_ - text_.size(); }
  void mark_cut() { cut_ = true; }
  bool empty() const { return text_.empty(); }

  void append(std::string_view piece) {
    if (cut_) return;
    if (piece.size() <= limit_ - text_.size()) {
      text_.append(piece);
      return;
    }
    text_.append(piece.substr(0, utf8_floor(piece, limit_ - text_.size())));
    cut_ = true;
  }

  // The gathered text, not yet redacted; when it was cut, without a trailing beginning of a secret
  // (which redaction could no longer recognise).
  std::string_view text(const Secrets& secrets) const {
    std::string_view text = text_;
    for (size_t drop = cut_ ? partial_secret_tail(text, secrets) : 0; drop > 0;
         drop = partial_secret_tail(text, secrets)) {
      text.remove_suffix(drop);
      text = text.substr(0, utf8_complete(text));
    }
    return text;
  }

  // The gathered text, redacted and bounded to limit bytes, with kCutMark when anything was left
  // off.
  std::string finish(const Secrets& secrets, size_t limit) const {
    bool cut = cut_;
    std::string out = redact_with(text(secrets), secrets, limit, cut);
    if (cut) out.append(kCutMark);
    return out;
  }

 private:
  std::string text_;
  size_t limit_;
  bool cut_ = false;
};

// A JSON string literal, of no more of the string than still fits (escaping only lengthens it).
void append_quoted(TextBuilder& out, const std::string& text) {
  const size_t take = utf8_floor(text, std::min(text.size(), out.room()));
  out.append(Json(text.substr(0, take)).dump(-1, ' ', false, Json::error_handler_t::replace));
  if (take < text.size()) out.mark_cut();
}

void append_scalar(TextBuilder& out, const Json& value) {
  if (value.is_string()) {
    append_quoted(out, value.get_ref<const std::string&>());
  } else if (value.is_number() || value.is_boolean() || value.is_null()) {
    out.append(value.dump());  // a scalar: dump() does not recurse
  } else {
    out.append("null");  // binary values and discarded ones: the parser never makes them
  }
}

// Compact JSON of a value with an explicit stack instead of recursion: a hostile answer may nest
// a million levels, and Json::dump() would spend one native stack frame on each.
void append_json(TextBuilder& out, const Json& value) {
  struct Frame {
    const Json* node;
    Json::const_iterator next;
  };
  std::vector<Frame> stack;
  auto open = [&out, &stack](const Json& node) {
    if (!node.is_structured()) {
      append_scalar(out, node);
    } else if (node.empty()) {
      out.append(node.is_array() ? "[]" : "{}");
    } else if (stack.size() >= kMaxRenderDepth) {
      out.append(node.is_array() ? "[...]" : "{...}");
    } else {
      out.append(node.is_array() ? "[" : "{");
      stack.push_back(Frame{&node, node.cbegin()});
    }
  };
  open(value);
  while (!stack.empty() && !out.full()) {
    Frame& top = stack.back();
    const bool array = top.node->is_array();
    if (top.next == top.node->cend()) {
      out.append(array ? "]" : "}");
      stack.pop_back();
      continue;
    }
    if (top.next != top.node->cbegin()) out.append(",");
    if (!array) {
      append_quoted(out, top.next.key());
      out.append(":");
    }
    const Json& child = *top.next;
    ++top.next;  // before open(), whose push_back may move `top`
    open(child);
  }
}

// Strings as they are; null as nothing; anything else as bounded compact JSON.
void append_text(TextBuilder& out, const Json& value) {
  if (value.is_string()) {
    out.append(value.get_ref<const std::string&>());
  } else if (!value.is_null()) {
    append_json(out, value);
  }
}

// One short field (code, type, param), redacted and bounded.
std::string field_text(const Json& value, const Secrets& secrets) {
  TextBuilder out(kGatherFactor * kMaxErrorFieldBytes);
  append_text(out, value);
  return out.finish(secrets, kMaxErrorFieldBytes);
}

const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  return found != object.end() ? &*found : nullptr;
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
void append_detail_list(TextBuilder& message, const Json& items, const Json*& type) {
  bool first = true;
  for (const Json& item : items) {
    if (message.full()) break;
    if (!first) message.append("; ");
    first = false;
    if (!item.is_object()) {
      append_text(message, item);
      continue;
    }
    const Json* loc = member(item, "loc");
    if (loc != nullptr && loc->is_array()) {
      TextBuilder where(kGatherFactor * kMaxErrorMessageBytes);
      bool first_part = true;
      for (const Json& part : *loc) {
        if (where.full()) break;
        if (!first_part) where.append(".");
        first_part = false;
        append_text(where, part);
      }
      if (!where.empty()) {
        message.append(where.finish({}, kGatherFactor * kMaxErrorMessageBytes));
        message.append(": ");
      }
    }
    const Json* msg = member(item, "msg");
    msg != nullptr ? append_text(message, *msg) : append_json(message, item);
    if (type == nullptr) type = member(item, "type");
  }
}

// The fields of a JSON error body; `type` points into body when one was found.
void from_json_body(const Json& body, TextBuilder& message, const Json*& code, const Json*& type,
                    const Json*& param) {
  if (!body.is_object()) return;
  const Json* source = &body;
  if (const Json* error = member(body, "error")) {
    if (error->is_string()) {
      message.append(error->get_ref<const std::string&>());
      source = nullptr;
    } else if (error->is_object()) {
      source = error;
    }
  }
  if (source != nullptr) {
    if (const Json* text = member(*source, "message")) append_text(message, *text);
    code = member(*source, "code");
    type = member(*source, "type");
    param = member(*source, "param");
  }
  const Json* detail = member(body, "detail");
  if (!message.empty() || detail == nullptr) return;
  if (detail->is_array()) {
    append_detail_list(message, *detail, type);
  } else if (const Json* text = member(*detail, "message")) {
    append_text(message, *text);
  } else {
    append_text(message, *detail);
  }
}

std::string bounded_body(const std::string& body, const Secrets& secrets) {
  bool cut = false;
  std::string kept = redact_with(body, secrets, kMaxErrorBodyBytes, cut);
  if (cut) {
    kept.append(kCutMark);
    kept += "[truncated: the body had " + std::to_string(body.size()) + " bytes]";
  }
  return kept;
}

template <class Error>
std::exception_ptr make_error(const std::string& message, ErrorDetails&& details) {
  return std::make_exception_ptr(Error(message, std::move(details)));
}

}  // namespace

const char* reason_phrase(int status) noexcept {
  static constexpr std::pair<int, const char*> kPhrases[] = {{400, "Bad Request"},
                                                             {401, "Unauthorized"},
                                                             {403, "Forbidden"},
                                                             {404, "Not Found"},
                                                             {405, "Method Not Allowed"},
                                                             {408, "Request Timeout"},
                                                             {409, "Conflict"},
                                                             {413, "Payload Too Large"},
                                                             {415, "Unsupported Media Type"},
                                                             {422, "Unprocessable Entity"},
                                                             {429, "Too Many Requests"},
                                                             {500, "Internal Server Error"},
                                                             {502, "Bad Gateway"},
                                                             {503, "Service Unavailable"},
                                                             {504, "Gateway Timeout"}};
  for (const auto& [code, phrase] : kPhrases) {
    if (code == status) return phrase;
  }
  return "";
}

std::string redact(std::string_view text, const ErrorContext& context) {
  bool cut = false;
  return redact_with(text, secrets_of(context), kNone, cut);
}

std::string redact_bounded(std::string_view text, const ErrorContext& context, size_t limit) {
  bool cut = false;
  std::string out = redact_with(text, secrets_of(context), limit, cut);
  if (cut) out.append(kCutMark);
  return out;
}

std::string json_value_text(const Json& value, size_t limit) {
  TextBuilder out(limit);
  append_text(out, value);
  return out.finish({}, limit);
}

ErrorDetails parse_error_body(int status, const HeaderList& headers, const std::string& body,
                              std::string& message, const ErrorContext& context) {
  const Secrets secrets = secrets_of(context);
  ErrorDetails details;
  details.status = status;
  details.request_id =
      redact_bounded(header_value(headers, "x-request-id"), context, kMaxErrorFieldBytes);
  details.body = bounded_body(body, secrets);
  details.headers = headers;
  for (auto& header : details.headers) {
    bool cut = false;
    header.second = redact_with(header.second, secrets, kNone, cut);
  }
  details.retry_after = context.retry_after;
  message.clear();

  const std::string type = to_lower(header_value(headers, "content-type"));
  const std::string_view trimmed = trim(body);
  const bool looks_json = !trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[');
  if (type.find("json") != std::string::npos || looks_json) {
    // nlohmann's parser keeps its own stack on the heap and its destructor is iterative (since
    // 3.10), so any depth is safe here; only rendering needed care.
    const Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) {
      TextBuilder text(kGatherFactor * kMaxErrorMessageBytes);
      const Json* code = nullptr;
      const Json* error_type = nullptr;
      const Json* param = nullptr;
      from_json_body(parsed, text, code, error_type, param);
      message = text.finish(secrets, kMaxErrorMessageBytes);
      if (code != nullptr) details.code = field_text(*code, secrets);
      if (error_type != nullptr) details.type = field_text(*error_type, secrets);
      if (param != nullptr) details.param = field_text(*param, secrets);
    }
  }
  if (message.empty() && !trimmed.empty()) {
    // Only the start of a long page is read: the message keeps a few hundred bytes of it anyway.
    TextBuilder page(kMaxErrorBodyBytes);
    page.append(trimmed);
    const bool html = type.find("html") != std::string::npos || trimmed.front() == '<';
    const std::string_view start = page.text(secrets);
    TextBuilder text(kGatherFactor * kMaxErrorBodyBytes);
    text.append(html ? html_text(start) : collapse_whitespace(start));
    message = text.finish(secrets, kMaxErrorTextBytes);
    if (page.full() && message.size() >= kCutMark.size() &&
        message.compare(message.size() - kCutMark.size(), kCutMark.size(), kCutMark) != 0) {
      message.append(kCutMark);
    }
  }
  if (message.empty()) {
    const std::string phrase = reason_phrase(status);
    message = "HTTP " + std::to_string(status) + (phrase.empty() ? "" : " " + phrase);
  }
  return details;
}

std::exception_ptr make_status_error(int status, const HeaderList& headers, const std::string& body,
                                     const ErrorContext& context) {
  std::string message;
  ErrorDetails details = parse_error_body(status, headers, body, message, context);
  using Make = std::exception_ptr (*)(const std::string&, ErrorDetails&&);
  static constexpr std::pair<int, Make> kClasses[] = {
      {400, &make_error<BadRequestError>},       {401, &make_error<AuthenticationError>},
      {403, &make_error<PermissionDeniedError>}, {404, &make_error<NotFoundError>},
      {409, &make_error<ConflictError>},         {422, &make_error<UnprocessableEntityError>},
      {429, &make_error<RateLimitError>}};
  for (const auto& [code, make] : kClasses) {
    if (code == status) return make(message, std::move(details));
  }
  if (status >= 500) return make_error<InternalServerError>(message, std::move(details));
  return make_error<APIStatusError>(message, std::move(details));
}

void throw_status_error(int status, const HeaderList& headers, const std::string& body,
                        const ErrorContext& context) {
  std::rethrow_exception(make_status_error(status, headers, body, context));
}

}  // namespace babyapi::detail
