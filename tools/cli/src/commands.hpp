// The command groups of the babyapi tool. Each add_* function registers its subcommands on app;
// when one of them is parsed, its callback stores in `run` the function that does the work.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "common.hpp"

namespace cli {

using Runner = std::function<int()>;

void add_generation_commands(CLI::App& app, Context& context, Runner& run);  // chat complete infer
void add_vector_commands(CLI::App& app, Context& context, Runner& run);      // embed rerank
void add_resource_commands(CLI::App& app, Context& context, Runner& run);    // models raw
void add_docling_commands(CLI::App& app, Context& context, Runner& run);     // docling ...

}  // namespace cli
