// embed and rerank.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"

namespace cli {

namespace {

struct EmbedOptions {
  std::vector<std::string> texts;
  std::string input;
  std::string model;
  std::string format = "jsonl";
  std::size_t batch_size = 64;
  std::size_t concurrency = 4;
  std::vector<std::string> params;
};

std::vector<std::string> embed_inputs(Context& context, const EmbedOptions& options) {
  if (!options.texts.empty()) return options.texts;
  if (!options.input.empty()) return split_lines(read_file(options.input));
  if (context.terminal.stdin_tty)
    throw usage_error("no texts: give them as arguments, with --input FILE, or on stdin");
  return split_lines(read_stdin());
}

// The vector as JSON numbers: a float answer is kept as sent, a base64 one is decoded.
babyapi::Json embedding_numbers(const babyapi::Json& item) {
  const babyapi::Json& embedding = item.contains("embedding") ? item["embedding"] : item;
  if (embedding.is_array()) return embedding;
  babyapi::Json numbers = babyapi::Json::array();
  for (const float value : babyapi::decode_embedding(item))
    numbers.push_back(static_cast<double>(value));
  return numbers;
}

int run_embed(Context& context, const EmbedOptions& options) {
  if (options.format != "jsonl" && options.format != "csv")
    throw usage_error("--format is jsonl or csv");
  if (options.batch_size == 0 || options.concurrency == 0)
    throw usage_error("--batch-size and --concurrency must be at least 1");
  const std::vector<std::string> texts = embed_inputs(context, options);
  if (texts.empty()) throw input_error("no texts to embed");
  babyapi::Client& client = context.client();
  const std::string model = context.model(options.model, "embed");

  std::vector<babyapi::Json> batches;
  for (std::size_t start = 0; start < texts.size(); start += options.batch_size) {
    const std::size_t end = std::min(texts.size(), start + options.batch_size);
    babyapi::Json params = {
        {"model", model},
        {"input", std::vector<std::string>(texts.begin() + static_cast<long>(start),
                                           texts.begin() + static_cast<long>(end))}};
    for (const std::string& assignment : options.params) apply_parameter(params, assignment);
    batches.push_back(std::move(params));
  }
  const std::size_t batch_count = batches.size();

  ProgressLine progress(context, "embedding");
  babyapi::BatchOptions batch;
  batch.max_in_flight = options.concurrency;
  batch.request_options = context.request_options();
  // Only worth a bar when there is more than one request to count.
  if (batch_count > 1) {
    progress.count(0, batch_count, "batches");
    batch.on_progress = [&progress](std::size_t done, std::size_t total) noexcept {
      progress.count(done, total, "batches");
    };
  }
  std::vector<babyapi::Result<babyapi::Response>> results =
      client.embeddings.create_many(std::move(batches), batch);
  for (const auto& result : results) {
    if (!result.ok()) {
      progress.clear();
      std::rethrow_exception(result.error());
    }
  }
  progress.finish();

  std::size_t offset = 0;
  for (std::size_t b = 0; b < results.size(); ++b) {
    const babyapi::Response& answer = results[b].value();
    const babyapi::Json& data = answer.get("data");
    if (!data.is_array()) throw babyapi::BabyAPIError("the embeddings answer has no data list");
    for (std::size_t i = 0; i < data.size(); ++i) {
      const babyapi::Json& item = data[i];
      const std::size_t index =
          offset + (item.contains("index") && item["index"].is_number_unsigned()
                        ? item["index"].get<std::size_t>()
                        : i);
      const babyapi::Json numbers = embedding_numbers(item);
      if (options.format == "csv") {
        std::cout << index;
        for (const babyapi::Json& value : numbers) std::cout << ',' << value.dump();
        std::cout << '\n';
      } else {
        std::cout << babyapi::Json{{"index", index}, {"embedding", numbers}}.dump() << '\n';
      }
    }
    offset += std::min(options.batch_size, texts.size() - b * options.batch_size);
  }
  std::cout.flush();
  return kExitOk;
}

struct RerankOptions {
  std::string query;
  std::vector<std::string> documents;
  std::string documents_file;
  std::string model;
  int top_n = 0;
  std::vector<std::string> params;
};

int run_rerank(Context& context, const RerankOptions& options) {
  std::vector<std::string> documents = options.documents;
  if (!options.documents_file.empty()) {
    for (std::string& line : split_lines(read_file(options.documents_file)))
      documents.push_back(std::move(line));
  }
  if (documents.empty())
    throw usage_error("no documents: give them as arguments or --documents FILE");
  babyapi::Client& client = context.client();
  babyapi::Json params = {{"model", context.model(options.model, "rerank")},
                          {"query", options.query},
                          {"documents", documents}};
  if (options.top_n > 0) params["top_n"] = options.top_n;
  for (const std::string& assignment : options.params) apply_parameter(params, assignment);
  const babyapi::Response answer = client.rerank.create(params, context.request_options());
  if (context.options.json) {
    context.print_json(answer.json());
    return kExitOk;
  }
  const babyapi::Json& results = answer.get("results");
  if (!results.is_array()) throw babyapi::BabyAPIError("the rerank answer has no results list");
  std::printf("%-4s  %-5s  %-8s  %s\n", "rank", "index", "score", "document");
  int rank = 0;
  for (const babyapi::Json& result : results) {
    ++rank;
    const long index = result.value("index", -1L);
    const double score = result.value("relevance_score", 0.0);
    std::string text = index >= 0 && static_cast<std::size_t>(index) < documents.size()
                           ? documents[static_cast<std::size_t>(index)]
                           : std::string();
    for (char& c : text) {
      if (c == '\n' || c == '\t') c = ' ';
    }
    std::printf("%-4d  %-5ld  %-8.4f  %s\n", rank, index, score, text.c_str());
  }
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

void add_vector_commands(CLI::App& app, Context& context, Runner& run) {
  auto embed = std::make_shared<EmbedOptions>();
  CLI::App* command =
      app.add_subcommand("embed", "embeddings, one JSON line (or CSV row) per text");
  command->add_option("TEXT", embed->texts,
                      "texts to embed (default: --input or stdin, one a line)");
  command->add_option("-i,--input", embed->input, "read texts from FILE, one a line")
      ->type_name("FILE");
  command->add_option("-m,--model", embed->model,
                      "model id (default: the server's embedding model)");
  command->add_option("--format", embed->format, "jsonl (default) or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  command->add_option("--batch-size", embed->batch_size, "texts per request (default 64)");
  command->add_option("--concurrency", embed->concurrency, "requests in flight (default 4)");
  command->add_option("-p,--param", embed->params, "request parameter (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command->callback(
      [embed, &context, &run] { run = [embed, &context] { return run_embed(context, *embed); }; });

  auto rerank = std::make_shared<RerankOptions>();
  command = app.add_subcommand("rerank", "rank documents by relevance to a query");
  command->add_option("QUERY", rerank->query, "the query")->required();
  command->add_option("DOC", rerank->documents, "documents");
  command
      ->add_option("-d,--documents", rerank->documents_file, "read documents from FILE, one a line")
      ->type_name("FILE");
  command->add_option("-m,--model", rerank->model, "model id (default: the server's reranker)");
  command->add_option("--top-n", rerank->top_n, "keep the N best");
  command->add_option("-p,--param", rerank->params, "request parameter (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command->callback([rerank, &context, &run] {
    run = [rerank, &context] { return run_rerank(context, *rerank); };
  });
}

}  // namespace cli
