// Docling: convert local files — one path, several paths with options, or raw bytes.
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

  // Several files plus options: every option becomes its own form field.
  babyapi::Response both =
      client.docling.convert_file({argv[1], argv[2]}, {{"to_formats", {"md", "json"}}});
  std::cout << both["document"]["filename"].get<std::string>() << "\n";

  // Raw bytes with a file name and content type.
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  babyapi::Response raw = client.docling.convert_file(
      babyapi::File::from_bytes(bytes.str(), "report.html", "text/html"));
  std::cout << raw["document"]["md_content"].get<std::string>() << "\n";
}
