// Fuzz target for scan_embeddings (embeddings.create_matrix's reader), checked against nlohmann:
// whatever the scanner accepts, nlohmann must read as the same matrix (the scanner is not allowed
// to invent rows or values); what nlohmann reads as a valid matrix, the scanner accepts unless it
// names a rule of its own (no escapes in base64, a key given twice, nesting past 64, bytes after
// a NUL that nlohmann takes for the end). Crashes,
// hangs and sanitizer reports are bugs. -DBABYAPI_FUZZ_STANDALONE replays seeds and files.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "babyapi/json.hpp"
#include "resources/embedding_scan.hpp"
#include "util/base64.hpp"

namespace {

using babyapi::Json;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "embedding_scan_fuzz: %s\n", what);
  std::abort();
}

// The matrix the same rules make of nlohmann's tree; nullopt when they make none.
std::optional<std::vector<float>> expected_matrix(const Json& doc, std::size_t& rows) {
  if (!doc.is_object()) return std::nullopt;
  const auto data = doc.find("data");
  if (data == doc.end() || !data->is_array()) return std::nullopt;
  rows = data->size();
  std::vector<std::vector<float>> by_index(rows);
  std::vector<bool> seen(rows, false);
  std::size_t dim = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const Json& item = (*data)[i];
    if (!item.is_object()) return std::nullopt;
    std::size_t index = i;
    const auto found = item.find("index");
    if (found != item.end()) {
      if (!found->is_number_unsigned()) return std::nullopt;
      index = found->get<std::uint64_t>() < rows ? found->get<std::size_t>() : rows;
    }
    if (index >= rows || seen[index]) return std::nullopt;
    seen[index] = true;
    const auto embedding = item.find("embedding");
    if (embedding == item.end()) return std::nullopt;
    std::vector<float> row;
    if (embedding->is_array()) {
      for (const Json& value : *embedding) {
        if (!value.is_number()) return std::nullopt;
        row.push_back(value.get<float>());
      }
    } else if (embedding->is_string()) {
      const auto bytes = babyapi::detail::base64_decode(embedding->get<std::string>());
      if (!bytes || bytes->size() % 4 != 0) return std::nullopt;
      row.resize(bytes->size() / 4);
      if (!bytes->empty()) {  // memcpy from an empty vector's null data() is undefined
        std::memcpy(row.data(), bytes->data(), bytes->size());  // the fuzz hosts are little-endian
      }
    } else {
      return std::nullopt;
    }
    if (i == 0) dim = row.size();
    if (row.size() != dim) return std::nullopt;
    by_index[index] = std::move(row);
  }
  std::vector<float> flat;
  for (const auto& row : by_index) flat.insert(flat.end(), row.begin(), row.end());
  return flat;
}

bool close_enough(float a, float b) {
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-6f * std::fmax(std::fabs(a), std::fabs(b));
}

void fuzz_one(std::string_view input) {
  babyapi::detail::EmbeddingScan scan;
  const bool scanned = babyapi::detail::scan_embeddings(input, scan);
  if (scanned != scan.error.empty()) fail("the result and the error disagree");
  if (scanned && scan.data.size() != scan.rows * scan.dim) fail("data is not rows x dim");
  const Json doc = Json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    // nlohmann also checks UTF-8 inside strings, which the scanner leaves alone.
    bool high = false;
    for (char c : input) high = high || static_cast<unsigned char>(c) >= 0x80;
    if (scanned && !high) fail("accepted a document nlohmann rejects");
    return;
  }
  std::size_t rows = 0;
  const std::optional<std::vector<float>> expected = expected_matrix(doc, rows);
  if (scanned) {
    if (!expected) fail("accepted what is not a matrix");
    if (scan.rows != rows || scan.data.size() != expected->size()) fail("shape differs");
    for (std::size_t i = 0; i < expected->size(); ++i) {
      if (!close_enough(scan.data[i], (*expected)[i])) fail("a value differs");
    }
    const auto usage = doc.find("usage");
    const Json want = usage != doc.end() && usage->is_object() ? *usage : Json(nullptr);
    if (scan.usage != want) fail("usage differs");
    return;
  }
  if (expected) {
    // nlohmann stops at a NUL byte; the scanner calls what follows the document an error.
    if (input.find('\0') != std::string_view::npos &&
        scan.error.find("text after") != std::string::npos) {
      return;
    }
    for (const char* own_rule : {"two", "deeply", "base64"}) {
      if (scan.error.find(own_rule) != std::string::npos) return;
    }
    fail("refused a matrix nlohmann reads");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

#if defined(BABYAPI_FUZZ_STANDALONE)
#include "seed_replay.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> seeds = {
      "",
      R"({"object":"list","data":[{"index":0,"embedding":[1,-2.5e-3,0]},)"
      R"({"index":1,"embedding":[4,5,6]}],"model":"m","usage":{"prompt_tokens":2}})",
      R"({"data":[{"index":1,"embedding":"AACAPwAAAEA="},{"index":0,"embedding":"AABAQAAAgEA="}]})",
      R"({"data":[{"embedding":[1]},{"embedding":[1,2]}]})",
      R"({"data":[{"index":0,"embedding":[1e999,-0,0.5]}]})",
      R"({"data":[{"index":0,"embedding":[1e-400,-0,0.5]}],"usage":{"a":[1,{"b":null}]}})",
      R"({"data":[{"index":0,"embedding":"QQ=="}],"x":[[[[[[]]]]]],"y":"\u00e9\n"})",
      R"({"data":[{"index":-0,"embedding":[]}]})",
      R"([{"data":[]}])",
      R"({"data":[{"index":0,"embedding":""}]})",  // an empty base64 row (once UB in the oracle)
  };
  return babyapi::fuzz::replay_seeds(argc, argv, "embedding_scan_fuzz", seeds,
                                     [](const std::string& input) { fuzz_one(input); });
}
#endif
