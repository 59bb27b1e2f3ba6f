// Socket helpers that cpp-httplib 0.11 does not offer: it never hands a handler
// its connection's file descriptor, so we find it by its (local, peer) ports.
#pragma once

namespace emu {

// The fd of the accepted TCP connection whose local port is local_port and whose
// peer port is remote_port, or -1. Call it from the thread serving that connection
// (then the fd cannot be closed underneath us).
int find_connection_fd(int local_port, int remote_port);

// shutdown(SHUT_RDWR) of that connection: the peer sees an orderly close with no
// further bytes; httplib's later writes fail and it closes the fd itself.
void shutdown_connection(int fd);

// shutdown(SHUT_RDWR) of every accepted connection on local_port (used when the
// emulator stops, so idle keep-alive connections do not hold it up). Returns the count.
int shutdown_all_connections(int local_port);

// True when the peer has closed (or reset) the connection. Never blocks.
bool peer_closed(int fd);

}  // namespace emu
