// A tool-calling loop: declare a tool, stream the model's answer while accumulating it, run the
// tool it asked for here, send the result back as a `tool` message, and print the final answer.
#include <babyapi/babyapi.hpp>

#include <iostream>
#include <string>

// The tool's arguments, as the JSON Schema below describes them.
struct WeatherQuery {
  std::string city;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(WeatherQuery, city)

// The tool itself: here a stand-in for a real weather service.
babyapi::Json get_weather(const WeatherQuery& query) {
  return {{"city", query.city}, {"forecast", "sunny"}, {"celsius", 21}};
}

int main() {
  babyapi::Client client;
  const babyapi::Json tools = {{
      {"type", "function"},
      {"function",
       {{"name", "get_weather"},
        {"description", "The weather forecast for a city"},
        {"parameters",
         {{"type", "object"},
          {"properties", {{"city", {{"type", "string"}}}}},
          {"required", {"city"}}}}}},
  }};
  babyapi::Json messages = {{{"role", "user"}, {"content", "What is the weather in Paris?"}}};

  // 1. Stream the answer. The accumulator says when a part is complete: here, a tool call.
  babyapi::StreamAccumulator accumulator;
  for (const babyapi::SSEEvent& event : client.chat.completions.stream(
           {{"model", "mistral"}, {"messages", messages}, {"tools", tools}})) {
    for (const auto& finished : accumulator.add(event)) {
      if (finished.kind == babyapi::StreamAccumulator::Kind::kToolCall) {
        const babyapi::Json call = accumulator.tool_call(finished.choice, finished.tool_call);
        std::cout << "tool call: " << call["function"]["name"].get<std::string>() << " "
                  << call["function"]["arguments"].get<std::string>() << "\n";
      }
    }
  }
  accumulator.finish();
  const babyapi::Json completion = accumulator.completion();
  const babyapi::Json& choice = completion["choices"][0];
  std::cout << "finish_reason: " << choice["finish_reason"].get<std::string>() << "\n";

  // 2. Run each call here and answer it with a `tool` message.
  messages.push_back(choice["message"]);
  for (const babyapi::Json& call : choice["message"]["tool_calls"]) {
    const babyapi::Json result = get_weather(babyapi::parse_arguments<WeatherQuery>(call));
    messages.push_back(
        {{"role", "tool"}, {"tool_call_id", call["id"]}, {"content", result.dump()}});
  }

  // 3. The model's final answer, which now knows the tool's result.
  babyapi::Response answer = client.chat.completions.create(
      {{"model", "mistral"}, {"messages", messages}, {"tools", tools}});
  std::cout << "answer: " << answer.content() << "\n";
  return answer.finish_reason() == "stop" ? 0 : 1;
}
