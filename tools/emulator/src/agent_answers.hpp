// Chat answers for agents: tool calls, reasoning, n > 1, usage in streams, structured output,
// and the quirks of real open-weight servers on request (x-emulator-quirks). Shapes follow vLLM's
// entrypoints/openai/chat_completion/protocol.py (ChatCompletionStreamResponse, DeltaMessage,
// DeltaToolCall) and openai-python's tests/lib/chat fixtures; see README.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server.hpp"
#include "streaming.hpp"

namespace emu {

struct ToolCallPlan {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text
};

struct AgentAnswer {
  std::string id;
  std::string model;
  std::size_t n = 1;
  std::vector<std::string> tokens;  // the content, when there are no tool calls
  std::string finish_reason;        // of a content answer: stop or length
  std::vector<ToolCallPlan> calls;
  std::vector<std::string> reasoning;  // reasoning tokens (a reasoning model), else empty
  std::size_t prompt_tokens = 0;
  std::optional<long long> max_tokens;  // cuts a structured (response_format) answer
  bool include_usage = false;           // stream_options.include_usage (vLLM: true when absent)
  bool continuous_usage = false;        // include_usage and stream_options.continuous_usage_stats
  std::set<std::string> quirks;         // from x-emulator-quirks
};

// The quirks asked for by the x-emulator-quirks header ("no-index;split-utf8"); throws ApiError
// 400 (code emulator_bad_quirk) on an unknown one.
std::set<std::string> parse_quirks(const httplib::Request& req);

// True when the request needs the agent path: tools, a reasoning model, n > 1, quirks,
// continuous usage stats or a response_format other than text. Other requests keep the plain
// echo answer.
bool wants_agent_answer(const OJson& body, const std::string& model,
                        const std::set<std::string>& quirks, bool continuous_usage);

// The content a response_format asks for: json_schema → an object with the schema's required
// keys (every property when none is required) holding example values of their types;
// json_object → {"answer": echo}; text or none → nullopt. A malformed response_format → 400.
std::optional<std::string> structured_content(const OJson& body, const std::string& echo);

// Fills calls, reasoning and structured content from the request: a tool call when it offers
// tools (tool_choice not "none") and its last message is not a tool result; reasoning for a
// reasoning model (is_reasoning_model); JSON content for response_format json_schema/json_object.
// The echo is what the arguments and JSON values are made of.
void plan_agent_answer(const OJson& body, const std::string& echo, std::uint64_t seq,
                       AgentAnswer& answer);

OJson agent_completion(const AgentAnswer& answer);
SsePlan agent_stream(const AgentAnswer& answer);

}  // namespace emu
