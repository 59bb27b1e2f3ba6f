// The internal side of tool-call arguments and structured outputs (src/agents.cpp);
// babyapi::StructuredParsing forwards to these for the templates of include/babyapi/agents.hpp.
#pragma once

#include "babyapi/json.hpp"
#include "babyapi/response.hpp"

namespace babyapi::detail {

// The JSON a tool call's function.arguments holds: parsed from its text (or taken as is when a
// server sent an object). Throws BabyAPIError naming the tool when it is absent or not JSON.
Json tool_arguments(const Json& tool_call);
// Throws BabyAPIError naming the tool: its arguments did not make the type asked for.
[[noreturn]] void throw_unfit_arguments(const Json& tool_call, const Json& arguments,
                                        const char* why);
// The first choice's content of a structured answer, parsed. Throws BabyAPIError carrying the
// content when it is not JSON.
Json structured_content(const Response& response);
// Throws BabyAPIError carrying the content: the JSON did not make a valid T.
[[noreturn]] void throw_invalid_structured(const Response& response, const char* why);

}  // namespace babyapi::detail
