// models and raw.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"

namespace cli {

namespace {

int run_models_list(Context& context) {
  const babyapi::Response answer = context.client().models.list(context.request_options());
  if (context.options.json) {
    context.print_json(answer.json());
    return kExitOk;
  }
  const babyapi::Json& data = answer.get("data");
  if (data.is_array()) {
    for (const babyapi::Json& model : data) {
      if (model.is_object() && model.contains("id") && model["id"].is_string())
        std::cout << model["id"].get<std::string>() << '\n';
    }
  }
  std::cout.flush();
  return kExitOk;
}

int run_models_get(Context& context, const std::string& id) {
  const babyapi::Response answer = context.client().models.retrieve(id, context.request_options());
  context.print_json(answer.json());
  return kExitOk;
}

struct RawOptions {
  std::string method;
  std::string path;
  std::string body;
  CLI::Option* body_option = nullptr;
  std::string output;
};

int run_raw(Context& context, const RawOptions& options) {
  std::string method = options.method;
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (method != "GET" && method != "POST") throw usage_error("raw: METHOD is GET or POST");
  std::string path = options.path;
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');

  babyapi::RequestOptions request_options = context.request_options();
  if (!options.output.empty()) request_options.download_to = options.output;
  babyapi::Response answer;
  if (method == "GET") {
    if (options.body_option->count() > 0) throw usage_error("raw GET takes no JSON body");
    answer = context.client().get(path, request_options);
  } else {
    std::string text;
    if (options.body_option->count() > 0) {
      text = options.body == "-"                                 ? read_stdin()
             : (!options.body.empty() && options.body[0] == '@') ? read_file(options.body.substr(1))
                                                                 : options.body;
    } else if (!context.terminal.stdin_tty) {
      text = read_stdin();
    }
    babyapi::Json body = babyapi::Json::object();
    if (!trim(text).empty()) {
      body = babyapi::Json::parse(text, nullptr, false);
      if (body.is_discarded()) throw input_error("raw: the body is not valid JSON");
    }
    answer = context.client().post(path, body, request_options);
  }
  if (!options.output.empty()) {
    if (context.terminal.progress)
      std::cerr << "wrote " << options.output << " (" << answer.content_type() << ")\n";
    return kExitOk;
  }
  if (!answer.json().is_null()) {
    context.print_json(answer.json());
  } else {
    const std::string& bytes = answer.text();
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
  }
  return kExitOk;
}

}  // namespace

void add_resource_commands(CLI::App& app, Context& context, Runner& run) {
  CLI::App* models = app.add_subcommand("models", "the models the server offers (default: list)");
  models->require_subcommand(0, 1);
  CLI::App* list =
      models->add_subcommand("list", "model ids, one a line (--json: the whole answer)");
  CLI::App* get = models->add_subcommand("get", "one model, as JSON");
  auto id = std::make_shared<std::string>();
  get->add_option("ID", *id, "model id")->required();
  list->callback([&context, &run] { run = [&context] { return run_models_list(context); }; });
  get->callback(
      [id, &context, &run] { run = [id, &context] { return run_models_get(context, *id); }; });
  // Runs after list's or get's callback: a bare `babyapi models` lists.
  models->callback([&context, &run] {
    if (!run) run = [&context] { return run_models_list(context); };
  });

  auto raw = std::make_shared<RawOptions>();
  CLI::App* command =
      app.add_subcommand("raw", "any endpoint: GET|POST PATH [JSON] (JSON: text, @FILE or -)");
  command->add_option("METHOD", raw->method, "GET or POST")->required();
  command->add_option("PATH", raw->path, "path under the base URL, e.g. /health")->required();
  raw->body_option =
      command->add_option("JSON", raw->body, "request body for POST (default: stdin when piped)");
  command->add_option("-o,--output", raw->output, "write the answer's bytes to FILE")
      ->type_name("FILE");
  command->callback(
      [raw, &context, &run] { run = [raw, &context] { return run_raw(context, *raw); }; });
}

}  // namespace cli
