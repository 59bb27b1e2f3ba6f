// The SDK through real third-party servers, public API only: nginx terminating TLS (a throwaway CA,
// HTTP/2, gzip) in front of babyapi-emulator, and squid as a forward proxy, both explicit
// (ClientOptions::proxy) and from the environment (https_proxy / no_proxy). See
// tests/support/real_servers.hpp; the servers are required, not optional.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <babyapi/babyapi.hpp>

#include "emulator_test.hpp"
#include "real_servers.hpp"

namespace babyapi {
namespace {

using testing::RealServers;
using testing::ScopedEnv;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The connection error a call must end with: no HTTP answer at all. "" when it did not throw one.
std::string connection_failure(const std::function<void()>& call) {
  try {
    call();
  } catch (const APIConnectionError& error) {
    EXPECT_EQ(error.status(), 0) << error.what();
    return error.what();
  } catch (const BabyAPIError& error) {
    ADD_FAILURE() << "expected an APIConnectionError, got: " << error.what();
    return "";
  }
  ADD_FAILURE() << "the call succeeded";
  return "";
}

// A chat prompt long and repetitive enough that gzip has something to do, one event per word.
std::string long_prompt() {
  std::string text = "Calm servers";
  for (int i = 0; i < 120; ++i) text += " answer request " + std::to_string(i) + " gently,";
  return text + " then rest.";
}

struct Collected {
  std::vector<std::string> texts;  // ev.text() of every event before [DONE], in order
  std::string joined;
  bool done = false;
};

Collected collect(Stream& stream) {
  Collected out;
  for (const SSEEvent& event : stream) {
    if (event.done()) {
      out.done = true;
      break;
    }
    out.texts.push_back(event.text());
    out.joined += event.text();
  }
  return out;
}

class RealServersTest : public testing::EmulatorTest {
 protected:
  static void SetUpTestSuite() {
    EmulatorTest::SetUpTestSuite();
    try {
      servers_ = std::make_unique<RealServers>(emulator().base_url());
    } catch (const std::exception& error) {
      setup_error_ = error.what();
    }
  }
  static void TearDownTestSuite() {
    servers_.reset();
    EmulatorTest::TearDownTestSuite();
  }
  // Missing nginx, squid or openssl fails every test here: CI installs them (scripts/bootstrap).
  void SetUp() override { ASSERT_TRUE(servers_) << "real servers did not start: " << setup_error_; }

  static const RealServers& servers() { return *servers_; }

  // Options for nginx's TLS port (optionally a location prefix), trusting `ca` (default: the test
  // CA), with no proxy and no retries: a TLS failure is reported at once.
  static ClientOptions tls_options(const std::string& prefix = "", const std::string* ca = nullptr,
                                   const std::string& host = "127.0.0.1") {
    ClientOptions options = emulator().client_options();
    options.base_url = servers().tls_url(prefix, host);
    options.ca_info = ca != nullptr ? *ca : servers().certificates().ca;
    options.proxy = std::string();
    options.max_retries = 0;
    return options;
  }
  static std::string connect_line() {
    return "CONNECT 127.0.0.1:" + std::to_string(servers().tls_port()) + " ";
  }

  // The long prompt streamed straight from the emulator: what every route must deliver.
  static const Collected& direct_stream() {
    static const Collected direct = [] {
      Client client(emulator().client_options());
      Stream stream = client.chat.completions.stream(chat_params(long_prompt()));
      return collect(stream);
    }();
    return direct;
  }

  // Streams the long prompt and checks every event against the same stream straight from the
  // emulator.
  static void expect_events_intact(Stream& stream) {
    const Collected& direct = direct_stream();
    ASSERT_TRUE(direct.done);
    ASSERT_EQ(direct.joined, long_prompt());
    ASSERT_GT(direct.texts.size(), 100u);
    const Collected got = collect(stream);
    EXPECT_TRUE(got.done);
    EXPECT_EQ(got.texts.size(), direct.texts.size());
    EXPECT_EQ(got.joined, direct.joined);
    EXPECT_EQ(got.texts, direct.texts);
  }
  // The same, plus the answer's HTTP/2 origin and the content-encoding it arrived with.
  static void expect_stream_intact(const ClientOptions& options, const std::string& encoding) {
    Client client(options);
    Stream stream = client.chat.completions.stream(chat_params(long_prompt()));
    EXPECT_EQ(stream.status(), 200);
    EXPECT_EQ(stream.header("x-proto"), "HTTP/2.0");
    EXPECT_NE(stream.header("content-type").find("text/event-stream"), std::string::npos);
    EXPECT_EQ(stream.header("content-encoding"), encoding);
    expect_events_intact(stream);
  }

 private:
  static inline std::unique_ptr<RealServers> servers_;
  static inline std::string setup_error_;
};

// ---- TLS -----------------------------------------------------------------------------------

TEST_F(RealServersTest, TlsRejectsACertificateFromAnUnknownCa) {
  const std::string system_store;  // empty ca_info: the system's CAs, which lack the test CA
  for (const std::string* ca : {&system_store, &servers().certificates().other_ca}) {
    SCOPED_TRACE("ca_info=" + *ca);
    Client client(tls_options("", ca));
    std::string tag;
    const std::string message = connection_failure([&] { client.models.list(tagged(tag)); });
    EXPECT_NE(lower(message).find("certificate"), std::string::npos) << message;
    EXPECT_TRUE(logged(tag).empty()) << "the request must not pass the handshake";
  }
}

TEST_F(RealServersTest, TlsWorksWithTheTestCaOverHttp2) {
  for (const std::string host : {"127.0.0.1", "localhost"}) {  // the IP and the DNS name in the SAN
    SCOPED_TRACE(host);
    Client client(tls_options("", nullptr, host));
    std::string tag;
    const Response models = client.models.list(tagged(tag));
    EXPECT_EQ(models.status(), 200);
    EXPECT_EQ(models.header("x-proto"), "HTTP/2.0");
    ASSERT_TRUE(models.json().contains("data"));
    EXPECT_FALSE(models.json().at("data").empty());
    EXPECT_EQ(logged(tag).size(), 1u);

    const Response chat = client.chat.completions.create(chat_params("Hello through nginx"));
    EXPECT_EQ(chat.json().at("choices").at(0).at("message").at("content"), "Hello through nginx");
    EXPECT_EQ(chat.header("x-proto"), "HTTP/2.0");
  }
}

TEST_F(RealServersTest, TlsRejectsAHostnameMismatch) {
  struct Case {
    std::string what;
    std::string base_url;
  };
  const std::vector<Case> cases = {
      // A certificate from the trusted CA, but for another name, reached by IP and by name.
      {"mismatching certificate by IP", servers().mismatch_url("127.0.0.1")},
      {"mismatching certificate by name", servers().mismatch_url("localhost")},
      // The good certificate, reached under an address it does not name.
      {"good certificate, other address", servers().tls_url("", "127.0.0.2")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what + ": " + c.base_url);
    ClientOptions options = tls_options();
    options.base_url = c.base_url;
    Client client(options);
    std::string tag;
    const std::string message = connection_failure([&] { client.models.list(tagged(tag)); });
    // curl: "SSL: no alternative certificate subject name matches target host name ..."
    EXPECT_NE(lower(message).find("certificate"), std::string::npos) << message;
    EXPECT_NE(lower(message).find("name"), std::string::npos) << message;
    EXPECT_TRUE(logged(tag).empty());
  }
}

// ---- gzip and SSE through nginx over HTTP/2 -------------------------------------------------

TEST_F(RealServersTest, GzipStreamThroughNginxKeepsEveryEvent) {
  expect_stream_intact(tls_options("/gzip"), "gzip");
}

TEST_F(RealServersTest, UncompressedStreamThroughNginxKeepsEveryEvent) {
  expect_stream_intact(tls_options("/identity"), "");
}

TEST_F(RealServersTest, GzipJsonAnswersDecode) {
  Client direct(emulator().client_options());
  const Json expected = direct.models.list().json();
  for (const std::string prefix : {"", "/gzip", "/identity"}) {
    SCOPED_TRACE(prefix);
    Client client(tls_options(prefix));
    const Response models = client.models.list();
    EXPECT_EQ(models.header("content-encoding"), prefix == "/identity" ? "" : "gzip");
    EXPECT_EQ(models.json(), expected);
  }
}

// ---- squid ---------------------------------------------------------------------------------

TEST_F(RealServersTest, PlainHttpThroughSquid) {
  ClientOptions options = emulator().client_options();  // http:// straight to the emulator...
  options.proxy = servers().proxy_url();                // ...but through squid
  const std::string line = "GET " + emulator().base_url() + "/v1/models ";
  const std::size_t before = servers().squid_log_count(line);
  std::string tag;
  {
    Client client(options);
    const Response models = client.models.list(tagged(tag));
    EXPECT_EQ(models.status(), 200);
    EXPECT_FALSE(models.json().at("data").empty());
  }
  const std::vector<Json> seen = logged(tag);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0]["headers"].value("via", "").find("squid"), std::string::npos)
      << seen[0]["headers"].dump();
  EXPECT_GE(servers().wait_for_squid_log(line, before + 1), before + 1);
}

TEST_F(RealServersTest, HttpsThroughSquidConnect) {
  const std::size_t before = servers().squid_log_count(connect_line());
  ClientOptions options = tls_options("/gzip");
  options.proxy = servers().proxy_url();
  {
    Client client(options);
    const Response models = client.models.list();
    EXPECT_EQ(models.status(), 200);
    EXPECT_EQ(models.header("x-remote-addr"), RealServers::kProxyOutgoingAddress);
    EXPECT_EQ(models.header("x-proto"), "HTTP/2.0");
    EXPECT_EQ(models.header("content-encoding"), "gzip");
    const Response chat = client.chat.completions.create(chat_params("Hello through squid"));
    EXPECT_EQ(chat.json().at("choices").at(0).at("message").at("content"), "Hello through squid");
  }
  // squid logs a tunnel when it closes: the client is gone, so its tunnel has closed.
  EXPECT_GE(servers().wait_for_squid_log(connect_line(), before + 1), before + 1);
}

// A stream through an HTTPS proxy must report the server's answer, not the proxy's CONNECT answer
// ("HTTP/1.1 200 Connection established", no headers), whose blank line would otherwise end the
// stream's header block first: the stream then had no headers, failed its content-type check, and
// an error status (401 here) went unnoticed.
TEST_F(RealServersTest, StreamThroughSquidReportsTheServersAnswer) {
  ClientOptions options = tls_options("/gzip");
  options.proxy = servers().proxy_url();
  {
    Client client(options);
    Stream stream = client.chat.completions.stream(chat_params(long_prompt()));
    EXPECT_EQ(stream.status(), 200);
    EXPECT_EQ(stream.header("x-proto"), "HTTP/2.0");
    EXPECT_EQ(stream.header("x-remote-addr"), RealServers::kProxyOutgoingAddress);
    EXPECT_NE(stream.header("content-type").find("text/event-stream"), std::string::npos);
    EXPECT_EQ(stream.header("content-encoding"), "gzip");
    expect_events_intact(stream);
  }
  options.api_key = "sk-wrong-key";
  Client client(options);
  EXPECT_THROW(client.chat.completions.stream(chat_params("hi")), AuthenticationError);
}

TEST_F(RealServersTest, ProxyFromTheEnvironment) {
  // Only the variables this test sets may apply.
  std::vector<std::unique_ptr<ScopedEnv>> cleared;
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                           "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
    cleared.push_back(std::make_unique<ScopedEnv>(name));
  }
  ClientOptions options = tls_options();
  options.proxy.reset();  // unset: libcurl reads the environment

  {
    const ScopedEnv https_proxy("https_proxy", servers().proxy_url());
    const std::size_t before = servers().squid_log_count(connect_line());
    {
      Client client(options);
      EXPECT_EQ(client.models.list().header("x-remote-addr"), RealServers::kProxyOutgoingAddress);
    }
    EXPECT_GE(servers().wait_for_squid_log(connect_line(), before + 1), before + 1);

    const std::size_t bypass_before = servers().squid_log_count(connect_line());
    {
      const ScopedEnv no_proxy("no_proxy", "127.0.0.1");
      Client client(options);
      EXPECT_EQ(client.models.list().header("x-remote-addr"), "127.0.0.1");
    }
    // A marker tunnel opened after the bypassing client closed (and after no_proxy is gone, as
    // libcurl applies it to an explicit proxy too): once squid has logged the marker, a tunnel
    // of that client would have been logged as well. Only the marker may be there.
    {
      ClientOptions marker = tls_options();
      marker.proxy = servers().proxy_url();
      Client client(marker);
      EXPECT_EQ(client.models.list().header("x-remote-addr"), RealServers::kProxyOutgoingAddress);
    }
    EXPECT_EQ(servers().wait_for_squid_log(connect_line(), bypass_before + 1), bypass_before + 1)
        << servers().squid_access_log();
  }
  EXPECT_EQ(std::getenv("https_proxy"), nullptr);
  EXPECT_EQ(std::getenv("no_proxy"), nullptr);
}

}  // namespace
}  // namespace babyapi
