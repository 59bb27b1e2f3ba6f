// docling convert / chunk / health / ready / version.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "zip.hpp"

namespace cli {

namespace {

namespace fs = std::filesystem;

struct Format {
  const char* name;    // as --to and to_formats say it
  const char* member;  // in the answer's "document"
  const char* extension;
};

constexpr Format kFormats[] = {
    {"md", "md_content", ".md"},
    {"json", "json_content", ".json"},
    {"html", "html_content", ".html"},
    {"text", "text_content", ".txt"},
    {"doctags", "doctags_content", ".doctags"},
};

const Format& find_format(const std::string& name) {
  for (const Format& format : kFormats) {
    if (name == format.name) return format;
  }
  throw usage_error("--to: unknown format \"" + name + "\" (md, json, html, text, doctags)");
}

bool is_url(const std::string& input) {
  return input.rfind("http://", 0) == 0 || input.rfind("https://", 0) == 0;
}

struct Input {
  std::string text;  // a path or a URL
  bool url = false;
  std::string name() const {
    if (!url) return fs::path(text).filename().string();
    std::string rest = text.substr(0, text.find_first_of("?#"));
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    const auto slash = rest.find_last_of('/');
    return slash == std::string::npos ? rest : rest.substr(slash + 1);
  }
};

// URLs as they are; a directory becomes its regular files (sorted); a file must exist.
std::vector<Input> expand_inputs(const std::vector<std::string>& arguments) {
  std::vector<Input> inputs;
  for (const std::string& argument : arguments) {
    if (is_url(argument)) {
      inputs.push_back({argument, true});
      continue;
    }
    std::error_code error;
    if (fs::is_directory(argument, error)) {
      std::vector<std::string> files;
      for (const auto& entry : fs::directory_iterator(argument, error)) {
        if (entry.is_regular_file()) files.push_back(entry.path().string());
      }
      if (error) throw input_error("cannot list " + argument + ": " + error.message());
      std::sort(files.begin(), files.end());
      for (std::string& file : files) inputs.push_back({std::move(file), false});
    } else if (fs::is_regular_file(argument, error)) {
      inputs.push_back({argument, false});
    } else {
      throw input_error("no such file: " + argument);
    }
  }
  if (inputs.empty()) throw input_error("no files to send");
  return inputs;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string part = trim(text.substr(start, end - start));
    if (!part.empty()) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

void write_file(const fs::path& path, const std::string& content) {
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw input_error("cannot write " + path.string());
}

bool is_zip(const babyapi::Response& answer) {
  return answer.content_type() == "application/zip" ||
         (answer.json().is_null() && answer.text().rfind("PK\x03\x04", 0) == 0);
}

struct ConvertOptions {
  std::vector<std::string> inputs;
  std::string to = "md";
  std::string output_dir;
  CLI::Option* output_option = nullptr;
  bool async = false;
  std::vector<std::string> options;
  double wait_timeout = 600;
};

// Writes one conversion answer: a ZIP is unpacked into dir; a JSON answer gives one file per
// format (or, with no dir, its single format on stdout).
void write_result(const babyapi::Response& answer, const Input& input,
                  const std::vector<const Format*>& formats, const std::optional<fs::path>& dir) {
  if (is_zip(answer)) {
    for (const fs::path& path : unzip(answer.text(), dir.value_or(fs::path(".")))) {
      std::cout << path.string() << '\n';
    }
    return;
  }
  const babyapi::Json& body = answer.json();
  const std::string status = body.is_object() ? body.value("status", std::string("success")) : "";
  if (!body.is_object() || !body.contains("document") || !body["document"].is_object()) {
    throw CliError(kExitFailure, "the conversion of " + input.name() + " gave no document");
  }
  if (status != "success" && status != "partial_success") {
    const babyapi::Json& errors = body.contains("errors") ? body["errors"] : babyapi::Json();
    throw CliError(kExitFailure, "the conversion of " + input.name() + " ended in " + status +
                                     (errors.is_null() ? "" : ": " + errors.dump()));
  }
  const babyapi::Json& document = body["document"];
  std::string stem = fs::path(input.name()).stem().string();
  if (document.contains("filename") && document["filename"].is_string()) {
    const std::string filename = document["filename"].get<std::string>();
    if (!filename.empty()) stem = fs::path(filename).filename().stem().string();
  }
  if (stem.empty() || stem == "." || stem == "..") stem = "document";
  for (const Format* format : formats) {
    const babyapi::Json& value =
        document.contains(format->member) ? document[format->member] : babyapi::Json();
    std::string content;
    if (value.is_string()) {
      content = value.get<std::string>();
    } else if (!value.is_null()) {
      content = value.dump(2, ' ', false, babyapi::Json::error_handler_t::replace) + "\n";
    } else {
      throw CliError(kExitFailure,
                     "the answer for " + input.name() + " has no " + format->name + " content");
    }
    if (!dir) {
      std::cout << content << (content.empty() || content.back() != '\n' ? "\n" : "");
      continue;
    }
    const fs::path path = *dir / (stem + format->extension);
    write_file(path, content);
    std::cout << path.string() << '\n';
  }
  std::cout.flush();
}

std::string short_id(const std::string& id) { return id.size() > 8 ? id.substr(0, 8) : id; }

int run_convert(Context& context, const ConvertOptions& options) {
  std::vector<const Format*> formats;
  for (const std::string& name : split_commas(options.to)) {
    const Format* format = &find_format(name);
    if (std::find(formats.begin(), formats.end(), format) == formats.end())
      formats.push_back(format);
  }
  if (formats.empty()) throw usage_error("--to names no format");
  const std::vector<Input> inputs = expand_inputs(options.inputs);
  babyapi::Json convert_options = babyapi::Json::object();
  babyapi::Json to_formats = babyapi::Json::array();
  for (const Format* format : formats) to_formats.push_back(format->name);
  convert_options["to_formats"] = to_formats;
  for (const std::string& assignment : options.options)
    apply_parameter(convert_options, assignment);

  // No -o, one document, one format: the content goes to stdout.
  std::optional<fs::path> dir;
  if (options.output_option->count() > 0 || inputs.size() > 1 || formats.size() > 1)
    dir = fs::path(options.output_dir.empty() ? "." : options.output_dir);
  if (dir) fs::create_directories(*dir);

  babyapi::Client& client = context.client();
  const std::string counter_total = std::to_string(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Input& input = inputs[i];
    const std::string label =
        inputs.size() > 1 ? "[" + std::to_string(i + 1) + "/" + counter_total + "] " + input.name()
                          : input.name();
    babyapi::Response answer;
    {
      babyapi::RequestOptions request_options = context.request_options();
      ProgressLine upload(context, label);
      if (!input.url) {
        request_options.on_upload_progress = [&upload](std::uint64_t sent, std::uint64_t total) {
          upload.bytes(sent, total);
        };
      }
      const babyapi::Json source_body = {{"sources", {{{"kind", "http"}, {"url", input.text}}}},
                                         {"options", convert_options}};
      if (!options.async) {
        answer = input.url ? client.docling.convert_source(source_body, request_options)
                           : client.docling.convert_file(babyapi::File(input.text), convert_options,
                                                         request_options);
        upload.finish();
      } else {
        const babyapi::Response submit =
            input.url ? client.docling.convert_source_async(source_body, request_options)
                      : client.docling.convert_file_async(babyapi::File(input.text),
                                                          convert_options, request_options);
        upload.finish();
        const babyapi::Json& task_id = submit.get("task_id");
        if (!task_id.is_string()) throw babyapi::BabyAPIError("the async submit gave no task_id");
        babyapi::WaitOptions wait;
        wait.docling_id = submit.docling_id();
        if (wait.docling_id.empty() && submit.get(babyapi::kDoclingIdField).is_string())
          wait.docling_id = submit.get(babyapi::kDoclingIdField).get<std::string>();
        wait.interval = std::chrono::seconds(1);
        wait.timeout = std::chrono::milliseconds(
            std::max<long long>(1, std::llround(options.wait_timeout * 1000.0)));
        ProgressLine waiting(context, label);
        const std::string id = task_id.get<std::string>();
        waiting.status("task " + short_id(id) + " submitted");
        wait.on_poll = [&waiting, id](const babyapi::Json& status) noexcept {
          try {
            const std::string state = status.is_object() && status.contains("task_status") &&
                                              status["task_status"].is_string()
                                          ? status["task_status"].get<std::string>()
                                          : "?";
            waiting.status("task " + short_id(id) + " " + state);
          } catch (...) {
            // A status line is decoration: it must never fail the wait.
          }
        };
        answer = client.docling.wait_for_result(id, wait, context.request_options());
        waiting.finish();
      }
    }
    write_result(answer, input, formats, dir);
  }
  return kExitOk;
}

struct ChunkOptions {
  std::string kind;
  std::string input;
  std::vector<std::string> options;
  int max_tokens = 0;
};

int run_chunk(Context& context, const ChunkOptions& options) {
  babyapi::Json chunking = babyapi::Json::object();
  if (options.max_tokens > 0) chunking["max_tokens"] = options.max_tokens;
  for (const std::string& assignment : options.options) apply_parameter(chunking, assignment);
  const bool hybrid = options.kind == "hybrid";
  babyapi::Client& client = context.client();
  babyapi::RequestOptions request_options = context.request_options();
  babyapi::Response answer;
  if (is_url(options.input)) {
    const babyapi::Json body = {{"sources", {{{"kind", "http"}, {"url", options.input}}}},
                                {"chunking_options", chunking}};
    answer = hybrid ? client.docling.chunk.hybrid_source(body, request_options)
                    : client.docling.chunk.hierarchical_source(body, request_options);
  } else {
    std::error_code error;
    if (!fs::is_regular_file(options.input, error))
      throw input_error("no such file: " + options.input);
    ProgressLine upload(context, fs::path(options.input).filename().string());
    request_options.on_upload_progress = [&upload](std::uint64_t sent, std::uint64_t total) {
      upload.bytes(sent, total);
    };
    const babyapi::Json form = {{"chunking_options", chunking}};
    answer = hybrid ? client.docling.chunk.hybrid_file(babyapi::File(options.input), form,
                                                       request_options)
                    : client.docling.chunk.hierarchical_file(babyapi::File(options.input), form,
                                                             request_options);
    upload.finish();
  }
  if (context.options.json) {
    context.print_json(answer.json());
    return kExitOk;
  }
  const babyapi::Json& chunks = answer.get("chunks");
  if (!chunks.is_array()) throw CliError(kExitFailure, "the chunking answer holds no chunks");
  for (const babyapi::Json& chunk : chunks)
    std::cout << chunk.dump(-1, ' ', false, babyapi::Json::error_handler_t::replace) << '\n';
  std::cout.flush();
  return kExitOk;
}

}  // namespace

void add_docling_commands(CLI::App& app, Context& context, Runner& run) {
  CLI::App* docling = app.add_subcommand("docling", "document conversion and chunking (Docling)");
  docling->require_subcommand(1);

  auto convert = std::make_shared<ConvertOptions>();
  CLI::App* command = docling->add_subcommand(
      "convert", "convert files, directories or URLs; writes DIR/<name>.<ext> per format");
  command->add_option("INPUT", convert->inputs, "files, directories (their files) or URLs")
      ->required();
  command->add_option("--to", convert->to, "formats, comma-separated: md,json,html,text,doctags")
      ->type_name("FORMATS");
  convert->output_option =
      command
          ->add_option("-o,--output", convert->output_dir,
                       "output directory (default: stdout for one document and format, else .)")
          ->type_name("DIR");
  command->add_flag("--async", convert->async, "submit as a task and wait for it");
  command->add_option("--option", convert->options, "conversion option (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command->add_option("--wait-timeout", convert->wait_timeout, "with --async: give up after (s)")
      ->type_name("SECONDS");
  command->callback([convert, &context, &run] {
    run = [convert, &context] { return run_convert(context, *convert); };
  });

  auto chunk = std::make_shared<ChunkOptions>();
  command = docling->add_subcommand("chunk", "split a document into chunks, one JSON line each");
  command->add_option("KIND", chunk->kind, "hybrid or hierarchical")
      ->required()
      ->check(CLI::IsMember({"hybrid", "hierarchical"}));
  command->add_option("INPUT", chunk->input, "a file or a URL")->required();
  command->add_option("--max-tokens", chunk->max_tokens, "hybrid: tokens per chunk");
  command->add_option("--option", chunk->options, "chunking option (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command->callback(
      [chunk, &context, &run] { run = [chunk, &context] { return run_chunk(context, *chunk); }; });

  struct Probe {
    const char* name;
    const char* description;
    babyapi::Response (babyapi::Docling::*call)(const babyapi::RequestOptions&) const;
  };
  static const Probe probes[] = {{"health", "is Docling up", &babyapi::Docling::health},
                                 {"ready", "is Docling ready", &babyapi::Docling::ready},
                                 {"version", "Docling's versions", &babyapi::Docling::version}};
  for (const Probe& probe : probes) {
    CLI::App* sub = docling->add_subcommand(probe.name, probe.description);
    const Probe* which = &probe;
    sub->callback([which, &context, &run] {
      run = [which, &context] {
        babyapi::Client& client = context.client();
        const babyapi::Response answer = (client.docling.*(which->call))(context.request_options());
        context.print_json(answer.json());
        return static_cast<int>(kExitOk);
      };
    });
  }
}

}  // namespace cli
