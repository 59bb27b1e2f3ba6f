// The transport at its edges, over loopback: classified failures, stall and deadline bounds, a
// bounded body, downloads to a file, odd upload files, and process safety. RawServer
// (transport_edges_server.hpp) plays the peer.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "babyapi/babyapi.hpp"
#include "fnv.hpp"
#include "http/form.hpp"
#include "http/transport.hpp"
#include "transport_edges_server.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using testing::RawServer;

std::string answer(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

// A session that answers every request with 200 {} after reading it whole.
void answer_ok(RawServer& server, int fd) {
  std::string head, body;
  while (server.read_request(fd, head, body)) {
    if (!RawServer::send_all(fd, answer(200, "{}"))) return;
    body.clear();
  }
}

// Answers a TLS ClientHello in plain HTTP, as a server on the wrong port would.
void plain_http_to_tls(RawServer& server, int fd) {
  std::string hello;
  if (server.read_some(fd, hello)) {
    RawServer::send_all(
        fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }
}

ClientOptions options_for(const std::string& base_url, int max_retries = 2) {
  ClientOptions options;
  options.api_key = "sk-transport-test";
  options.base_url = base_url;
  options.max_retries = max_retries;
  options.retry_base_delay = milliseconds(1);
  options.max_retry_delay = milliseconds(2);
  return options;
}

std::shared_ptr<Transport> transport() {
  return detail::make_curl_transport(detail::TransportConfig{});
}

detail::HttpRequest get(const std::string& url) {
  detail::HttpRequest request;
  request.url = url;
  request.timeout = milliseconds(20000);
  return request;
}

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/babyapi-transport-XXXXXX";
    path_ = ::mkdtemp(name);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, size_t size) {
  std::ofstream out(path, std::ios::binary);
  const std::string block(65536, 'u');
  for (size_t left = size; left > 0; left -= std::min(left, block.size())) {
    out.write(block.data(), static_cast<std::streamsize>(std::min(left, block.size())));
  }
}

detail::HttpRequest upload(const std::string& url, const std::string& path) {
  detail::HttpRequest request;
  request.method = "POST";
  request.url = url + "/upload";
  auto form = std::make_shared<detail::Form>();
  detail::FormPart part;
  part.name = "files";
  part.is_file = true;
  part.path = path;
  part.filename = "upload.bin";
  part.content_type = "application/octet-stream";
  form->push_back(part);
  request.form = form;
  return request;
}

// --- A. classified failures -------------------------------------------------------------------

TEST(TransportEdgesTest, ARefusedConnectionIsRetryableAndSurelyNotSent) {
  std::string url;
  {
    RawServer server(answer_ok);
    url = server.url();
  }  // nothing listens there now
  try {
    transport()->send(get(url + "/health"));
    FAIL() << "no error";
  } catch (const APIConnectionError& error) {
    EXPECT_EQ(dynamic_cast<const APITimeoutError*>(&error), nullptr);
    const detail::TransferTraits traits = detail::transfer_traits(error);
    EXPECT_TRUE(traits.retryable);
    EXPECT_FALSE(traits.maybe_sent);
  }
}

TEST(TransportEdgesTest, ATlsHandshakeFailureIsThrownOnceAndNamesCaInfo) {
  RawServer server(plain_http_to_tls);
  Client client(options_for(server.url("https"), 2));
  try {
    client.get("/v1/models");
    FAIL() << "no error";
  } catch (const APIConnectionError& error) {
    EXPECT_NE(error.message().find("ClientOptions::ca_info"), std::string::npos) << error.what();
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(TransportEdgesTest, AMalformedUrlIsAConfigurationErrorNotAConnectionError) {
  Client client(options_for("http://127.0.0.1:99999", 2));
  try {
    client.get("/v1/models");
    FAIL() << "no error";
  } catch (const BabyAPIError& error) {
    EXPECT_EQ(dynamic_cast<const APIConnectionError*>(&error), nullptr) << error.what();
    EXPECT_NE(error.message().find("Configuration error"), std::string::npos) << error.what();
    EXPECT_FALSE(detail::transfer_traits(error).retryable);
  }
}

TEST(TransportEdgesTest, AMissingCaFileIsAConfigurationErrorThrownOnce) {
  RawServer server(plain_http_to_tls);
  ClientOptions options = options_for(server.url("https"), 2);
  options.ca_info = "/nonexistent/babyapi-ca.pem";
  Client client(options);
  try {
    client.get("/v1/models");
    FAIL() << "no error";
  } catch (const BabyAPIError& error) {
    EXPECT_EQ(dynamic_cast<const APIConnectionError*>(&error), nullptr) << error.what();
    EXPECT_NE(error.message().find("ca_info"), std::string::npos) << error.what();
  }
  EXPECT_LE(server.connections(), 1);
}

// --- B. upload stall ----------------------------------------------------------------------------

// Reads the upload, counts it, then says nothing until the test ends (or, as a backstop that
// keeps the test finite, answers after 5 s: an averaged low-speed check would still be waiting).
struct StallAfterUpload {
  std::atomic<int> uploads{0};
  milliseconds pause{5000};
  void operator()(RawServer& server, int fd) {
    std::string head, body;
    if (!server.read_request(fd, head, body)) return;
    ++uploads;
    if (server.wait_stop(pause)) return;
    RawServer::send_all(fd, answer(200, "{}", "Connection: close\r\n"));
  }
};

TEST(TransportEdgesTest, AnUploadThatStallsAfterItsBodyTimesOutAfterTheIdleBound) {
  TempDir dir;
  write_file(dir.file("big.bin"), std::size_t{1} << 20);
  StallAfterUpload stall;
  RawServer server(std::ref(stall));
  detail::HttpRequest request = upload(server.url(), dir.file("big.bin"));
  request.idle_timeout = milliseconds(300);
  try {
    transport()->send(request);
    FAIL() << "no error";
  } catch (const APITimeoutError& error) {
    EXPECT_NE(error.message().find("no byte moved"), std::string::npos) << error.what();
  }
  EXPECT_EQ(stall.uploads.load(), 1);
}

TEST(TransportEdgesTest, AServerPauseShorterThanTheIdleBoundSucceeds) {
  TempDir dir;
  write_file(dir.file("big.bin"), std::size_t{1} << 20);
  StallAfterUpload stall;
  stall.pause = milliseconds(300);
  RawServer server(std::ref(stall));
  detail::HttpRequest request = upload(server.url(), dir.file("big.bin"));
  request.idle_timeout = milliseconds(3000);
  EXPECT_EQ(transport()->send(request).status, 200);
  EXPECT_EQ(stall.uploads.load(), 1);
}

// --- C. deadlines ------------------------------------------------------------------------------

TEST(TransportEdgesTest, ADeadlineThatHasPassedSendsNothing) {
  RawServer server(answer_ok);
  detail::HttpRequest request = get(server.url() + "/v1/models");
  request.deadline = Clock::now() - milliseconds(1);
  EXPECT_THROW(transport()->send(request), APITimeoutError);
  EXPECT_EQ(server.connections(), 0);
}

// Answers with an event stream that only ever sends keep-alive comments.
void keep_alive_forever(RawServer& server, int fd) {
  std::string head, body;
  if (!server.read_request(fd, head, body)) return;
  if (!RawServer::send_all(fd,
                           "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n")) {
    return;
  }
  const std::string comment = ": keep-alive\n\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", comment.size());
  while (!server.wait_stop(milliseconds(50))) {
    if (!RawServer::send_all(fd, size + comment + "\r\n")) return;
  }
}

TEST(TransportEdgesTest, KeepAliveCommentsCannotHoldAStreamPastItsDeadline) {
  RawServer server(keep_alive_forever);
  detail::HttpRequest request = get(server.url() + "/v1/chat/completions");
  request.method = "POST";
  request.body = "{}";
  request.deadline = Clock::now() + milliseconds(500);
  auto stream = transport()->open_stream(request, milliseconds(0));
  const auto give_up = Clock::now() + std::chrono::seconds(20);  // only so a failure ends
  try {
    while (Clock::now() < give_up) {
      if (stream->read().empty()) break;
    }
    FAIL() << "the stream outlived its deadline";
  } catch (const APITimeoutError& error) {
    EXPECT_NE(error.message().find("total_timeout"), std::string::npos) << error.what();
  }
}

TEST(TransportEdgesTest, AStreamsIdleBoundCoversItsHeadersAndItsErrorBody) {
  RawServer silent([](RawServer& server, int fd) {
    std::string head, body;
    if (server.read_request(fd, head, body)) server.wait_stop(milliseconds(30000));
  });
  detail::HttpRequest request = get(silent.url() + "/v1/chat/completions");
  EXPECT_THROW(transport()->open_stream(request, milliseconds(300)), APITimeoutError);

  const auto half_error = [](RawServer& server, int fd) {
    std::string head, body;
    if (!server.read_request(fd, head, body)) return;
    if (RawServer::send_all(fd, "HTTP/1.1 500 X\r\nContent-Length: 100\r\n\r\n{\"error\":")) {
      server.wait_stop(milliseconds(30000));
    }
  };
  RawServer first(half_error);
  request.url = first.url() + "/v1/chat/completions";
  auto stream = transport()->open_stream(request, milliseconds(300));
  EXPECT_EQ(stream->status(), 500);
  EXPECT_THROW(
      {
        while (!stream->read().empty()) {
        }
      },
      APITimeoutError);

  // With no silence bound for the stream, the request's timeout bounds an error body's silence.
  RawServer second(half_error);
  request.url = second.url() + "/v1/chat/completions";
  request.timeout = milliseconds(300);
  auto unbounded = transport()->open_stream(request, milliseconds(0));
  EXPECT_THROW(
      {
        while (!unbounded->read().empty()) {
        }
      },
      APITimeoutError);
}

// --- D. bounded memory -------------------------------------------------------------------------

// A gzip member of `matches` * 258 + 1 zero bytes, hand-encoded with fixed Huffman codes: a
// literal 0, then copies of length 258 at distance 1. About 13 bits on the wire per 258 bytes.
std::string gzip_of_zeros(size_t matches) {
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  std::uint32_t bits = 0;
  int used = 0;
  const auto put = [&](std::uint32_t value, int count) {  // LSB-first bit order
    for (int i = 0; i < count; ++i) {
      bits |= ((value >> i) & 1u) << used;
      if (++used == 8) {
        out += static_cast<char>(bits);
        bits = 0;
        used = 0;
      }
    }
  };
  const auto put_code = [&](std::uint32_t code, int length) {  // Huffman codes go MSB first
    for (int i = length - 1; i >= 0; --i) put((code >> i) & 1u, 1);
  };
  put(1, 1);          // final block
  put(1, 2);          // fixed Huffman
  put_code(0x30, 8);  // literal 0
  for (size_t i = 0; i < matches; ++i) {
    put_code(0xc5, 8);  // length code 285: 258 bytes
    put_code(0, 5);     // distance code 0: distance 1
  }
  put_code(0, 7);  // end of block
  if (used > 0) out += static_cast<char>(bits);
  const std::uint64_t size = matches * 258 + 1;
  std::uint32_t crc = 0xffffffffu;
  for (std::uint64_t i = 0; i < size; ++i) {
    crc ^= 0;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xffffffffu;
  for (int i = 0; i < 4; ++i) out += static_cast<char>((crc >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((size >> (8 * i)) & 0xff);
  return out;
}

TEST(TransportEdgesTest, ACompressedAnswerIsBoundedAfterDecodingAndNotRetried) {
  const std::string bomb = gzip_of_zeros(16 * 1024);  // ~4 MiB decoded, ~26 KiB on the wire
  ASSERT_LT(bomb.size(), std::size_t{64} * 1024);
  std::atomic<int> requests{0};
  RawServer server([&](RawServer& s, int fd) {
    std::string head, body;
    while (s.read_request(fd, head, body)) {
      ++requests;
      if (!RawServer::send_all(fd, answer(200, bomb, "Content-Encoding: gzip\r\n"))) return;
    }
  });
  ClientOptions options = options_for(server.url(), 2);
  options.max_response_bytes = 64 * 1024;
  Client client(options);
  try {
    client.get("/v1/models");
    FAIL() << "no error";
  } catch (const ResponseTooLargeError& error) {
    EXPECT_NE(error.message().find("65536"), std::string::npos) << error.what();
    EXPECT_FALSE(detail::transfer_traits(error).retryable);
  }
  EXPECT_EQ(requests.load(), 1);

  // Below the bound the same bytes decode whole: the encoder above is a valid gzip member.
  detail::HttpRequest request = get(server.url() + "/v1/models");
  request.max_response_bytes = std::size_t{8} << 20;
  const detail::HttpResponse whole = transport()->send(request);
  EXPECT_EQ(whole.body, std::string(16 * 1024 * 258 + 1, '\0'));
}

// --- E. download_to ----------------------------------------------------------------------------

TEST(TransportEdgesTest, ADownloadIsWrittenToTheFileAndNotHeldInMemory) {
  const size_t size = std::size_t{64} << 20;
  testing::Fnv1a64 sent_hash;
  RawServer server([&](RawServer& s, int fd) {
    std::string head, body;
    if (!s.read_request(fd, head, body)) return;
    if (!RawServer::send_all(fd,
                             "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\n"
                             "Content-Length: " +
                                 std::to_string(size) + "\r\n\r\n")) {
      return;
    }
    std::string block(1 << 20, '\0');
    for (size_t offset = 0; offset < size; offset += block.size()) {
      for (size_t i = 0; i < block.size(); ++i)
        block[i] = static_cast<char>((offset + i) * 31 >> 7);
      sent_hash.update(block);
      if (!RawServer::send_all(fd, block)) return;
    }
  });
  TempDir dir;
  detail::HttpRequest request = get(server.url() + "/v1/result");
  request.download_to = dir.file("out.zip");
  request.max_response_bytes = 1 << 20;  // bounds memory, not the file
  const detail::HttpResponse response = transport()->send(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  ASSERT_EQ(std::filesystem::file_size(request.download_to), size);
  std::ifstream in(request.download_to, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(testing::fnv1a64_hex(content), sent_hash.hex());
}

TEST(TransportEdgesTest, AnErrorAnswerToADownloadStaysInMemory) {
  RawServer server([](RawServer& s, int fd) {
    std::string head, body;
    if (s.read_request(fd, head, body)) RawServer::send_all(fd, answer(404, R"({"error":"gone"})"));
  });
  TempDir dir;
  detail::HttpRequest request = get(server.url() + "/v1/result");
  request.download_to = dir.file("out.zip");
  const detail::HttpResponse response = transport()->send(request);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, R"({"error":"gone"})");
  EXPECT_FALSE(std::filesystem::exists(request.download_to));
}

// --- F. process safety -------------------------------------------------------------------------

TEST(TransportEdgesTest, SigpipeUnderTheDefaultDispositionIsIgnoredOnceATransportExists) {
  std::signal(SIGPIPE, SIG_DFL);
  auto made = transport();
  struct sigaction now {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_IGN);
}

TEST(TransportEdgesTest, AHandlerTheApplicationInstalledForSigpipeIsKept) {
  const auto handler = +[](int) {};
  std::signal(SIGPIPE, handler);
  auto made = transport();
  struct sigaction now {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, handler);
  std::signal(SIGPIPE, SIG_IGN);
}

TEST(TransportEdgesTest, HeaderValuesWithNulAreRefusedBeforeSending) {
  RawServer server(answer_ok);
  detail::HttpRequest request = get(server.url() + "/v1/models");
  request.headers.emplace_back("X-Test", std::string("a\0b", 3));
  try {
    transport()->send(request);
    FAIL() << "no error";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("NUL"), std::string::npos) << error.what();
  }
  EXPECT_EQ(server.connections(), 0);
}

TEST(TransportEdgesTest, SslCertFileIsHonouredWhenNoCaIsConfigured) {
  RawServer server(plain_http_to_tls);
  ::setenv("SSL_CERT_FILE", "/nonexistent/babyapi-env-ca.pem", 1);
  auto made = transport();
  ::unsetenv("SSL_CERT_FILE");
  try {
    made->send(get(server.url("https") + "/v1/models"));
    FAIL() << "no error";
  } catch (const BabyAPIError& error) {
    // The unreadable file from the environment was used: a configuration error, not the
    // handshake failure the system CA store would have led to.
    EXPECT_EQ(dynamic_cast<const APIConnectionError*>(&error), nullptr) << error.what();
    EXPECT_NE(error.message().find("SSL_CERT_FILE"), std::string::npos) << error.what();
  }
}

// --- G. odd upload files -----------------------------------------------------------------------

// Records the decoded body of the one upload it receives.
struct RecordUpload {
  std::string body;
  void operator()(RawServer& server, int fd) {
    std::string head;
    if (server.read_request(fd, head, body)) RawServer::send_all(fd, answer(200, "{}"));
  }
};

TEST(TransportEdgesTest, AFileTheFilesystemCallsEmptyIsSentWithItsContent) {
  RecordUpload record;
  RawServer server(std::ref(record));
  EXPECT_EQ(transport()->send(upload(server.url(), "/proc/self/status")).status, 200);
  EXPECT_NE(record.body.find("VmRSS:"), std::string::npos) << record.body.size();
}

TEST(TransportEdgesTest, AFileThatShrinksWhileUploadingFailsAtOnce) {
  TempDir dir;
  const std::string path = dir.file("shrinking.bin");
  write_file(path, std::size_t{32} << 20);
  RawServer server([&](RawServer& s, int fd) {
    std::string head, rest;
    if (!s.read_head(fd, head, rest)) return;
    ::truncate(path.c_str(), 1000);  // while the client is still sending
    while (s.read_some(fd, rest)) rest.clear();
  });
  detail::HttpRequest request = upload(server.url(), path);
  request.idle_timeout = milliseconds(3000);  // what ended it before, after a stall
  try {
    transport()->send(request);
    FAIL() << "no error";
  } catch (const BabyAPIError& error) {
    EXPECT_EQ(dynamic_cast<const APIConnectionError*>(&error), nullptr) << error.what();
    EXPECT_NE(error.message().find("shrank while uploading"), std::string::npos) << error.what();
  }
}

TEST(TransportEdgesTest, DirectoriesFifosAndMissingFilesAreRefusedByWhatTheyAre) {
  TempDir dir;
  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string folder = dir.file("folder");
  std::filesystem::create_directory(folder);
  RawServer server(answer_ok);
  const std::pair<std::string, std::string> cases[] = {
      {folder, "is a directory"}, {fifo, "is a FIFO"}, {dir.file("absent"), "does not exist"}};
  for (const auto& [path, why] : cases) {
    try {
      detail::check_upload_file(path);
      FAIL() << path;
    } catch (const BabyAPIError& error) {
      EXPECT_NE(error.message().find(why), std::string::npos) << error.what();
    }
    try {
      transport()->send(upload(server.url(), path));
      FAIL() << path;
    } catch (const BabyAPIError& error) {
      EXPECT_NE(error.message().find(why), std::string::npos) << error.what();
    }
  }
  EXPECT_EQ(server.connections(), 0);
  EXPECT_NO_THROW(detail::check_upload_file("/proc/self/status"));
}

}  // namespace
}  // namespace babyapi
