// SSEEvent: the lazily parsed JSON view of an event and its fast text() path.
#include <utility>

#include "babyapi/sse.hpp"
#include "sse/choice_text.hpp"

namespace babyapi {
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
      Json document = Json::parse(raw_, /*cb=*/nullptr, /*allow_exceptions=*/false);
      if (!document.is_discarded()) json_ = std::move(document);
    } catch (const Json::exception&) {
      // allow_exceptions=false already reports bad input as "discarded"; this only makes the
      // "never throws a parse error" promise independent of that detail.
    }
    json_parsed_ = true;
  }
  return json_;
}

std::string SSEEvent::text() const {
  if (json_parsed_) return json_ ? detail::choice_text(*json_) : std::string();
  std::string text;
  switch (detail::scan_choice_text(raw_, text)) {
    case detail::ChoiceTextScan::kFound:
      return text;
    case detail::ChoiceTextScan::kAbsent:
      return std::string();
    case detail::ChoiceTextScan::kFallback:
      break;
  }
  // Not JSON, or beyond what the scanner vouches for: nlohmann decides, and the parse is kept.
  const std::optional<Json>& document = data();
  return document ? detail::choice_text(*document) : std::string();
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

}  // namespace babyapi
