// chat, complete and infer: text generation, streamed to stdout as it arrives.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"

namespace cli {

namespace {

enum class Kind { chat, complete, infer };

struct GenerationOptions {
  Kind kind = Kind::chat;
  std::string prompt;
  CLI::Option* prompt_option = nullptr;
  std::string model;
  std::string system;
  std::vector<std::string> params;
  bool no_stream = false;
};

// The prompt from the argument, else stdin (all of it, without its final line break).
std::string read_prompt(Context& context, const GenerationOptions& options) {
  if (options.prompt_option->count() > 0) return options.prompt;
  if (context.terminal.stdin_tty && context.terminal.progress)
    std::cerr << context.style().dim() << "(type the prompt; Ctrl-D sends it)"
              << context.style().reset() << '\n';
  std::string text = read_stdin();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

void apply_parameters(babyapi::Json& params, const std::vector<std::string>& assignments) {
  for (const std::string& assignment : assignments) apply_parameter(params, assignment);
}

// Prints a stream's text as it arrives (reasoning, when any, goes dim to a terminal stderr).
// Returns the text.
std::string print_stream(Context& context, babyapi::Stream& stream) {
  std::string text;
  bool in_reasoning = false;
  const Style style = context.style();
  for (const babyapi::SSEEvent& event : stream) {
    if (event.done()) break;
    if (context.terminal.progress) {
      const std::string reasoning = event.reasoning();
      if (!reasoning.empty()) {
        std::cerr << (in_reasoning ? "" : style.dim()) << reasoning << std::flush;
        in_reasoning = true;
      }
    }
    const std::string piece = event.text();
    if (piece.empty()) continue;
    if (in_reasoning) {
      std::cerr << style.reset() << '\n' << std::flush;
      in_reasoning = false;
    }
    text += piece;
    std::cout << piece << std::flush;
  }
  if (in_reasoning) std::cerr << style.reset() << '\n' << std::flush;
  if (!text.empty() && text.back() != '\n') std::cout << '\n';
  std::cout.flush();
  if (!stream.saw_done())
    throw CliError(kExitConnection, "the answer was cut short: the stream ended before [DONE]");
  return text;
}

babyapi::Json chat_params(const std::string& model, const babyapi::Json& messages,
                          const GenerationOptions& options) {
  babyapi::Json params = {{"model", model}, {"messages", messages}};
  apply_parameters(params, options.params);
  return params;
}

int run_single(Context& context, const GenerationOptions& options, const std::string& prompt) {
  babyapi::Client& client = context.client();
  const bool json = context.options.json;
  const bool stream = !options.no_stream;
  if (options.kind == Kind::infer) {
    babyapi::Json params = {{"model", context.model(options.model)}, {"prompt", prompt}};
    if (!options.system.empty()) params["prompt"] = options.system + "\n\n" + prompt;
    apply_parameters(params, options.params);
    const babyapi::Response answer = client.baby.infer(params, context.request_options());
    if (json) {
      context.print_json(answer.json());
    } else {
      const babyapi::Json& output = answer.get("output");
      std::string text = output.is_string() ? output.get<std::string>() : output.dump();
      std::cout << text << (text.empty() || text.back() != '\n' ? "\n" : "") << std::flush;
    }
    return kExitOk;
  }

  babyapi::Json params;
  if (options.kind == Kind::chat) {
    babyapi::Json messages = babyapi::Json::array();
    if (!options.system.empty())
      messages.push_back({{"role", "system"}, {"content", options.system}});
    messages.push_back({{"role", "user"}, {"content", prompt}});
    params = chat_params(context.model(options.model), messages, options);
  } else {
    params = {{"model", context.model(options.model)},
              {"prompt", options.system.empty() ? prompt : options.system + "\n\n" + prompt}};
    apply_parameters(params, options.params);
  }

  if (!stream) {
    const babyapi::Response answer =
        options.kind == Kind::chat
            ? client.chat.completions.create(params, context.request_options())
            : client.completions.create(params, context.request_options());
    if (json) {
      context.print_json(answer.json());
    } else {
      const std::string text = answer.content();
      std::cout << text << (text.empty() || text.back() != '\n' ? "\n" : "") << std::flush;
    }
    return kExitOk;
  }
  babyapi::Stream events = options.kind == Kind::chat
                               ? client.chat.completions.stream(params, context.request_options())
                               : client.completions.stream(params, context.request_options());
  if (json) {
    context.print_json(events.final_completion());
  } else {
    print_stream(context, events);
  }
  return kExitOk;
}

// The interactive chat: history kept across turns; Ctrl-C stops an answer, Ctrl-D ends.
int run_session(Context& context, const GenerationOptions& options) {
  if (context.options.json) throw usage_error("--json needs a PROMPT (or a prompt on stdin)");
  babyapi::Client& client = context.client();
  const std::string model = context.model(options.model);
  const Style style = context.style();
  babyapi::Json messages = babyapi::Json::array();
  if (!options.system.empty())
    messages.push_back({{"role", "system"}, {"content", options.system}});
  if (!context.options.quiet)
    std::cerr << style.dim() << "babyapi chat with " << model
              << ". Ctrl-C stops an answer, Ctrl-D ends the session." << style.reset() << '\n';
  const std::string prompt_text =
      std::string(style.bold()) + style.green() + ">" + style.reset() + " ";
  Interrupts& interrupts = Interrupts::instance();
  for (;;) {
    std::cerr << prompt_text << std::flush;
    interrupts.set_idle_hint("\n(Ctrl-D ends the session)\n" + prompt_text);
    std::string line;
    const bool got = static_cast<bool>(std::getline(std::cin, line));
    interrupts.clear_idle_hint();
    if (!got) {
      std::cerr << '\n';
      break;
    }
    if (trim(line).empty()) continue;
    messages.push_back({{"role", "user"}, {"content", line}});
    std::string answer;
    try {
      babyapi::Stream events = client.chat.completions.stream(chat_params(model, messages, options),
                                                              context.request_options());
      answer = print_stream(context, events);
    } catch (const babyapi::APIUserAbortError&) {
      std::cout.flush();
      std::cerr << '\n' << style.dim() << "[stopped]" << style.reset() << '\n';
    } catch (const std::exception& error) {
      std::cout.flush();
      report_error(context, error);
      messages.erase(messages.size() - 1);  // the turn failed: forget its question
      interrupts.disarm();
      continue;
    }
    interrupts.disarm();
    // A stopped answer stays in the history as far as it went, as it was shown.
    messages.push_back({{"role", "assistant"}, {"content", answer}});
  }
  return kExitOk;
}

void add_generation_command(CLI::App& app, Context& context, Runner& run, Kind kind,
                            const char* name, const char* description) {
  auto options = std::make_shared<GenerationOptions>();
  options->kind = kind;
  CLI::App* command = app.add_subcommand(name, description);
  options->prompt_option =
      command->add_option("PROMPT", options->prompt, "the prompt (default: stdin)");
  command->add_option("-m,--model", options->model,
                      "model id (default: BABYAPI_DEFAULT_MODEL, else the server's first model)");
  command->add_option("--system", options->system,
                      kind == Kind::chat ? "system message" : "text put before the prompt");
  command
      ->add_option("-p,--param", options->params,
                   "request parameter, VALUE read as JSON when it parses (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command->add_flag("--no-stream", options->no_stream,
                    kind == Kind::infer ? "accepted for symmetry (/infer does not stream)"
                                        : "wait for the whole answer instead of streaming it");
  command->callback([options, &context, &run] {
    run = [options, &context]() -> int {
      if (options->kind == Kind::chat && options->prompt_option->count() == 0 &&
          context.terminal.stdin_tty)
        return run_session(context, *options);
      const std::string prompt = read_prompt(context, *options);
      if (trim(prompt).empty()) throw input_error("the prompt is empty");
      return run_single(context, *options, prompt);
    };
  });
}

}  // namespace

void add_generation_commands(CLI::App& app, Context& context, Runner& run) {
  add_generation_command(app, context, run, Kind::chat, "chat",
                         "chat completion, streamed (interactive without PROMPT on a terminal)");
  add_generation_command(app, context, run, Kind::complete, "complete",
                         "text completion (/v1/completions), streamed");
  add_generation_command(app, context, run, Kind::infer, "infer",
                         "BabyAPI's text-in, text-out endpoint (/infer)");
}

}  // namespace cli
