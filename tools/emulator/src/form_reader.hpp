// Streamed request bodies for route_streamed routes: multipart/form-data is read part by part
// through httplib's ContentReader, so an upload of any size costs only a bounded prefix of
// each part; each file part is sized and hashed (FNV-1a 64) on the fly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server.hpp"

namespace emu {

inline constexpr std::size_t kFormKeepBytes = std::size_t{1024} * 1024;  // bytes of each file kept
inline constexpr std::size_t kFormFieldCap =
    std::size_t{64} * 1024;  // bytes of each field value kept
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

struct FormFile {
  std::string name;
  std::string filename;
  std::string content_type;
  std::uint64_t size = 0;
  std::uint64_t fnv1a64 = kFnvOffset;
  std::string head;  // the first kFormKeepBytes bytes
};

struct FormField {
  std::string name;
  std::string value;  // the first kFormFieldCap bytes
  std::uint64_t size = 0;
};

struct FormBody {
  bool multipart = false;  // Content-Type was multipart/form-data
  bool ok = true;          // read to the end (and, multipart, well formed)
  std::uint64_t bytes = 0;
  std::vector<FormField> fields;  // plain fields, in order
  std::vector<FormFile> files;    // file parts (a filename, or the name "files"), in order
};

// Reads the body of a route_streamed request (sets call.body_consumed) and records it in the
// request log: "form": {"fields": [[name, value], ...], "files": [{"name", "filename",
// "content_type", "size", "fnv1a64"}, ...]}, "parts" (bytes only for small parts) and
// "body_size"; a body that is not multipart is logged like any other (first 1 MiB).
FormBody read_form(Call& call);

// 16 lowercase hex digits.
std::string hex64(std::uint64_t v);

}  // namespace emu
