// Pools of libcurl handles shared by one Client's calls. Easy handles keep their connection cache
// across curl_easy_reset, so sequential JSON calls reuse one keep-alive connection; multi handles
// keep theirs for streams. Whatever a failed transfer touched is dropped instead of pooled.
#pragma once

#include <mutex>
#include <vector>

#include "http/curl_easy.hpp"

namespace babyapi::detail {

struct MultiDeleter {
  void operator()(CURLM* handle) const noexcept { curl_multi_cleanup(handle); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;

// An easy handle of the blocking path, pooled with what stays valid between its calls: whether its
// options are still those of a plain request (so the next plain one may skip curl_easy_reset), and
// the header list it last sent with the headers that list was built from.
struct WarmEasy {
  EasyHandle handle;
  bool plain = false;
  HeaderList header_source;
  HeaderSlist header_list;
};

class CurlPool {
 public:
  // A handle for one blocking call: a pooled one as its last call left it, or a fresh one.
  WarmEasy acquire_warm();
  void release(WarmEasy entry);
  // A reset easy handle (fresh or pooled).
  EasyHandle acquire_easy();
  MultiHandle acquire_multi();
  void release(EasyHandle handle);
  void release(MultiHandle handle);
  void clear();

 private:
  // Idle handles beyond this are closed instead of kept: enough for a busy multi-threaded client.
  static constexpr size_t kMaxIdle = 16;
  std::mutex mutex_;
  std::vector<EasyHandle> easy_;
  std::vector<WarmEasy> warm_;
  std::vector<MultiHandle> multi_;
};

}  // namespace babyapi::detail
