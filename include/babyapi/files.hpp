// Files to upload: a File is read from disk as it is sent (never loaded whole into memory) or given
// as bytes; Files holds one or many and converts from a path, so convert_file("./a.pdf") works.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "babyapi/config.hpp"

BABYAPI_NAMESPACE_BEGIN

class BABYAPI_EXPORT File {
 public:
  /// A file on disk, streamed as it uploads. The content type comes from the extension when empty.
  File(std::string path, std::string content_type = {});  ///< NOLINT(google-explicit-constructor)
  File(const char* path) : File(std::string(path)) {}     // NOLINT(google-explicit-constructor)
  File(const std::filesystem::path& path)                 // NOLINT(google-explicit-constructor)
      : File(path.string()) {}

  static File from_path(std::string path, std::string content_type = {}) {
    return File(std::move(path), std::move(content_type));
  }
  /// Bytes already in memory, sent under filename. The content type comes from filename's
  /// extension when empty.
  static File from_bytes(std::string bytes, std::string filename, std::string content_type = {});

  bool from_disk() const noexcept { return from_disk_; }
  const std::string& path() const noexcept { return path_; }    // "" for bytes
  const std::string& bytes() const noexcept { return bytes_; }  // "" for a path
  const std::string& filename() const noexcept { return filename_; }
  const std::string& content_type() const noexcept { return content_type_; }

 private:
  File() = default;
  bool from_disk_ = false;
  std::string path_;
  std::string bytes_;
  std::string filename_;
  std::string content_type_;
};

class BABYAPI_EXPORT Files {
 public:
  Files(File file) { files_.push_back(std::move(file)); }          // NOLINT
  Files(std::string path) : Files(File(std::move(path))) {}        // NOLINT
  Files(const char* path) : Files(File(path)) {}                   // NOLINT
  Files(const std::filesystem::path& path) : Files(File(path)) {}  // NOLINT
  Files(std::initializer_list<File> files) : files_(files) {}      // NOLINT
  Files(std::vector<File> files) : files_(std::move(files)) {}     // NOLINT

  const std::vector<File>& items() const noexcept { return files_; }
  size_t size() const noexcept { return files_.size(); }

 private:
  std::vector<File> files_;
};

/// The MIME type for a file name's extension (pdf, docx, pptx, xlsx, html, md, txt, csv, png, jpeg,
/// tiff, ...); application/octet-stream when unknown.
BABYAPI_EXPORT std::string content_type_for(const std::string& filename);

BABYAPI_NAMESPACE_END
