// ClientCore is the shared engine behind a Client and its resources (options, connection pool,
// retries). It is opaque: resources hold it so they stay valid when a Client is moved.
#pragma once

#include <memory>

namespace babyapi {

class ClientCore;
using CorePtr = std::shared_ptr<ClientCore>;

}  // namespace babyapi
