// detail::ClientCore (src/client_core.hpp) is the shared engine behind a Client and its resources
// (options, connection pool, retries). It is opaque: resources hold it so they stay valid when a
// Client is moved.
#pragma once

#include <memory>
#include <utility>

#include "babyapi/config.hpp"

namespace babyapi::detail {
class ClientCore;
}

BABYAPI_NAMESPACE_BEGIN

/// \cond INTERNAL
// Plumbing between a Client and its resources, public only because their constructors take it:
// not part of the reference, and user code never needs it.

/// A shared handle on the detail::ClientCore. Every call made through `core->` pins the core for
/// the whole call, so destroying the Client while another thread is inside a call is safe; a handle
/// left empty by a move throws BabyAPIError instead of crashing.
class BABYAPI_EXPORT CorePtr {
 public:
  /// Holds the core alive for as long as the full expression that made it.
  class Pin {
   public:
    /// Holds core, which is not null.
    explicit Pin(std::shared_ptr<detail::ClientCore> core) noexcept : core_(std::move(core)) {}
    /// The pinned core.
    detail::ClientCore* operator->() const noexcept { return core_.get(); }

   private:
    std::shared_ptr<detail::ClientCore> core_;
  };

  CorePtr() noexcept = default;  ///< an empty handle
  /// A handle on core (the Client's, or a with_options view's).
  CorePtr(std::shared_ptr<detail::ClientCore> core) noexcept  // NOLINT(google-explicit-constructor)
      : core_(std::move(core)) {}

  /// Throws BabyAPIError when the handle is empty (its Client was moved from).
  Pin operator->() const;
  /// The core itself, without the emptiness check; null when the handle is empty.
  const std::shared_ptr<detail::ClientCore>& shared() const noexcept { return core_; }
  /// True when the handle holds a core (it was not moved from).
  explicit operator bool() const noexcept { return static_cast<bool>(core_); }

 private:
  std::shared_ptr<detail::ClientCore> core_;
};
/// \endcond

BABYAPI_NAMESPACE_END
