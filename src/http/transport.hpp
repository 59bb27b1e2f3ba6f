// The transport seam: one HTTP exchange in, one answer out. CurlTransport is the real one; unit
// tests of pure logic may substitute a fake. Failures without an HTTP answer throw
// APIConnectionError (APITimeoutError when a deadline passed).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "babyapi/options.hpp"
#include "babyapi/response.hpp"

namespace babyapi::detail {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;  // sent when non-empty or the method is POST
  std::chrono::milliseconds timeout{0};          // whole exchange; 0 = none
  std::chrono::milliseconds connect_timeout{0};  // 0 = libcurl's default
  ProgressCallback on_upload_progress;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
};

struct TransportConfig {
  std::string ca_info;
  std::string ca_path;
  std::optional<std::string> proxy;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
  // Drops idle pooled connections.
  virtual void close() = 0;
};

std::unique_ptr<Transport> make_curl_transport(const TransportConfig& config);

}  // namespace babyapi::detail
