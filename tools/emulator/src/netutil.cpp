#include "netutil.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace emu {
namespace {

int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
  return -1;
}

std::vector<int> open_fds() {
  std::vector<int> fds;
#ifdef __linux__
  if (DIR* dir = opendir("/proc/self/fd")) {
    const int own = dirfd(dir);
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      const int fd = std::atoi(entry->d_name);
      if (fd != own) fds.push_back(fd);
    }
    closedir(dir);
    return fds;
  }
#endif
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = 0; fd < max; ++fd) fds.push_back(fd);
  return fds;
}

// Peer port when fd is a connected socket whose local port is local_port, else -1.
int peer_port_if_on(int fd, int local_port) {
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return -1;
  if (port_of(local) != local_port) return -1;
  sockaddr_storage peer{};
  len = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return -1;
  return port_of(peer);
}

}  // namespace

int find_connection_fd(int local_port, int remote_port) {
  if (local_port <= 0 || remote_port <= 0) return -1;
  for (int fd : open_fds()) {
    if (peer_port_if_on(fd, local_port) == remote_port) return fd;
  }
  return -1;
}

void shutdown_connection(int fd) {
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

int shutdown_all_connections(int local_port) {
  int count = 0;
  for (int fd : open_fds()) {
    if (peer_port_if_on(fd, local_port) > 0) {
      ::shutdown(fd, SHUT_RDWR);
      ++count;
    }
  }
  return count;
}

bool peer_closed(int fd) {
  if (fd < 0) return false;
  pollfd p{};
  p.fd = fd;
  p.events = POLLIN;
#ifdef POLLRDHUP
  p.events |= POLLRDHUP;
#endif
  if (::poll(&p, 1, 0) <= 0) return false;
  short closed_mask = POLLHUP | POLLERR | POLLNVAL;
#ifdef POLLRDHUP
  closed_mask |= POLLRDHUP;
#endif
  if (p.revents & closed_mask) return true;
  if (p.revents & POLLIN) {
    char c;
    const ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
  }
  return false;
}

}  // namespace emu
