// The reader behind embeddings.create_matrix: a strict JSON scanner that walks an embeddings
// answer and writes data[*].embedding straight into one block of floats, base64 or numbers, item
// by item. It checks the whole document's syntax as it goes (nesting bounded), builds no tree for
// the vectors, and hands only the small members it keeps (usage, model) to nlohmann.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/json.hpp"

namespace babyapi::detail {

struct EmbeddingScan {
  std::vector<float> data;  // rows in index order, rows * dim floats
  std::size_t rows = 0;
  std::size_t dim = 0;
  Json usage;  // null when absent
  std::string model;
  bool saw_data = false;
  std::string error;  // why the answer cannot be a matrix; "" on success
};

// Reads `json` into `out`; false (with out.error set) when it is not valid JSON or not a matrix.
bool scan_embeddings(std::string_view json, EmbeddingScan& out);

}  // namespace babyapi::detail
