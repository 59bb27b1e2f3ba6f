// Docling: convert local files — one path, several paths with options (a ZIP answer), or raw
// bytes.
// Usage: docling_convert_file invoice.md report.html
#include <babyapi/babyapi.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: docling_convert_file FILE OTHER_FILE\n";
    return 2;
  }
  babyapi::Client client;

  // A path: streamed from disk as it uploads, never read whole into memory.
  babyapi::Response one = client.docling.convert_file(argv[1]);
  std::cout << one["document"]["md_content"].get<std::string>() << "\n";

  // Several files plus options: every option becomes its own form field. With more than one
  // document docling-serve answers a ZIP archive (one file per document and format, e.g.
  // invoice.md and invoice.json), not JSON: check the content type before reading the body.
  babyapi::Response both =
      client.docling.convert_file({argv[1], argv[2]}, {{"to_formats", {"md", "json"}}});
  if (both.content_type() == "application/zip") {
    std::ofstream("converted_docs.zip", std::ios::binary) << both.text();
    std::cout << "converted_docs.zip: " << both.text().size() << " bytes for " << argv[1] << " and "
              << argv[2] << "\n";
  } else {
    std::cout << both["document"]["filename"].get<std::string>() << "\n";
  }

  // Raw bytes with a file name and content type.
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  babyapi::Response raw = client.docling.convert_file(
      babyapi::File::from_bytes(bytes.str(), "report.html", "text/html"));
  std::cout << raw["document"]["md_content"].get<std::string>() << "\n";
}
