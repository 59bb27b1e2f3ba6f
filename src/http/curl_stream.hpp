// A streaming transfer over libcurl: one curl_multi handle pumped in the caller's thread until the
// consumer has the bytes it asked for, with back-pressure through CURL_WRITEFUNC_PAUSE.
#pragma once

#include <chrono>
#include <memory>

#include "http/curl_pool.hpp"
#include "http/transport.hpp"

namespace babyapi::detail {

// Blocks until the status and headers are in (or the transfer failed). The pool must outlive the
// returned transfer.
std::unique_ptr<StreamTransfer> open_curl_stream(CurlPool& pool, const HttpRequest& request,
                                                 const TransportConfig& config,
                                                 std::chrono::milliseconds idle_timeout);

}  // namespace babyapi::detail
