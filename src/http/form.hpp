// Multipart form bodies: the parts a request sends (fields and files) and the pure encoding of a
// JSON options object into form fields, as docling-serve's form endpoints read them.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/json.hpp"
#include "babyapi/transport.hpp"

namespace babyapi::detail {

using babyapi::Form;  // public: include/babyapi/transport.hpp
using babyapi::FormPart;

// Appends one field per option: strings as they are, booleans true/false, numbers as text, each
// element of a list as its own field of the same name, objects (and lists inside lists) as JSON
// text; null options are left out. Names get prefix in front.
void append_option_fields(Form& form, const Json& options, std::string_view prefix = {});

// Throws BabyAPIError unless path is a regular file this process can read, naming what it is
// instead ("is a directory", "is a FIFO", "does not exist", "cannot be read: ..."). Never blocks,
// even on a FIFO.
void check_upload_file(const std::string& path);

// A file opened for upload after the same checks. size is what the filesystem reports, or -1
// when it reports 0: procfs and sysfs files do that although they have content, so such files
// are sent with their length unknown (chunked) instead of empty.
struct UploadFile {
  std::FILE* file = nullptr;  // owned by the caller
  long long size = -1;
};
UploadFile open_upload_file(const std::string& path);

}  // namespace babyapi::detail
