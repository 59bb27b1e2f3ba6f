// Docling: convert a document from a URL, synchronously.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  babyapi::Response res = client.docling.convert_source({
      {"sources", {{{"kind", "http"}, {"url", "https://arxiv.org/pdf/2408.09869"}}}},
      {"options", {{"to_formats", {"md"}}, {"do_ocr", false}, {"page_range", {1, 10}}}},
  });

  std::cout << res["document"]["md_content"].get<std::string>() << "\n";
}
