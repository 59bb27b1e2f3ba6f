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

/// One file to upload: a file on disk, read as it is sent (never loaded whole into memory), or
/// bytes already in memory.
///
/// A path converts to a File implicitly, and to Files, so `convert_file("./a.pdf")` works. The
/// file is sent under its filename() with its content_type(), which comes from the extension
/// (see content_type_for()) unless given. A path that is not a readable regular file throws
/// BabyAPIError from the call that uploads it, before anything is sent.
///
/// \code
/// client.docling.convert_file(babyapi::File("./scan.tiff", "image/tiff"));
/// client.docling.convert_file(babyapi::File::from_bytes(pdf_bytes, "report.pdf"));
/// \endcode
class BABYAPI_EXPORT File {
 public:
  /// A file on disk, streamed as it uploads, sent under the last component of path. The content
  /// type comes from the extension when empty.
  File(std::string path, std::string content_type = {});  // NOLINT(google-explicit-constructor)
  /// A file on disk at path, its content type from the extension.
  File(const char* path) : File(std::string(path)) {}  // NOLINT(google-explicit-constructor)
  /// A file on disk at path, its content type from the extension.
  File(const std::filesystem::path& path)  // NOLINT(google-explicit-constructor)
      : File(path.string()) {}

  /// The same as File(path, content_type): a file on disk, named to pair with from_bytes().
  static File from_path(std::string path, std::string content_type = {}) {
    return File(std::move(path), std::move(content_type));
  }
  /// Bytes already in memory, sent under filename. The content type comes from filename's
  /// extension when empty.
  static File from_bytes(std::string bytes, std::string filename, std::string content_type = {});

  /// True for a file on disk (path() is set); false for bytes in memory (bytes() is set).
  bool from_disk() const noexcept { return from_disk_; }
  /// The path on disk; "" for bytes.
  const std::string& path() const noexcept { return path_; }
  /// The bytes to send; "" for a file on disk.
  const std::string& bytes() const noexcept { return bytes_; }
  /// The filename the file is sent under: the path's last component, or from_bytes' filename.
  const std::string& filename() const noexcept { return filename_; }
  /// The content type the file is sent with.
  const std::string& content_type() const noexcept { return content_type_; }

 private:
  File() = default;
  bool from_disk_ = false;
  std::string path_;
  std::string bytes_;
  std::string filename_;
  std::string content_type_;
};

/// The files of one upload (Docling::convert_file, DoclingChunk's *_file calls), in order.
///
/// It converts implicitly from one File, one path, a braced list of either or a vector, so
/// `convert_file("./a.pdf")` and `convert_file({"./a.pdf", "./b.docx"})` both work. An upload of
/// no files at all throws BabyAPIError before anything is sent.
class BABYAPI_EXPORT Files {
 public:
  /// One file.
  Files(File file) { files_.push_back(std::move(file)); }  // NOLINT
  /// One file on disk, at path.
  Files(std::string path) : Files(File(std::move(path))) {}  // NOLINT
  /// One file on disk, at path.
  Files(const char* path) : Files(File(path)) {}  // NOLINT
  /// One file on disk, at path.
  Files(const std::filesystem::path& path) : Files(File(path)) {}  // NOLINT
  /// Several files (or paths), in this order.
  Files(std::initializer_list<File> files) : files_(files) {}  // NOLINT
  /// Several files, in this order.
  Files(std::vector<File> files) : files_(std::move(files)) {}  // NOLINT

  /// The files, in upload order.
  const std::vector<File>& items() const noexcept { return files_; }
  /// How many files there are.
  size_t size() const noexcept { return files_.size(); }

 private:
  std::vector<File> files_;
};

/// The MIME type for a file name's extension (pdf, docx, pptx, xlsx, html, md, txt, csv, png, jpeg,
/// tiff, ...); application/octet-stream when unknown.
BABYAPI_EXPORT std::string content_type_for(const std::string& filename);

BABYAPI_NAMESPACE_END
