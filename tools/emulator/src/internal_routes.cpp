// /_emulator/*: test-control endpoints. No auth, no faults, not logged.
#include <memory>
#include <string>

#include "server.hpp"
#include "textutil.hpp"

namespace emu {
namespace {

constexpr long long kMaxWaitMs = 120000;

long long query_ms(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return 0;
  long long v = 0;
  if (!parse_long(req.get_param_value(name), v) || v < 0) {
    throw bad_request(std::string("Query parameter '") + name + "' must be an integer >= 0.", name);
  }
  return v > kMaxWaitMs ? kMaxWaitMs : v;
}

}  // namespace

void Emulator::register_internal_routes() {
  route("GET", "/_emulator/requests", [](Call& call) {
    const std::string path = call.req.has_param("path") ? call.req.get_param_value("path") : "";
    send_json(call.res, 200, call.emu.log_snapshot(path));
  });

  route("DELETE", "/_emulator/requests", [](Call& call) {
    OJson body;
    body["cleared"] = call.emu.log_clear();
    send_json(call.res, 200, body);
  });

  route("DELETE", "/_emulator/faults", [](Call& call) {
    OJson body;
    body["reset"] = call.emu.reset_faults();
    send_json(call.res, 200, body);
  });

  // Latch: releasing before the stream reaches its hold point works too.
  route("POST", "/_emulator/release/(.+)", [](Call& call) {
    const std::string key = call.req.matches[1];
    bool holding = false;
    {
      std::lock_guard<std::mutex> lk(call.emu.state_mutex());
      auto s = call.emu.find_stream_locked(key);
      holding = s && s->state == "open";
    }
    call.emu.release(key);
    OJson body;
    body["released"] = key;
    body["stream_open"] = holding;
    send_json(call.res, 200, body);
  });

  // State of a stream by its key (hold-key/key option) or its request id.
  // ?wait_ms=N long-polls until the stream exists and is no longer open.
  route("GET", "/_emulator/streams/(.+)", [](Call& call) {
    const std::string key = call.req.matches[1];
    const long long wait_ms = query_ms(call.req, "wait_ms");
    Emulator& emu = call.emu;
    if (wait_ms > 0) {
      emu.wait(
          std::chrono::milliseconds(wait_ms),
          [&] {
            auto s = emu.find_stream_locked(key);
            return s && s->state != "open";
          },
          -1);
    }
    OJson body;
    {
      std::lock_guard<std::mutex> lk(emu.state_mutex());
      if (auto s = emu.find_stream_locked(key)) body = emu.stream_json_locked(*s);
    }
    if (body.is_null()) {
      body["key"] = key;
      body["state"] = "unknown";
      send_json(call.res, 404, body);
      return;
    }
    send_json(call.res, 200, body);
  });

  route("GET", "/_emulator/info", [](Call& call) {
    const Config& cfg = call.emu.config();
    OJson body;
    body["name"] = kName;
    body["version"] = kVersion;
    body["development_tool"] = true;
    body["port"] = call.emu.port();
    body["auth"] = cfg.api_key.empty() ? "any-bearer-token" : "fixed-key";
    body["docling_nodes"] = cfg.docling_nodes;
    send_json(call.res, 200, body);
  });

  // Stops the emulator once this answer has been written (exit status 0).
  route("POST", "/_emulator/shutdown", [](Call& call) {
    auto text = std::make_shared<const std::string>(dump(OJson{{"shutting_down", true}}));
    Emulator* emu = &call.emu;
    call.res.status = 200;
    call.res.set_content_provider(
        text->size(), "application/json",
        [text](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
          return sink.write(text->data() + offset, length);
        },
        [emu](bool) { emu->request_exit(); });
  });
}

}  // namespace emu
