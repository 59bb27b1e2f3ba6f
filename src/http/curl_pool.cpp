#include "http/curl_pool.hpp"

#include <new>

namespace babyapi::detail {

EasyHandle CurlPool::acquire_easy() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!easy_.empty()) {
      EasyHandle handle = std::move(easy_.back());
      easy_.pop_back();
      curl_easy_reset(handle.get());  // options go; connections, DNS and TLS caches stay
      return handle;
    }
  }
  EasyHandle handle(curl_easy_init());
  if (!handle) throw std::bad_alloc();
  return handle;
}

WarmEasy CurlPool::acquire_warm() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!warm_.empty()) {
      WarmEasy entry = std::move(warm_.back());
      warm_.pop_back();
      return entry;
    }
  }
  WarmEasy entry;
  entry.handle.reset(curl_easy_init());
  if (!entry.handle) throw std::bad_alloc();
  return entry;
}

void CurlPool::release(WarmEasy entry) {
  park_easy(entry.handle.get());
  std::lock_guard<std::mutex> lock(mutex_);
  if (warm_.size() < kMaxIdle) warm_.push_back(std::move(entry));
}

MultiHandle CurlPool::acquire_multi() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!multi_.empty()) {
      MultiHandle handle = std::move(multi_.back());
      multi_.pop_back();
      return handle;
    }
  }
  MultiHandle handle(curl_multi_init());
  if (!handle) throw std::bad_alloc();
  return handle;
}

void CurlPool::release(EasyHandle handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (easy_.size() < kMaxIdle) easy_.push_back(std::move(handle));
}

void CurlPool::release(MultiHandle handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (multi_.size() < kMaxIdle) multi_.push_back(std::move(handle));
}

void CurlPool::clear() {
  std::vector<EasyHandle> easy;
  std::vector<WarmEasy> warm;
  std::vector<MultiHandle> multi;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    easy.swap(easy_);
    warm.swap(warm_);
    multi.swap(multi_);
  }
}

}  // namespace babyapi::detail
