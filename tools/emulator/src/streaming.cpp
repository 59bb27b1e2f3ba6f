#include "streaming.hpp"

#include <memory>
#include <utility>
#include <vector>

#include "netutil.hpp"
#include "textutil.hpp"

namespace emu {
namespace {

ApiError bad_stream_header(const std::string& why) {
  return bad_request("Invalid x-emulator-stream header: " + why, "x-emulator-stream",
                     "emulator_bad_stream");
}

long long int_option(const std::string& key, const std::string& value, long long lo, long long hi) {
  long long n = 0;
  if (!parse_long(value, n) || n < lo || n > hi) {
    throw bad_stream_header(key + " must be an integer " + std::to_string(lo) + ".." +
                            std::to_string(hi));
  }
  return n;
}

bool flag_option(const std::string& key, const std::string& value) {
  if (value == "1" || value == "true") return true;
  if (value == "0" || value == "false") return false;
  throw bad_stream_header(key + " must be 1 or 0");
}

struct StreamRun {
  Emulator* emu = nullptr;
  StreamOptions opt;
  SsePlan plan;
  std::shared_ptr<StreamState> state;
  std::string hold_key;
  int local_port = -1;
  int remote_port = -1;
};

std::string event_bytes(const StreamOptions& o, const std::string& payload, std::size_t index,
                        bool split) {
  std::string out;
  if (o.ids) out += "id: " + std::to_string(index + 1) + o.eol;
  const std::size_t comma = split ? payload.find(',') : std::string::npos;
  if (comma != std::string::npos) {
    // Two data: lines; SSE joins them with "\n", which JSON reads as whitespace.
    out += "data: " + payload.substr(0, comma + 1) + o.eol;
    out += "data: " + payload.substr(comma + 1) + o.eol;
  } else {
    out += "data: " + payload + o.eol;
  }
  out += o.eol;
  return out;
}

std::string ended_state(const Emulator& emu) {
  return emu.shutting_down() ? "shutdown" : "client_closed";
}

// Runs the whole stream in one provider call. false = drop the connection.
bool run_stream(StreamRun& r, httplib::DataSink& sink) {
  Emulator& emu = *r.emu;
  const StreamOptions& o = r.opt;
  StreamState& st = *r.state;
  const int fd = find_connection_fd(r.local_port, r.remote_port);
  std::size_t bytes = 0;
  std::size_t events = 0;

  auto write = [&](const std::string& s) {
    if (o.byte_writes) {
      for (char ch : s) {
        if (!sink.write(&ch, 1)) return false;
        ++bytes;
      }
      return true;
    }
    if (s.empty()) return true;  // a zero-length write would end httplib's chunk loop
    if (!sink.write(s.data(), s.size())) return false;
    bytes += s.size();
    return true;
  };
  auto fail = [&](const std::string& state) {
    emu.stream_progress(st, events, bytes);
    emu.finish_stream(st, state);
    return false;
  };

  if (o.retry_ms >= 0 && !write("retry: " + std::to_string(o.retry_ms) + o.eol + o.eol)) {
    return fail(ended_state(emu));
  }
  const std::size_t total = r.plan.count + (o.no_done ? 0 : 1);
  for (std::size_t i = 0; i <= total; ++i) {
    const auto at = static_cast<long long>(i);
    if (o.hold_after == at) {
      const std::string& key = r.hold_key;
      const WaitEnd end = emu.wait(
          std::chrono::hours(24 * 365), [&] { return emu.released_locked(key); }, fd);
      if (end != WaitEnd::predicate) {
        return fail(end == WaitEnd::shutdown ? "shutdown" : "client_closed");
      }
    }
    if (o.error_after == at) {
      const std::string err =
          dump(OJson{{"error", {{"message", "Injected stream error"}, {"type", "server_error"}}}});
      if (!write("event: error" + o.eol + "data: " + err + o.eol + o.eol)) {
        return fail(ended_state(emu));
      }
      ++events;
      emu.stream_progress(st, events, bytes);
      sink.done();
      emu.finish_stream(st, "completed");
      return true;
    }
    if (o.data_error_after == at) {
      // vLLM's serving.py, on an error inside the generator: `yield f"data: {data}\n\n"` with
      // data = create_streaming_error_response(e) (ErrorResponse{error: ErrorInfo}), then
      // `data: [DONE]`.
      const std::string err = dump(OJson{{"error",
                                          {{"message", "Injected stream error"},
                                           {"type", "InternalServerError"},
                                           {"param", nullptr},
                                           {"code", 500}}}});
      std::string out = event_bytes(o, err, i, false);
      if (!o.no_done) out += event_bytes(o, "[DONE]", i + 1, false);
      if (!write(out)) return fail(ended_state(emu));
      events += o.no_done ? 1 : 2;
      emu.stream_progress(st, events, bytes);
      sink.done();
      emu.finish_stream(st, "completed");
      return true;
    }
    if (i == total) break;
    const std::string ev =
        i < r.plan.count
            ? event_bytes(o, r.plan.payload(i), i, o.multiline && r.plan.multiline_event == at)
            : event_bytes(o, "[DONE]", i, false);
    if (o.cut_after == at) {
      write(ev.substr(0, ev.size() > 1 ? ev.size() / 2 : 1));
      return fail("cut");
    }
    if (i > 0 && o.delay_ms > 0) {
      const WaitEnd end = emu.wait(std::chrono::milliseconds(o.delay_ms), nullptr, fd);
      if (end == WaitEnd::shutdown) return fail("shutdown");
      if (end == WaitEnd::client_closed) return fail("client_closed");
    }
    if (emu.shutting_down()) return fail("shutdown");
    if (peer_closed(fd) || !write(ev)) return fail(ended_state(emu));
    ++events;
    emu.stream_progress(st, events, bytes);
    if (o.keepalive && i + 1 < total && !write(": keep-alive" + o.eol + o.eol)) {
      return fail(ended_state(emu));
    }
  }
  if (o.cut_after >= static_cast<long long>(total)) return fail("cut");
  sink.done();
  emu.stream_progress(st, events, bytes);
  emu.finish_stream(st, "completed");
  return true;
}

}  // namespace

StreamOptions parse_stream_options(const httplib::Request& req) {
  StreamOptions o;
  if (!req.has_header("x-emulator-stream")) return o;
  std::vector<std::pair<std::string, std::string>> items;
  std::string err;
  if (!parse_kv_list(req.get_header_value("x-emulator-stream"), items, err)) {
    throw bad_stream_header(err);
  }
  constexpr long long kBig = 1000000000;
  for (const auto& [k, v] : items) {
    if (k == "delay-ms")
      o.delay_ms = int_option(k, v, 0, 600000);
    else if (k == "framing") {
      if (v == "lf")
        o.eol = "\n";
      else if (v == "crlf")
        o.eol = "\r\n";
      else if (v == "cr")
        o.eol = "\r";
      else
        throw bad_stream_header("framing must be lf|crlf|cr");
    } else if (k == "byte-writes")
      o.byte_writes = flag_option(k, v);
    else if (k == "keepalive")
      o.keepalive = flag_option(k, v);
    else if (k == "multiline")
      o.multiline = flag_option(k, v);
    else if (k == "no-done")
      o.no_done = flag_option(k, v);
    else if (k == "ids")
      o.ids = flag_option(k, v);
    else if (k == "retry")
      o.retry_ms = int_option(k, v, 0, kBig);
    else if (k == "error-after")
      o.error_after = int_option(k, v, 0, kBig);
    else if (k == "data-error-after")
      o.data_error_after = int_option(k, v, 0, kBig);
    else if (k == "cut-after")
      o.cut_after = int_option(k, v, 0, kBig);
    else if (k == "hold-after")
      o.hold_after = int_option(k, v, 0, kBig);
    else if (k == "tokens")
      o.tokens = int_option(k, v, 1, 10000000);
    else if (k == "hold-key" || k == "key") {
      if (v.empty() || v.find('/') != std::string::npos) {
        throw bad_stream_header(k + " must be non-empty and without '/'");
      }
      o.key = v;
    } else {
      throw bad_stream_header("unknown key '" + k + "'");
    }
  }
  return o;
}

void start_sse(Call& call, const StreamOptions& opt, SsePlan plan) {
  auto run = std::make_shared<StreamRun>();
  run->emu = &call.emu;
  run->opt = opt;
  run->plan = std::move(plan);
  run->state = call.emu.open_stream(call, opt.key);
  run->hold_key = run->state->key;
  run->local_port = call.req.local_port;
  run->remote_port = call.req.remote_port;

  call.res.status = 200;
  call.res.set_header("Cache-Control", "no-cache");
  // Exactly "text/event-stream": httplib never compresses that content type.
  call.res.set_chunked_content_provider(
      "text/event-stream",
      [run](std::size_t, httplib::DataSink& sink) { return run_stream(*run, sink); },
      [run](bool) {
        // Runs when httplib is done with the response. If the provider never ran
        // (headers could not be written), the stream did not complete.
        run->emu->finish_stream(*run->state, ended_state(*run->emu));
      });
}

}  // namespace emu
