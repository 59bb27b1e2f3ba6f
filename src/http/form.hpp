// Multipart form bodies: the parts a request sends (fields and files) and the pure encoding of a
// JSON options object into form fields, as docling-serve's form endpoints read them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "babyapi/json.hpp"

namespace babyapi::detail {

struct FormPart {
  std::string name;
  std::string value;  // a field's text, or a file's bytes when it is not read from disk
  bool is_file = false;
  std::string path;  // a file read from disk as it is sent
  std::string filename;
  std::string content_type;
};
using Form = std::vector<FormPart>;

// Appends one field per option: strings as they are, booleans true/false, numbers as text, each
// element of a list as its own field of the same name, objects (and lists inside lists) as JSON
// text; null options are left out. Names get prefix in front.
void append_option_fields(Form& form, const Json& options, std::string_view prefix = {});

}  // namespace babyapi::detail
