// Peak memory and time for one large JSON answer: a docling-style document of about 100 MiB (many
// small text items and some large base64 images), fetched over loopback from a server in its own
// process. Each mode runs in a fresh child process, so its peak RSS (VmHWM) is its own:
//   held once   the default: the body is parsed, then its text is released
//   keep_text   RequestOptions::keep_text, text and tree both held (what every answer did before)
// Prints figures; never a test. large_answer_bench [MiB, default 100]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "babyapi/babyapi.hpp"
#include "forked_server.hpp"

namespace {

// About `mib` MiB of docling-like JSON: half in text items, half in picture data URIs.
std::string docling_document(std::size_t mib) {
  const std::size_t target = mib << 20;
  std::string out = R"({"document":{"filename":"big.pdf","json_content":{"texts":[)";
  std::size_t i = 0;
  while (out.size() < target / 2) {
    if (i != 0) out += ',';
    out += R"({"self_ref":"#/texts/)" + std::to_string(i) +
           R"(","label":"text","prov":[{"page_no":)" + std::to_string(i / 40 + 1) +
           R"(,"bbox":{"l":72.0,"t":700.5,"r":540.0,"b":688.25}}],"text":"Paragraph )" +
           std::to_string(i) + R"( of a long report, with enough words to look like prose."})";
    ++i;
  }
  out += R"(],"pictures":[)";
  const std::string image(1 << 20, 'A');
  for (std::size_t p = 0; out.size() + image.size() < target; ++p) {
    if (p != 0) out += ',';
    out += R"({"self_ref":"#/pictures/)" + std::to_string(p) +
           R"(","image":{"mimetype":"image/png","uri":"data:image/png;base64,)" + image + "\"}}";
  }
  out += "]}}}";
  return out;
}

// One fetch in a fresh process; prints its figures.
void measure(const char* name, const std::string& base_url, bool keep_text, std::size_t mib) {
  const bool ok = bench::in_child([&] {
    babyapi::ClientOptions options;
    options.api_key = "sk-bench";
    options.base_url = base_url;
    options.max_retries = 0;
    babyapi::Client client(options);
    babyapi::RequestOptions request_options;
    request_options.keep_text = keep_text;
    const long peak_before = bench::status_kib("VmHWM");
    const long rss_before = bench::status_kib("VmRSS");
    const auto started = std::chrono::steady_clock::now();
    const babyapi::Response res = client.get("/document", request_options);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const std::size_t items = res["document"]["json_content"]["texts"].size();
    const long peak = bench::status_kib("VmHWM") - peak_before;
    const long held = bench::status_kib("VmRSS") - rss_before;
    std::printf(
        "%-10s peak +%4ld MiB (%.2fx body)  held after the call +%4ld MiB (%.2fx)  %5lld ms"
        "  %zu texts\n",
        name, peak / 1024, static_cast<double>(peak) / 1024.0 / static_cast<double>(mib),
        held / 1024, static_cast<double>(held) / 1024.0 / static_cast<double>(mib),
        static_cast<long long>(elapsed.count()), items);
  });
  if (!ok) std::printf("%s: the child failed\n", name);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100;
  std::string answer;
  const bench::ForkedServer server(
      [&] { answer = bench::json_answer(docling_document(mib), /*close=*/true); },
      [&](const std::string&) { return answer; });
  std::printf(
      "one %zu MiB docling-style JSON answer over loopback, each fetch in a fresh process\n", mib);
  for (int round = 0; round < 2; ++round) {
    measure("held once", server.base_url(), false, mib);
    measure("keep_text", server.base_url(), true, mib);
  }
  return 0;
}
