// embeddings.create_matrix against create() + decode_embedding, for one batch of 2,048 texts at
// 1,024 dimensions, from one loopback server in its own process that answers floats or base64 as
// asked (precomputed, so the figures are the client's). Each fetch runs in a fresh child process
// so its peak RSS (VmHWM) is its own; the modes alternate, and the median of the rounds is shown.
// Prints figures; never a test. embedding_matrix_bench [rounds, default 5] [rows] [dim]
#include <sys/mman.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "babyapi/babyapi.hpp"
#include "forked_server.hpp"
#include "util/base64.hpp"  // the library's own encoder (src/, as the fuzz targets use it)

namespace {

// Deterministic values with the spread of real embeddings (|x| < 0.2, full float precision).
float value_at(std::size_t row, std::size_t col) {
  return static_cast<float>(std::sin(static_cast<double>(row * 1031 + col) * 0.37) * 0.17);
}

// The answer an OpenAI-compatible server gives, in either encoding.
std::string answer_body(std::size_t rows, std::size_t dim, bool as_base64) {
  std::string out = R"({"object":"list","model":"bench-embed","data":[)";
  char number[32];
  for (std::size_t r = 0; r < rows; ++r) {
    if (r != 0) out += ',';
    out += R"({"object":"embedding","index":)" + std::to_string(r) + R"(,"embedding":)";
    if (as_base64) {
      std::string bytes(dim * 4, '\0');
      for (std::size_t c = 0; c < dim; ++c) {
        const float v = value_at(r, c);
        std::uint32_t bits;
        std::memcpy(&bits, &v, 4);
        for (int k = 0; k < 4; ++k) bytes[c * 4 + k] = static_cast<char>((bits >> (8 * k)) & 0xff);
      }
      out += '"' + babyapi::detail::base64_encode(bytes) + '"';
    } else {
      out += '[';
      for (std::size_t c = 0; c < dim; ++c) {
        if (c != 0) out += ',';
        std::snprintf(number, sizeof number, "%.9g", static_cast<double>(value_at(r, c)));
        out += number;
      }
      out += ']';
    }
    out += '}';
  }
  out += R"(],"usage":{"prompt_tokens":)" + std::to_string(rows * 8) + R"(,"total_tokens":)" +
         std::to_string(rows * 8) + "}}";
  return out;
}

struct Figure {
  double ms = 0;
  double peak_mib = 0;
  double checksum = 0;
};

// One fetch in a fresh child; the figure comes back through a shared page.
// mode 0: create() + decode_embedding of floats; 1: create_matrix (base64); 2: create_matrix of a
// float answer (a server that ignores the base64 request).
Figure fetch(const std::string& base_url, int mode, std::size_t rows) {
  auto* shared = static_cast<Figure*>(
      ::mmap(nullptr, sizeof(Figure), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  *shared = Figure{};
  const bool ok = bench::in_child([&] {
    babyapi::ClientOptions options;
    options.api_key = "sk-bench";
    options.base_url = base_url;
    options.max_retries = 0;
    babyapi::Client client(options);
    babyapi::Json texts = babyapi::Json::array();
    for (std::size_t i = 0; i < rows; ++i) texts.push_back("text " + std::to_string(i));
    const babyapi::Json params = {{"model", "bench-embed"}, {"input", texts}};
    client.get("/warm");  // the connection is open before the clock starts
    const long peak_before = bench::status_kib("VmHWM");
    const auto started = std::chrono::steady_clock::now();
    double checksum = 0;
    if (mode != 0) {
      babyapi::Json matrix_params = params;
      if (mode == 2) matrix_params["encoding_format"] = "float";
      const babyapi::EmbeddingMatrix m = client.embeddings.create_matrix(matrix_params);
      for (std::size_t r = 0; r < m.rows(); ++r) checksum += m.row(r)[r % m.dim()];
    } else {
      babyapi::Json float_params = params;
      float_params["encoding_format"] = "float";
      const babyapi::Response res = client.embeddings.create(float_params);
      std::vector<std::vector<float>> vectors;
      for (const babyapi::Json& item : res["data"])
        vectors.push_back(babyapi::decode_embedding(item));
      for (std::size_t r = 0; r < vectors.size(); ++r)
        checksum += vectors[r][r % vectors[r].size()];
    }
    shared->ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    shared->peak_mib = static_cast<double>(bench::status_kib("VmHWM") - peak_before) / 1024.0;
    shared->checksum = checksum;
  });
  Figure figure = *shared;
  ::munmap(shared, sizeof(Figure));
  if (!ok) std::printf("a fetch of mode %d failed\n", mode);
  return figure;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::size_t rows = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2048;
  const std::size_t dim = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1024;
  std::string floats, packed;
  const bench::ForkedServer server(
      [&] {
        floats = bench::json_answer(answer_body(rows, dim, false));
        packed = bench::json_answer(answer_body(rows, dim, true));
      },
      [&](const std::string& request) {
        if (request.rfind("GET ", 0) == 0) return bench::json_answer("{}");
        return request.find("\"base64\"") != std::string::npos ? packed : floats;
      });
  const double matrix_mib = static_cast<double>(rows * dim * sizeof(float)) / (1 << 20);
  std::printf(
      "%zu x %zu embeddings (matrix %.1f MiB) over loopback, %d rounds, fresh process each\n", rows,
      dim, matrix_mib, rounds);
  std::vector<double> float_ms, float_peak, matrix_ms, matrix_peak, fallback_ms, fallback_peak;
  double float_sum = 0, matrix_sum = 0, fallback_sum = 0;
  for (int round = 0; round < rounds; ++round) {  // alternating, so drift hits each alike
    const Figure f = fetch(server.base_url(), 0, rows);
    const Figure m = fetch(server.base_url(), 1, rows);
    const Figure b = fetch(server.base_url(), 2, rows);
    float_ms.push_back(f.ms), float_peak.push_back(f.peak_mib), float_sum = f.checksum;
    matrix_ms.push_back(m.ms), matrix_peak.push_back(m.peak_mib), matrix_sum = m.checksum;
    fallback_ms.push_back(b.ms), fallback_peak.push_back(b.peak_mib), fallback_sum = b.checksum;
  }
  std::printf("create() + decode_embedding, floats: %7.1f ms  peak +%6.1f MiB (%.1fx the matrix)\n",
              median(float_ms), median(float_peak), median(float_peak) / matrix_mib);
  std::printf("create_matrix, base64:               %7.1f ms  peak +%6.1f MiB (%.1fx the matrix)\n",
              median(matrix_ms), median(matrix_peak), median(matrix_peak) / matrix_mib);
  std::printf("create_matrix, float answer:         %7.1f ms  peak +%6.1f MiB (%.1fx the matrix)\n",
              median(fallback_ms), median(fallback_peak), median(fallback_peak) / matrix_mib);
  std::printf(
      "create_matrix is %.1fx faster end to end (%.1fx on a float answer); same values: %s\n",
      median(float_ms) / median(matrix_ms), median(float_ms) / median(fallback_ms),
      float_sum == matrix_sum && float_sum == fallback_sum ? "yes" : "NO");
  return 0;
}
