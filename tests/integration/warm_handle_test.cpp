// Blocking calls reuse a pooled libcurl handle without resetting it when both its last request and
// the next are plain (GET, or POST of JSON). Mixed sequences on one Client must still send each
// request exactly as asked: no method, body, header, form or progress callback of an earlier call
// may leak into a later one. One keep-alive connection, one pooled handle, every request recorded.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "babyapi/babyapi.hpp"
#include "scripted_server.hpp"

namespace babyapi {
namespace {

using testing::ScriptedServer;

class RecordingServer {
 public:
  RecordingServer()
      : server_([this](const std::string& request) -> std::optional<std::string> {
          {
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(request);
          }
          const std::string body = R"({"status":"success","document":{"md_content":"x"}})";
          return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body;
        }) {}

  std::string base_url() const { return server_.base_url(); }
  int connections() const { return server_.connections(); }
  // The request line ("POST /v1/a HTTP/1.1") of request i.
  std::string line(size_t i) const { return at(i).substr(0, at(i).find("\r\n")); }
  // The head (without the request line) of request i, lower-cased, and its body.
  std::string head(size_t i) const {
    const std::string& raw = at(i);
    std::string head = raw.substr(0, raw.find("\r\n\r\n"));
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return head;
  }
  std::string body(size_t i) const {
    const std::string& raw = at(i);
    return raw.substr(raw.find("\r\n\r\n") + 4);
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_.size();
  }

 private:
  std::string at(size_t i) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_.at(i);
  }
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  ScriptedServer server_;
};

ClientOptions options_for(const std::string& base_url) {
  ClientOptions options;
  options.api_key = "sk-warm-test-key";
  options.base_url = base_url;
  options.max_retries = 0;
  return options;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(WarmHandleTest, MixedCallsOnOneHandleEachSendExactlyTheirOwnRequest) {
  RecordingServer server;
  Client client(options_for(server.base_url()));
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / "babyapi_warm_handle_test.md";
  std::ofstream(file) << "# hello\n";

  client.post("/v1/a", {{"x", 1}});
  client.get("/v1/b");
  RequestOptions once;
  once.headers = {{"X-Once", "1"}};
  client.post("/v1/c", {{"y", 2}}, once);
  client.post("/v1/d", {{"z", 3}});
  // A form with an upload progress callback: neither plain; the next call must drop both.
  std::uint64_t reported = 0;
  RequestOptions progress;
  progress.on_upload_progress = [&reported](std::uint64_t sent, std::uint64_t) { reported = sent; };
  client.docling.convert_file(Files(File(file.string())), Json::object(), progress);
  client.post("/v1/e", {{"w", 4}});
  client.get("/v1/f");
  std::filesystem::remove(file);

  ASSERT_EQ(server.count(), 7u);
  EXPECT_EQ(server.connections(), 1) << "the calls share one keep-alive connection";

  EXPECT_EQ(server.line(0), "POST /v1/a HTTP/1.1");
  EXPECT_EQ(server.body(0), R"({"x":1})");
  EXPECT_TRUE(has(server.head(0), "content-type: application/json"));

  EXPECT_EQ(server.line(1), "GET /v1/b HTTP/1.1");
  EXPECT_EQ(server.body(1), "");
  EXPECT_FALSE(has(server.head(1), "content-type")) << server.head(1);
  EXPECT_FALSE(has(server.head(1), "content-length")) << server.head(1);

  EXPECT_EQ(server.line(2), "POST /v1/c HTTP/1.1");
  EXPECT_EQ(server.body(2), R"({"y":2})");
  EXPECT_TRUE(has(server.head(2), "x-once: 1"));

  EXPECT_EQ(server.line(3), "POST /v1/d HTTP/1.1");
  EXPECT_EQ(server.body(3), R"({"z":3})");
  EXPECT_FALSE(has(server.head(3), "x-once")) << "a per-call header stayed on the handle";

  EXPECT_TRUE(has(server.line(4), "POST /")) << server.line(4);
  EXPECT_TRUE(has(server.head(4), "content-type: multipart/form-data")) << server.head(4);
  EXPECT_TRUE(has(server.body(4), "# hello"));
  EXPECT_GT(reported, 0u);

  EXPECT_EQ(server.line(5), "POST /v1/e HTTP/1.1");
  EXPECT_EQ(server.body(5), R"({"w":4})");
  EXPECT_TRUE(has(server.head(5), "content-type: application/json")) << server.head(5);
  EXPECT_FALSE(has(server.head(5), "multipart")) << server.head(5);

  EXPECT_EQ(server.line(6), "GET /v1/f HTTP/1.1");
  EXPECT_EQ(server.body(6), "");
  for (size_t i = 0; i < server.count(); ++i) {
    EXPECT_TRUE(has(server.head(i), "authorization: bearer sk-warm-test-key")) << i;
  }
}

TEST(WarmHandleTest, ARotatedKeyRebuildsTheHeadersOfAWarmHandle) {
  RecordingServer server;
  ClientOptions options = options_for(server.base_url());
  int calls = 0;
  options.api_key_provider = [&calls] { return "sk-rotated-" + std::to_string(++calls); };
  Client client(options);
  for (int i = 0; i < 3; ++i) client.post("/v1/a", {{"i", i}});
  ASSERT_EQ(server.count(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(has(server.head(i), "authorization: bearer sk-rotated-" + std::to_string(i + 1)))
        << server.head(i);
  }
}

}  // namespace
}  // namespace babyapi
