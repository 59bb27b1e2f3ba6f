// The transport seam inside the SDK: the public interface (babyapi::Transport) plus what only the
// built-in curl transport has. Failures without an HTTP answer throw APIConnectionError
// (APITimeoutError when a deadline passed).
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "babyapi/cancel.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"
#include "babyapi/transport.hpp"
#include "http/form.hpp"

namespace babyapi::detail {

// The exchange types are public (include/babyapi/transport.hpp) so that users can plug in a
// transport of their own; the SDK's code names them here.
using babyapi::HttpRequest;
using babyapi::HttpResponse;
using babyapi::StreamTransfer;
using babyapi::TransferError;
using babyapi::TransferTraits;

// The traits of error, or the defaults (retryable, maybe sent) when it carries none.
inline TransferTraits transfer_traits(const std::exception& error) noexcept {
  if (const auto* traits = dynamic_cast<const TransferTraits*>(&error)) return *traits;
  return TransferTraits{};
}

struct TransportConfig {
  std::string ca_info;
  std::string ca_path;
  std::optional<std::string> proxy;
  int max_connections = 256;  // the async engine's bound on open connections
};

class Engine;

// A transport that brings its own async engine (the curl one drives a curl_multi handle). Any
// other transport gets the generic engine of make_transport_engine.
class EngineSource {
 public:
  virtual ~EngineSource() = default;
  // The event loop for this transport's async calls (one per Client, made on first use).
  virtual std::unique_ptr<Engine> make_engine() = 0;
};

std::shared_ptr<Transport> make_curl_transport(const TransportConfig& config);

}  // namespace babyapi::detail
