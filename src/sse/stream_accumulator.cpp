// StreamAccumulator: the rules by which chunks become one answer. Each quirk an open-weight server
// (or a gateway in front of one) is known to send has one rule below, marked "Rule:", and a test
// of the same name in tests/unit/stream_accumulator_test.cpp. The quirks come from what broke
// other SDKs: openai-python #2806 (no tool-call index) and #3201/#3203 (duplicate indexes, as
// vLLM sends with speculative decoding and ollama/lmdeploy send for every call), openai-node #1958
// (no id) and #2415 (no bounds), openai-go's streamaccumulator.go (index -1), vLLM #27752/#33402
// (reasoning_content renamed reasoning).
#include "babyapi/stream_accumulator.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>

#include "babyapi/errors.hpp"
#include "sse/chunk_fields.hpp"
#include "sse/raw_bytes.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

constexpr std::size_t kNoCall = static_cast<std::size_t>(-1);

enum class Segment { kNone, kReasoning, kContent, kToolCall };

struct ToolCall {
  std::string id;
  std::string type;
  std::string name;
  std::string arguments;
};

struct Choice {
  bool seen = false;
  std::string role;
  std::string content;  // chat content, or completions text
  std::string reasoning;
  bool has_reasoning = false;
  std::string refusal;
  bool has_refusal = false;
  std::vector<ToolCall> tool_calls;
  // Server index -> the latest call opened under it (see the duplicate-index rule).
  std::vector<std::pair<std::uint64_t, std::size_t>> by_index;
  std::size_t last_call = kNoCall;  // the call the latest tool-call delta went to
  Json finish_reason;
  Json stop_reason;  // vLLM's stop string or token id, when it sends one
  Json logprobs;
  Segment open = Segment::kNone;
  std::size_t open_call = 0;
};

std::string valid(std::string text) {
  detail::make_valid_utf8(text);
  return text;
}

// Rule (index -1): an index that is not a non-negative integer (-1, as some servers send for a
// single call; null; a string; 1.5) is treated as a missing index, not clamped to 0 as openai-go
// does, so that servers sending -1 for several calls with distinct ids still get them apart.
std::optional<std::uint64_t> tool_index(const Json& delta) {
  const auto index = delta.find("index");
  if (index == delta.end()) return std::nullopt;
  if (index->is_number_unsigned()) return index->get<std::uint64_t>();
  if (index->is_number_integer() && index->get<std::int64_t>() == 0) return 0;
  return std::nullopt;
}

std::string generated_id(std::size_t choice, std::size_t position) {
  // Nine alphanumeric characters or more: Mistral's chat template refuses shorter tool_call_ids.
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "call%03zu%03zu", choice, position);
  return buffer;
}

}  // namespace

BABYAPI_NAMESPACE_END

namespace babyapi::detail {

struct StreamAccumulatorState {
  using Finished = StreamAccumulator::Finished;
  using Kind = StreamAccumulator::Kind;
  static constexpr std::size_t kMaxChoices = StreamAccumulator::kMaxChoices;
  static constexpr std::size_t kMaxToolCalls = StreamAccumulator::kMaxToolCalls;

  explicit StreamAccumulatorState(std::size_t max) : max_bytes(max) {}

  std::size_t max_bytes;
  std::size_t bytes = 0;
  std::vector<Choice> choices;  // by choice index
  bool text_completion = false;
  bool kind_known = false;
  Json id;
  Json model;
  Json created;
  Json system_fingerprint;
  Json usage;
  std::size_t chunks = 0;
  std::string error;  // set once a bound was passed; every later call throws it again

  void charge(std::size_t size, const char* what, std::size_t choice) {
    bytes += size;
    if (bytes > max_bytes) {
      throw ResponseTooLargeError(
          "The streamed answer grew past " + std::to_string(max_bytes) +
          " bytes (StreamAccumulator max_bytes; ClientOptions::max_response_bytes for a Stream) "
          "while adding " +
          what + " of choice " + std::to_string(choice));
    }
  }

  static void close(Choice& choice, std::size_t index, std::vector<Finished>& out) {
    switch (choice.open) {
      case Segment::kNone:
        return;
      case Segment::kReasoning:
        out.push_back({Kind::kReasoning, index, 0});
        break;
      case Segment::kContent:
        out.push_back({Kind::kContent, index, 0});
        break;
      case Segment::kToolCall:
        out.push_back({Kind::kToolCall, index, choice.open_call});
        break;
    }
    choice.open = Segment::kNone;
  }

  static void enter(Choice& choice, std::size_t index, Segment segment, std::size_t call,
                    std::vector<Finished>& out) {
    if (choice.open == segment && (segment != Segment::kToolCall || choice.open_call == call)) {
      return;
    }
    close(choice, index, out);
    choice.open = segment;
    choice.open_call = call;
  }

  void close_all(std::vector<Finished>& out) {
    for (std::size_t i = 0; i < choices.size(); ++i) close(choices[i], i, out);
  }

  std::size_t open_call(Choice& choice, std::size_t index) {
    if (choice.tool_calls.size() >= kMaxToolCalls) {
      throw ResponseTooLargeError("Choice " + std::to_string(index) + " streamed more than " +
                                  std::to_string(kMaxToolCalls) +
                                  " tool calls (StreamAccumulator::kMaxToolCalls)");
    }
    choice.tool_calls.emplace_back();
    return choice.tool_calls.size() - 1;
  }

  // Which call a tool-call delta continues, or a new one.
  std::size_t resolve_call(Choice& choice, std::size_t index, const Json& delta) {
    const std::optional<std::uint64_t> server_index = tool_index(delta);
    const std::string* id_field = detail::string_member(delta, "id");
    // Rule (missing id): an absent, null or empty id says nothing about identity; the call keeps
    // the id it has. A call that never gets one is given "call<choice><position>" (three digits
    // each) in completion(), so the `tool` message that answers it has an id to name.
    const std::string* sent_id = id_field != nullptr && !id_field->empty() ? id_field : nullptr;
    if (server_index) {
      for (auto& [number, position] : choice.by_index) {
        if (number != *server_index) continue;
        const std::string& held = choice.tool_calls[position].id;
        // Rule (duplicate index carrying a new id): an index already in use, sent with an id other
        // than its call's, opens a new call (ollama and lmdeploy number every call 0); the id-less
        // deltas that follow under that index go to the newest call. The same id again (vLLM and
        // sglang repeat it on every chunk) continues the call, as do two deltas with one index in
        // one chunk (vLLM with speculative decoding).
        if (sent_id != nullptr && !held.empty() && held != *sent_id) {
          position = open_call(choice, index);
        }
        return position;
      }
      const std::size_t position = open_call(choice, index);
      choice.by_index.emplace_back(*server_index, position);
      return position;
    }
    // Rule (missing index): a delta without a usable index goes by its id: a known id continues
    // its call, a new id opens a new call, and no id continues the call the previous tool-call
    // delta went to (the first call is opened when there is none). Position in the delta's array
    // is not used: it names nothing across chunks.
    if (sent_id != nullptr) {
      for (std::size_t i = 0; i < choice.tool_calls.size(); ++i) {
        if (choice.tool_calls[i].id == *sent_id) return i;
      }
      return open_call(choice, index);
    }
    return choice.last_call != kNoCall ? choice.last_call : open_call(choice, index);
  }

  void take(std::string& into, std::string fragment, bool raw_bytes, const char* what,
            std::size_t index) {
    if (raw_bytes) detail::restore_raw_bytes(fragment);
    charge(fragment.size(), what, index);
    into += fragment;
  }

  void apply_tool_call(Choice& choice, std::size_t index, const Json& delta, bool raw_bytes,
                       std::vector<Finished>& out) {
    const std::size_t position = resolve_call(choice, index, delta);
    choice.last_call = position;
    // Rule (whole call in one delta): id, type, name and arguments may all come at once; nothing
    // waits for a second delta, and the call finishes like any other.
    enter(choice, index, Segment::kToolCall, position, out);
    ToolCall& call = choice.tool_calls[position];
    if (const std::string* sent = detail::string_member(delta, "id"); sent && !sent->empty()) {
      if (call.id.empty()) take(call.id, *sent, raw_bytes, "a tool call id", index);
    }
    if (const std::string* type = detail::string_member(delta, "type"); type && !type->empty()) {
      call.type = *type;
    }
    const auto function = delta.find("function");
    if (function == delta.end() || !function->is_object()) return;
    if (const std::string* name = detail::string_member(*function, "name"); name) {
      // Rule (repeated name): a name fragment equal to the whole name held is the server sending
      // the name again on a later chunk, not a second half; it is dropped.
      if (!name->empty() && *name != call.name)
        take(call.name, *name, raw_bytes, "a tool name", index);
    }
    const auto arguments = function->find("arguments");
    if (arguments == function->end()) return;
    if (arguments->is_string()) {
      // Rule (arguments split mid-UTF-8): fragments are joined as bytes, whatever they hold;
      // only completion() makes the whole valid UTF-8.
      take(call.arguments, arguments->get<std::string>(), raw_bytes, "tool call arguments", index);
    } else if (arguments->is_object()) {
      // Rule (arguments as an object): some servers send the arguments parsed; they are kept as
      // their JSON text, which is what the non-streaming answer carries.
      take(call.arguments, arguments->dump(), false, "tool call arguments", index);
    }
  }

  void merge_logprobs(Choice& choice, const Json& logprobs) {
    if (!logprobs.is_object()) return;
    if (!choice.logprobs.is_object()) choice.logprobs = Json::object();
    for (auto it = logprobs.begin(); it != logprobs.end(); ++it) {
      Json& held = choice.logprobs[it.key()];
      if (it->is_array() && held.is_array()) {
        for (const Json& entry : *it) held.push_back(entry);
      } else if (!it->is_null() || held.is_null()) {
        held = *it;
      }
    }
  }

  void apply_choice(std::size_t index, const Json& element, bool raw_bytes, std::size_t event_size,
                    std::vector<Finished>& out) {
    if (index >= kMaxChoices) {
      throw ResponseTooLargeError("A chunk named choice " + std::to_string(index) + "; at most " +
                                  std::to_string(kMaxChoices) +
                                  " choices (0 to 127) are accumulated "
                                  "(StreamAccumulator::kMaxChoices)");
    }
    if (choices.size() <= index) choices.resize(index + 1);
    Choice& choice = choices[index];
    choice.seen = true;
    const auto delta_it = element.find("delta");
    const bool has_delta = delta_it != element.end() && delta_it->is_object();
    if (!kind_known && (has_delta || element.contains("text"))) {
      kind_known = true;
      text_completion = !has_delta;
    }
    if (has_delta) {
      const Json& delta = *delta_it;
      if (const std::string* role = detail::string_member(delta, "role"); role && !role->empty()) {
        choice.role = *role;
      }
      // Rule (reasoning vs reasoning_content): `reasoning` is read, else the legacy
      // `reasoning_content`; a delta with both (vLLM's compatibility period fills both with the
      // same text) counts once.
      if (const std::string* reasoning = detail::reasoning_member(delta);
          reasoning && !reasoning->empty()) {
        enter(choice, index, Segment::kReasoning, 0, out);
        choice.has_reasoning = true;
        take(choice.reasoning, *reasoning, raw_bytes, "reasoning", index);
      }
      if (const std::string* content = detail::string_member(delta, "content");
          content && !content->empty()) {
        enter(choice, index, Segment::kContent, 0, out);
        take(choice.content, *content, raw_bytes, "content", index);
      }
      if (const std::string* refusal = detail::string_member(delta, "refusal");
          refusal && !refusal->empty()) {
        enter(choice, index, Segment::kContent, 0, out);
        choice.has_refusal = true;
        take(choice.refusal, *refusal, raw_bytes, "a refusal", index);
      }
      const auto tool_calls = delta.find("tool_calls");
      if (tool_calls != delta.end() && tool_calls->is_array()) {
        for (const Json& call : *tool_calls) {
          if (call.is_object()) apply_tool_call(choice, index, call, raw_bytes, out);
        }
      }
    }
    if (const std::string* text = detail::string_member(element, "text"); text && !text->empty()) {
      enter(choice, index, Segment::kContent, 0, out);
      take(choice.content, *text, raw_bytes, "text", index);
    }
    const auto logprobs = element.find("logprobs");
    if (logprobs != element.end() && logprobs->is_object()) {
      charge(event_size, "logprobs", index);
      merge_logprobs(choice, *logprobs);
    }
    const auto stop_reason = element.find("stop_reason");
    if (stop_reason != element.end() && !stop_reason->is_null()) choice.stop_reason = *stop_reason;
    const auto finish_reason = element.find("finish_reason");
    if (finish_reason != element.end() && !finish_reason->is_null()) {
      choice.finish_reason = *finish_reason;
      close(choice, index, out);
    }
  }

  void apply(const Json& chunk, bool raw_bytes, std::size_t event_size,
             std::vector<Finished>& out) {
    ++chunks;
    if (const std::string* value = detail::string_member(chunk, "id");
        value && !value->empty() && id.is_null()) {
      id = *value;  // gateways that renumber every chunk: the first id names the answer
    }
    if (const std::string* value = detail::string_member(chunk, "model");
        value && !value->empty()) {
      model = *value;
    }
    const auto created_it = chunk.find("created");
    if (created_it != chunk.end() && created_it->is_number() && created.is_null()) {
      created = *created_it;
    }
    if (const std::string* value = detail::string_member(chunk, "system_fingerprint"); value) {
      system_fingerprint = *value;
    }
    if (const std::string* object = detail::string_member(chunk, "object"); object) {
      if (*object == "text_completion") {
        kind_known = true;
        text_completion = true;
      } else if (*object == "chat.completion.chunk") {
        kind_known = true;
        text_completion = false;
      }
    }
    // Rule (usage: null on ordinary chunks): with stream_options.include_usage every chunk carries
    // `usage`, null until the last; null (or anything but an object) keeps the usage held.
    // Rule (usage replaced): an object replaces the one held, never adds to it, because vLLM's
    // continuous_usage_stats sends running totals on every chunk.
    const auto usage_it = chunk.find("usage");
    if (usage_it != chunk.end() && usage_it->is_object()) usage = *usage_it;
    // Rule (usage-only chunk): `choices: []` (the final include_usage chunk) touches no choice.
    const auto choices_it = chunk.find("choices");
    if (choices_it == chunk.end() || !choices_it->is_array()) return;
    std::size_t position = 0;
    for (const Json& element : *choices_it) {
      // Rule (choice without index): an element with no usable `index` is numbered by its
      // position in `choices`, as SSEEvent::text(choice) numbers it.
      if (element.is_object()) {
        apply_choice(detail::choice_index(element).value_or(position), element, raw_bytes,
                     event_size, out);
      }
      ++position;
    }
  }

  Json tool_call_json(std::size_t choice, std::size_t position) const {
    const ToolCall& call = choices[choice].tool_calls[position];
    return Json{{"id", call.id.empty() ? generated_id(choice, position) : valid(call.id)},
                {"type", call.type.empty() ? std::string("function") : call.type},
                {"function", {{"name", valid(call.name)}, {"arguments", valid(call.arguments)}}}};
  }

  void throw_if_failed() const {
    if (!error.empty()) throw ResponseTooLargeError(error);
  }
};

}  // namespace babyapi::detail

BABYAPI_NAMESPACE_BEGIN

using State = detail::StreamAccumulatorState;

StreamAccumulator::StreamAccumulator(std::size_t max_bytes)
    : state_(std::make_unique<State>(max_bytes)) {}
StreamAccumulator::StreamAccumulator(StreamAccumulator&&) noexcept = default;
StreamAccumulator& StreamAccumulator::operator=(StreamAccumulator&&) noexcept = default;
StreamAccumulator::~StreamAccumulator() = default;

std::vector<StreamAccumulator::Finished> StreamAccumulator::add(const SSEEvent& event) {
  State& state = *state_;
  state.throw_if_failed();
  std::vector<Finished> out;
  if (event.done()) {
    state.close_all(out);
    return out;
  }
  if (event.event() == "error") return out;
  // Bytes that are not UTF-8 inside a string (half a character) make nlohmann refuse the chunk;
  // they are protected first, so that the fragment keeps them (see sse/raw_bytes.hpp).
  std::string protected_text;
  const bool raw_bytes = detail::protect_raw_bytes(event.raw(), protected_text);
  Json parsed;
  const Json* chunk = nullptr;
  if (raw_bytes) {
    parsed = Json::parse(protected_text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return out;
    chunk = &parsed;
  } else {
    const std::optional<Json>& data = event.data();
    if (!data) return out;
    chunk = &*data;
  }
  // An error payload is the Stream's to report; it adds nothing to the answer.
  if (!chunk->is_object() || chunk->contains("error")) return out;
  try {
    state.apply(*chunk, raw_bytes, event.raw().size(), out);
  } catch (const ResponseTooLargeError& error) {
    state.error = error.message();
    throw;
  }
  return out;
}

std::vector<StreamAccumulator::Finished> StreamAccumulator::finish() {
  state_->throw_if_failed();
  std::vector<Finished> out;
  state_->close_all(out);
  return out;
}

Json StreamAccumulator::completion() const {
  const State& state = *state_;
  state.throw_if_failed();
  Json choices = Json::array();
  for (std::size_t i = 0; i < state.choices.size(); ++i) {
    const Choice& choice = state.choices[i];
    if (!choice.seen) continue;
    Json entry = {
        {"index", i}, {"finish_reason", choice.finish_reason}, {"logprobs", choice.logprobs}};
    if (!choice.stop_reason.is_null()) entry["stop_reason"] = choice.stop_reason;
    if (state.text_completion) {
      entry["text"] = valid(choice.content);
    } else {
      Json tool_calls = Json::array();
      for (std::size_t t = 0; t < choice.tool_calls.size(); ++t) {
        tool_calls.push_back(state.tool_call_json(i, t));
      }
      const bool null_content = choice.content.empty() && !tool_calls.empty();
      entry["message"] = {
          {"role", choice.role.empty() ? std::string("assistant") : choice.role},
          {"content", null_content ? Json(nullptr) : Json(valid(choice.content))},
          {"reasoning", choice.has_reasoning ? Json(valid(choice.reasoning)) : Json(nullptr)},
          {"refusal", choice.has_refusal ? Json(valid(choice.refusal)) : Json(nullptr)},
          {"tool_calls", std::move(tool_calls)}};
    }
    choices.push_back(std::move(entry));
  }
  Json answer = {{"id", state.id.is_null() ? Json("") : state.id},
                 {"object", state.text_completion ? "text_completion" : "chat.completion"},
                 {"created", state.created.is_null() ? Json(0) : state.created},
                 {"model", state.model.is_null() ? Json("") : state.model},
                 {"choices", std::move(choices)},
                 {"usage", state.usage}};
  if (!state.system_fingerprint.is_null()) answer["system_fingerprint"] = state.system_fingerprint;
  return answer;
}

Json StreamAccumulator::tool_call(std::size_t choice, std::size_t position) const {
  const State& state = *state_;
  if (choice >= state.choices.size() || position >= state.choices[choice].tool_calls.size()) {
    return nullptr;
  }
  return state.tool_call_json(choice, position);
}

std::string StreamAccumulator::content(std::size_t choice) const {
  const State& state = *state_;
  return choice < state.choices.size() ? valid(state.choices[choice].content) : std::string();
}

const Json& StreamAccumulator::usage() const noexcept { return state_->usage; }

std::size_t StreamAccumulator::chunks() const noexcept { return state_->chunks; }

BABYAPI_NAMESPACE_END
