// SSE streaming with the x-emulator-stream options (see README.md).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "server.hpp"

namespace emu {

struct StreamOptions {
  long long delay_ms = 0;           // wait before each event after the first
  std::string eol = "\n";           // framing=lf|crlf|cr
  bool byte_writes = false;         // every byte its own write (its own HTTP chunk)
  bool keepalive = false;           // ": keep-alive" comment between events
  bool multiline = false;           // first token event's data split over two data: lines
  bool no_done = false;             // omit data: [DONE], end cleanly
  bool ids = false;                 // "id: <n>" line on every event
  long long retry_ms = -1;          // "retry: N" field first
  long long error_after = -1;       // event: error after N events, then end
  long long data_error_after = -1;  // a bare data: {"error":...} after N events, then [DONE]
  long long cut_after = -1;         // N events, then half of the next, then drop
  long long hold_after = -1;        // N events, then wait for POST /_emulator/release/<key>
  long long tokens = 0;             // repeat the echo up to this many tokens (0: off)
  std::string key;                  // hold-key / key: names the stream (default: request id)
};

// Parses the x-emulator-stream request header; throws ApiError 400 when malformed.
StreamOptions parse_stream_options(const httplib::Request& req);

// The data payloads of a stream, produced on demand (so huge token counts cost no memory).
struct SsePlan {
  std::size_t count = 0;
  std::function<std::string(std::size_t)> payload;
  long long multiline_event = -1;  // index of the event that multiline=1 splits
};

// Answers 200 text/event-stream (chunked) and runs the plan: the events, then
// data: [DONE], shaped by opt.
void start_sse(Call& call, const StreamOptions& opt, SsePlan plan);

}  // namespace emu
