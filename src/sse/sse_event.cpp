// SSEEvent: the lazily parsed JSON view of an event and its fast text() path.
#include <utility>

#include "babyapi/sse.hpp"
#include "sse/choice_text.hpp"
#include "sse/chunk_fields.hpp"
#include "sse/json_escapes.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

// An event buffer grown past this by one huge event is released instead of reused.
constexpr std::size_t kKeptDataCapacity = std::size_t{1} << 20;

}  // namespace

SSEEvent::SSEEvent(std::string data, std::string event, std::string id,
                   std::optional<std::uint64_t> retry)
    : raw_(std::move(data)), event_(std::move(event)), id_(std::move(id)), retry_(retry) {}

const std::optional<Json>& SSEEvent::data() const {
  if (!json_parsed_) {
    try {
      // nlohmann rejects a whole document for half a surrogate pair; text() reads it as U+FFFD,
      // and data() must agree, so such escapes are rewritten first (rare: a copy only then).
      std::string repaired;
      const bool rewritten = detail::replace_lone_surrogate_escapes(raw_, repaired);
      Json document =
          Json::parse(rewritten ? repaired : raw_, /*cb=*/nullptr, /*allow_exceptions=*/false);
      if (!document.is_discarded()) json_ = std::move(document);
    } catch (const Json::exception&) {
      // allow_exceptions=false already reports bad input as "discarded"; this only makes the
      // "never throws a parse error" promise independent of that detail.
    }
    json_parsed_ = true;
  }
  return json_;
}

std::string SSEEvent::text() const { return text(0); }

std::string SSEEvent::text(std::size_t choice) const {
  if (json_parsed_) return json_ ? detail::choice_text(*json_, choice) : std::string();
  std::string text;
  switch (detail::scan_choice_text(raw_, choice, text)) {
    case detail::ChoiceTextScan::kFound:
      return text;
    case detail::ChoiceTextScan::kAbsent:
      return std::string();
    case detail::ChoiceTextScan::kFallback:
      break;
  }
  // Not JSON, or beyond what the scanner vouches for: nlohmann decides, and the parse is kept.
  const std::optional<Json>& document = data();
  return document ? detail::choice_text(*document, choice) : std::string();
}

std::string SSEEvent::reasoning(std::size_t choice) const {
  const std::optional<Json>& document = data();
  const Json* element = document ? detail::find_choice(*document, choice) : nullptr;
  if (element == nullptr) return std::string();
  const auto delta = element->find("delta");
  if (delta == element->end()) return std::string();
  const std::string* reasoning = detail::reasoning_member(*delta);
  return reasoning != nullptr ? *reasoning : std::string();
}

std::optional<std::string> SSEEvent::finish_reason(std::size_t choice) const {
  const std::optional<Json>& document = data();
  const Json* element = document ? detail::find_choice(*document, choice) : nullptr;
  const std::string* reason =
      element != nullptr ? detail::string_member(*element, "finish_reason") : nullptr;
  if (reason == nullptr) return std::nullopt;
  return *reason;
}

std::optional<Json> SSEEvent::usage() const {
  const std::optional<Json>& document = data();
  if (!document || !document->is_object()) return std::nullopt;
  const auto usage = document->find("usage");
  if (usage == document->end() || !usage->is_object()) return std::nullopt;
  return *usage;
}

void SSEEvent::clear() noexcept {
  raw_.clear();
  if (raw_.capacity() > kKeptDataCapacity) std::string().swap(raw_);
  event_.clear();
  id_.clear();
  retry_.reset();
  json_.reset();
  json_parsed_ = false;
}

BABYAPI_NAMESPACE_END
