// babyapi: the command-line tool of babyapi-cpp. Every endpoint from the shell, built on the SDK's
// public API alone. See the README's "Command line" section.
#include <babyapi/babyapi.hpp>

#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "common.hpp"

namespace {

// The key must not stay readable in `ps`: overwrite its argv bytes once CLI11 has copied them.
void scrub_api_key(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == "--api-key" && i + 1 < argc) {
      std::memset(argv[i + 1], 'x', std::strlen(argv[i + 1]));
    } else if (arg.rfind("--api-key=", 0) == 0) {
      std::memset(argv[i] + 10, 'x', std::strlen(argv[i] + 10));
    }
  }
}

bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) break;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

int run(int argc, char** argv) {
  cli::Context context;
  CLI::App app{
      "babyapi: the BabyAPI command line (chat, completions, embeddings, rerank, models, "
      "raw calls and Docling conversions)",
      "babyapi"};
  app.set_version_flag("--version", std::string("babyapi ") + babyapi::version());
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command: `babyapi chat --json hi`
  app.footer(
      "Environment: BABYAPI_API_KEY, BABYAPI_BASE_URL, BABYAPI_DEFAULT_MODEL, BABYAPI_LOG, "
      "NO_COLOR.\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 bad input, 4 connection, 5 timeout, 6 auth,\n"
      "7 rate limit, 8 other HTTP status, 130 interrupted.");

  cli::GlobalOptions& options = context.options;
  app.add_option("--api-key", options.api_key,
                 "API key (visible to other users until parsed: prefer BABYAPI_API_KEY or "
                 "--api-key-file)")
      ->type_name("KEY");
  app.add_option("--api-key-file", options.api_key_file, "read the API key from FILE")
      ->type_name("FILE");
  app.add_option("--base-url", options.base_url, "server URL (default: BABYAPI_BASE_URL)")
      ->type_name("URL");
  app.add_option("--timeout", options.timeout_seconds, "request timeout, seconds")
      ->type_name("SECONDS");
  app.add_option("--max-retries", options.max_retries, "retries of transient failures")
      ->type_name("N");
  app.add_option("-H,--header", options.headers, "extra request header (repeatable)")
      ->type_name("NAME:VALUE")
      ->allow_extra_args(false);
  app.add_flag("-q,--quiet", options.quiet, "no progress, no hints; errors still print");
  app.add_flag("--json", options.json, "JSON output, and errors as JSON on stderr");

  cli::Runner runner;
  cli::add_generation_commands(app, context, runner);
  cli::add_vector_commands(app, context, runner);
  cli::add_resource_commands(app, context, runner);
  cli::add_docling_commands(app, context, runner);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    scrub_api_key(argc, argv);
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    context.options.json = wants_json(argc, argv);
    context.terminal = cli::Terminal::detect(false);
    const int code = cli::report_error(context, cli::usage_error(error.what()));
    if (!context.options.json) std::cerr << "Run with --help for more information.\n";
    return code;
  }
  scrub_api_key(argc, argv);
  context.terminal = cli::Terminal::detect(context.options.quiet);
  if (!runner) return cli::kExitUsage;
  try {
    return runner();
  } catch (const std::exception& error) {
    std::cout.flush();
    return cli::report_error(context, error);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists: SIGINT is then blocked everywhere and only the watcher takes it.
  cli::Interrupts::instance().start();
  int status = cli::kExitFailure;
  try {
    status = run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "babyapi: error: " << error.what() << '\n';
  } catch (...) {
    std::cerr << "babyapi: error: unknown failure\n";
  }
  std::cout.flush();
  cli::Interrupts::instance().stop();
  return status;
}
