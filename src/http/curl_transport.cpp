// CurlTransport: blocking request/response over pooled libcurl easy handles, and streams pumped by
// a curl_multi handle in the caller's thread (src/http/curl_stream.cpp).
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/curl_pool.hpp"
#include "http/curl_stream.hpp"
#include "http/engine.hpp"

namespace babyapi::detail {
namespace {

// Users of other TLS clients (OpenSSL's tools, Python, Go) point SSL_CERT_FILE / SSL_CERT_DIR at
// their trust store; libcurl itself ignores both. They apply only when the options name no CA at
// all: a ca_info or ca_path that is set is exactly what the caller chose to trust.
TransportConfig with_tls_environment(TransportConfig config) {
  if (config.ca_info.empty() && config.ca_path.empty()) {
    const char* file = std::getenv("SSL_CERT_FILE");
    const char* dir = std::getenv("SSL_CERT_DIR");
    if (file != nullptr) config.ca_info = file;
    if (dir != nullptr) {
      // SSL_CERT_DIR may list several directories, as OpenSSL reads it; libcurl takes one.
      config.ca_path = std::string(dir).substr(0, std::string_view(dir).find(':'));
    }
  }
  return config;
}

class CurlTransport final : public Transport, public EngineSource {
 public:
  explicit CurlTransport(TransportConfig config)
      : config_(with_tls_environment(std::move(config))) {
    ensure_curl_global_init();
  }

  HttpResponse send(const HttpRequest& request) override {
    WarmEasy entry = pool_.acquire_warm();
    CURL* handle = entry.handle.get();
    TransferState state;
    TransferResources resources;
    const bool plain = is_plain_request(request);
    try {
      if (plain && entry.plain) {
        // The handle's last call was plain too: every option either never changes or is set
        // again here, so it needs neither curl_easy_reset nor its constant options again. The
        // header list is rebuilt only when the headers changed (a rotated key, other options).
        if (!entry.header_list || entry.header_source != request.headers) {
          entry.header_list = header_slist(request.headers);
          entry.header_source = request.headers;
        }
        configure_request(handle, request, entry.header_list.get(), state);
      } else {
        curl_easy_reset(handle);  // options go; connections, DNS and TLS caches stay
        entry.header_list.reset();
        entry.header_source.clear();
        entry.plain = false;
        resources = configure_easy(handle, request, config_, state);
        if (plain) {
          entry.header_list = std::move(resources.headers);
          entry.header_source = request.headers;
          entry.plain = true;
        }
      }
    } catch (...) {
      entry.plain = false;
      pool_.release(std::move(entry));  // nothing was sent on it
      throw;
    }
    const CURLcode code = curl_easy_perform(handle);
    // After a failure the handle is dropped, not pooled: its connection may be mid-answer.
    if (state.error || code != CURLE_OK) {
      park_easy(handle);  // its cleanup must not reach this call's state
      finish_download(state, false);
      if (state.error) std::rethrow_exception(state.error);
      throw_transfer_error(code, state, request.url);
    }

    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    pool_.release(std::move(entry));
    finish_download(state, true);
    return HttpResponse{static_cast<int>(status), std::move(state.headers), std::move(state.body)};
  }

  std::unique_ptr<StreamTransfer> open_stream(const HttpRequest& request,
                                              std::chrono::milliseconds idle_timeout) override {
    return open_curl_stream(pool_, request, config_, idle_timeout);
  }

  void close() override { pool_.clear(); }

  std::unique_ptr<Engine> make_engine() override { return make_curl_engine(config_); }

 private:
  TransportConfig config_;
  CurlPool pool_;
};

}  // namespace

std::shared_ptr<Transport> make_curl_transport(const TransportConfig& config) {
  return std::make_shared<CurlTransport>(config);
}

}  // namespace babyapi::detail
