// The defaults of the public Transport interface.
#include <thread>

#include "http/transport.hpp"

BABYAPI_NAMESPACE_BEGIN

void Transport::sleep(std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }

BABYAPI_NAMESPACE_END
