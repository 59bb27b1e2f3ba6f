// CurlTransport: blocking request/response over a pool of libcurl easy handles. An easy handle
// keeps its connection cache across curl_easy_reset, so handing the same handle to the next call
// reuses the keep-alive connection; a handle whose transfer failed is dropped, never pooled.
#include <mutex>
#include <vector>

#include "http/curl_easy.hpp"

namespace babyapi::detail {
namespace {

// Idle handles beyond this are closed instead of kept: enough for a busy multi-threaded client.
constexpr size_t kMaxIdleHandles = 16;

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportConfig config) : config_(std::move(config)) {
    ensure_curl_global_init();
  }

  HttpResponse send(const HttpRequest& request) override {
    EasyHandle handle = acquire();
    TransferState state;
    HeaderSlist headers = configure_easy(handle.get(), request, config_, state);
    const CURLcode code = curl_easy_perform(handle.get());
    if (state.error) std::rethrow_exception(state.error);  // handle is dropped with the exception
    if (code != CURLE_OK) throw_transfer_error(code, state, request.url);

    long status = 0;
    curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &status);
    release(std::move(handle));
    return HttpResponse{static_cast<int>(status), std::move(state.headers), std::move(state.body)};
  }

  void close() override {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.clear();
  }

 private:
  EasyHandle acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        EasyHandle handle = std::move(idle_.back());
        idle_.pop_back();
        curl_easy_reset(handle.get());  // options go; connections, DNS and TLS caches stay
        return handle;
      }
    }
    EasyHandle handle(curl_easy_init());
    if (!handle) throw std::bad_alloc();
    return handle;
  }

  void release(EasyHandle handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
  }

  TransportConfig config_;
  std::mutex mutex_;
  std::vector<EasyHandle> idle_;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const TransportConfig& config) {
  return std::make_unique<CurlTransport>(config);
}

}  // namespace babyapi::detail
