// Peak memory and time for one large JSON answer: a docling-style document of about 100 MiB (many
// small text items and some large base64 images), fetched over loopback from a server in its own
// process. Each mode runs in a fresh child process, so its peak RSS (VmHWM) is its own:
//   held once   the default: the body is parsed, then its text is released
//   keep_text   RequestOptions::keep_text, text and tree both held (what every answer did before)
// Prints figures; never a test. large_answer_bench [MiB, default 100]
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "babyapi/babyapi.hpp"

namespace {

// A figure of /proc/self/status in KiB: VmHWM (peak resident) or VmRSS (resident now).
long status_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  }
  return -1;
}

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

bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Answers every connection with the document, one request per connection.
[[noreturn]] void serve(int listener, std::size_t mib, int ready_fd) {
  const std::string body = docling_document(mib);
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  const char ok = 1;
  if (::write(ready_fd, &ok, 1) != 1) std::_Exit(1);
  ::close(ready_fd);
  for (;;) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    send_all(fd, head) && send_all(fd, body);
    ::close(fd);
  }
}

// One fetch in a fresh process; prints its figures.
void measure(const char* name, const std::string& base_url, bool keep_text, std::size_t mib) {
  std::fflush(stdout);  // or the child would print the parent's buffered lines again
  const pid_t child = ::fork();
  if (child == 0) {
    babyapi::ClientOptions options;
    options.api_key = "sk-bench";
    options.base_url = base_url;
    options.max_retries = 0;
    babyapi::Client client(options);
    babyapi::RequestOptions request_options;
    request_options.keep_text = keep_text;
    const long peak_before = status_kib("VmHWM");
    const long rss_before = status_kib("VmRSS");
    const auto started = std::chrono::steady_clock::now();
    const babyapi::Response res = client.get("/document", request_options);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const std::size_t items = res["document"]["json_content"]["texts"].size();
    const long peak = status_kib("VmHWM") - peak_before;
    const long held = status_kib("VmRSS") - rss_before;
    std::printf(
        "%-10s peak +%4ld MiB (%.2fx body)  held after the call +%4ld MiB (%.2fx)  %5lld ms"
        "  %zu texts\n",
        name, peak / 1024, static_cast<double>(peak) / 1024.0 / static_cast<double>(mib),
        held / 1024, static_cast<double>(held) / 1024.0 / static_cast<double>(mib),
        static_cast<long long>(elapsed.count()), items);
    std::fflush(stdout);
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::printf("%s: the child failed\n", name);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100;
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 16) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("listen");
    return 1;
  }
  int ready[2];
  if (::pipe(ready) != 0) return 1;
  const pid_t server = ::fork();
  if (server == 0) {
    ::close(ready[0]);
    serve(listener, mib, ready[1]);
  }
  ::close(ready[1]);
  char ok = 0;
  if (::read(ready[0], &ok, 1) != 1) return 1;  // the server holds its document and listens
  const std::string base_url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  std::printf(
      "one %zu MiB docling-style JSON answer over loopback, each fetch in a fresh process\n", mib);
  for (int round = 0; round < 2; ++round) {
    measure("held once", base_url, false, mib);
    measure("keep_text", base_url, true, mib);
  }
  ::kill(server, SIGKILL);
  ::waitpid(server, nullptr, 0);
  return 0;
}
