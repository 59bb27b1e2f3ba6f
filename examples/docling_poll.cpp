// Docling: the low-level alternative to wait_for_result — poll and fetch yourself, pinned.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response submitted = client.docling.convert_source_async({
      {"sources", {{{"kind", "http"}, {"url", "https://arxiv.org/pdf/2408.09869"}}}},
  });
  std::string task_id = submitted["task_id"];
  babyapi::RequestOptions pinned;
  pinned.headers = {{"x-babyapi-docling-id", submitted.json().value("_babyapi_docling_id", "")}};

  babyapi::Response status;
  while (true) {
    // The server holds each answer up to 2 s until the task ends: no sleep needed between polls.
    status = client.docling.poll_status(task_id, std::chrono::seconds(2), pinned);
    std::string state = status["task_status"];
    if (state == "success" || state == "failure" || state == "error") break;
  }

  if (status["task_status"] == "success") {
    std::cout
        << client.docling.get_result(task_id, pinned)["document"]["md_content"].get<std::string>()
        << "\n";
  }
}
