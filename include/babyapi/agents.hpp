// What tool-calling agents and structured outputs need beyond the raw answer: the arguments of a
// tool call as your own type, and the value of a structured (json_schema) answer with its
// Response. See the README's "Agents" section; StreamAccumulator assembles streamed answers.
#pragma once

#include <string>
#include <utility>

#include "babyapi/config.hpp"
#include "babyapi/errors.hpp"
#include "babyapi/json.hpp"
#include "babyapi/response.hpp"

BABYAPI_NAMESPACE_BEGIN

/// The value of a structured answer (chat.completions.parse<T>), and the answer it came from
/// (status, headers, usage, the raw message).
template <class T>
struct Parsed {
  T value;            ///< the first choice's content, parsed as T
  Response response;  ///< the whole answer the value came from
};

template <class T>
T parse_arguments(const Json& tool_call);
class ChatCompletions;

/// \cond INTERNAL
// The compiled part of parse_arguments<T> and ChatCompletions::parse<T>, which are templates:
// exported from libbabyapi for them alone (nothing here is for direct use).
class BABYAPI_EXPORT StructuredParsing {
  template <class T>
  friend T parse_arguments(const Json& tool_call);
  friend class ChatCompletions;

  // The JSON a tool call's function.arguments holds: parsed from its text (or taken as is when a
  // server sent an object). Throws BabyAPIError naming the tool when it is absent or not JSON.
  static Json tool_arguments(const Json& tool_call);
  // Throws BabyAPIError naming the tool: its arguments did not make the type asked for.
  [[noreturn]] static void throw_unfit_arguments(const Json& tool_call, const Json& arguments,
                                                 const char* why);
  // The first choice's content of a structured answer, parsed. Throws BabyAPIError carrying the
  // content when it is not JSON.
  static Json structured_content(const Response& response);
  // Throws BabyAPIError carrying the content: the JSON did not make a valid T.
  [[noreturn]] static void throw_invalid_structured(const Response& response, const char* why);
};
/// \endcond

/// The arguments of a tool call ({id, type, function{name, arguments}}, as a message's tool_calls
/// or StreamAccumulator give it) as T, through nlohmann's from_json (or Json itself). A malformed
/// argument text, or JSON that does not make a T, throws BabyAPIError naming the tool.
///
/// \code
/// struct Weather { std::string city; };
/// NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Weather, city)
/// Weather w = babyapi::parse_arguments<Weather>(res.tool_calls()[0]);
/// \endcode
/// \tparam T the type to make; it needs nlohmann's from_json (or is Json)
/// \param tool_call one tool call object
/// \return the arguments as T
/// \throws BabyAPIError when the arguments are absent, not JSON, or do not make a T
template <class T>
T parse_arguments(const Json& tool_call) {
  Json arguments = StructuredParsing::tool_arguments(tool_call);
  try {
    return arguments.get<T>();
  } catch (const Json::exception& error) {
    StructuredParsing::throw_unfit_arguments(tool_call, arguments, error.what());
  }
}

BABYAPI_NAMESPACE_END
