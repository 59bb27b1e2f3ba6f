// CurlTransport: blocking request/response over pooled libcurl easy handles, and streams pumped by
// a curl_multi handle in the caller's thread (src/http/curl_stream.cpp).
#include "http/curl_pool.hpp"
#include "http/curl_stream.hpp"

namespace babyapi::detail {
namespace {

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportConfig config) : config_(std::move(config)) {
    ensure_curl_global_init();
  }

  HttpResponse send(const HttpRequest& request) override {
    EasyHandle handle = pool_.acquire_easy();
    TransferState state;
    TransferResources resources = configure_easy(handle.get(), request, config_, state);
    const CURLcode code = curl_easy_perform(handle.get());
    if (state.error) std::rethrow_exception(state.error);  // handle is dropped with the exception
    if (code != CURLE_OK) throw_transfer_error(code, state, request.url);

    long status = 0;
    curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &status);
    pool_.release(std::move(handle));
    return HttpResponse{static_cast<int>(status), std::move(state.headers), std::move(state.body)};
  }

  std::unique_ptr<StreamTransfer> open_stream(const HttpRequest& request,
                                              std::chrono::milliseconds idle_timeout) override {
    return open_curl_stream(pool_, request, config_, idle_timeout);
  }

  void close() override { pool_.clear(); }

 private:
  TransportConfig config_;
  CurlPool pool_;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const TransportConfig& config) {
  return std::make_unique<CurlTransport>(config);
}

}  // namespace babyapi::detail
