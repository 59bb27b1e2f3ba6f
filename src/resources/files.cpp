#include "babyapi/files.hpp"

#include "util/strings.hpp"

BABYAPI_NAMESPACE_BEGIN

File::File(std::string path, std::string content_type)
    : from_disk_(true),
      path_(std::move(path)),
      filename_(std::filesystem::path(path_).filename().string()),
      content_type_(content_type.empty() ? content_type_for(filename_) : std::move(content_type)) {}

File File::from_bytes(std::string bytes, std::string filename, std::string content_type) {
  File file;
  file.bytes_ = std::move(bytes);
  file.content_type_ = content_type.empty() ? content_type_for(filename) : std::move(content_type);
  file.filename_ = std::move(filename);
  return file;
}

std::string content_type_for(const std::string& filename) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".pdf", "application/pdf"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {".html", "text/html"},
      {".htm", "text/html"},
      {".xhtml", "application/xhtml+xml"},
      {".md", "text/markdown"},
      {".markdown", "text/markdown"},
      {".txt", "text/plain"},
      {".csv", "text/csv"},
      {".json", "application/json"},
      {".xml", "application/xml"},
      {".adoc", "text/asciidoc"},
      {".asciidoc", "text/asciidoc"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".tif", "image/tiff"},
      {".tiff", "image/tiff"},
      {".bmp", "image/bmp"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
  };
  const std::string extension =
      detail::to_lower(std::filesystem::path(filename).extension().string());
  for (const auto& [ext, type] : kTypes) {
    if (extension == ext) return type;
  }
  return "application/octet-stream";
}

BABYAPI_NAMESPACE_END
