// The defaults of the public Transport interface.
#include <thread>

#include "http/transport.hpp"

namespace babyapi {

void Transport::sleep(std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }

}  // namespace babyapi
