// x-emulator-fault: "key=value;key=value" injected failures (see README.md).
#include <ctime>
#include <optional>
#include <string>

#include "netutil.hpp"
#include "server.hpp"
#include "textutil.hpp"

namespace emu {
namespace {

struct Fault {
  int status = 0;
  std::string body = "openai";
  long long times = 1;  // 0: every request with this header value
  std::string retry_after, retry_after_ms, should_retry;
  std::optional<long long> retry_after_date;
  std::string drop;  // "", "close", "headers", "partial"
  long long delay_ms = 0;
  std::string message, type, code;
};

bool int_in(const std::string& v, long long lo, long long hi, long long& out) {
  return parse_long(v, out) && out >= lo && out <= hi;
}

bool parse_fault(const std::string& text, Fault& f, std::string& err) {
  std::vector<std::pair<std::string, std::string>> items;
  if (!parse_kv_list(text, items, err)) return false;
  for (const auto& [k, v] : items) {
    long long n = 0;
    if (k == "status") {
      if (!int_in(v, 200, 599, n)) return err = "status must be an integer 200..599", false;
      f.status = static_cast<int>(n);
    } else if (k == "body") {
      if (v != "openai" && v != "openai-int-code" && v != "flat" && v != "detail" &&
          v != "detail-list" && v != "text" && v != "html") {
        return err = "body must be openai|openai-int-code|flat|detail|detail-list|text|html", false;
      }
      f.body = v;
    } else if (k == "times") {
      if (!int_in(v, 0, 1000000000, f.times)) return err = "times must be an integer >= 0", false;
    } else if (k == "id") {
      // Only makes the header value (and so its counter) unique.
    } else if (k == "retry-after") {
      f.retry_after = v;
    } else if (k == "retry-after-ms") {
      f.retry_after_ms = v;
    } else if (k == "retry-after-date") {
      if (!int_in(v, -86400, 86400 * 365, n)) {
        return err = "retry-after-date must be a number of seconds", false;
      }
      f.retry_after_date = n;
    } else if (k == "should-retry") {
      f.should_retry = v;
    } else if (k == "drop") {
      if (v == "1" || v == "true" || v == "close")
        f.drop = "close";
      else if (v == "headers" || v == "partial")
        f.drop = v;
      else
        return err = "drop must be 1|close|headers|partial", false;
    } else if (k == "delay-ms") {
      if (!int_in(v, 0, 600000, f.delay_ms)) return err = "delay-ms must be 0..600000", false;
    } else if (k == "message") {
      f.message = v;
    } else if (k == "type") {
      f.type = v;
    } else if (k == "code") {
      f.code = v;
    } else {
      return err = "unknown key '" + k + "'", false;
    }
  }
  return true;
}

void send_fault_status(httplib::Response& res, const Fault& f) {
  const int st = f.status;
  const std::string msg =
      f.message.empty() ? "Injected fault: status " + std::to_string(st) : f.message;
  const std::string type = f.type.empty() ? "server_error" : f.type;
  const std::string code = f.code.empty() ? "emulator_fault" : f.code;
  if (f.body == "openai") {
    send_openai_error(res, st, msg, type, nullptr, code);
  } else if (f.body == "openai-int-code") {
    send_openai_error(res, st, msg, type, nullptr, st);
  } else if (f.body == "flat") {
    OJson j;
    j["object"] = "error";
    j["message"] = msg;
    j["type"] = type;
    j["param"] = nullptr;
    j["code"] = st;
    send_json(res, st, j);
  } else if (f.body == "detail") {
    OJson j;
    j["detail"] = msg;
    send_json(res, st, j);
  } else if (f.body == "detail-list") {
    OJson item;
    item["loc"] = OJson::array({"body", "x"});
    item["msg"] = msg;
    item["type"] = "value_error";
    OJson j;
    j["detail"] = OJson::array({item});
    send_json(res, st, j);
  } else if (f.body == "text") {
    res.status = st;
    res.set_content(msg, "text/plain; charset=utf-8");
  } else {  // html
    const std::string title = std::to_string(st) + " Error";
    res.status = st;
    res.set_content("<!DOCTYPE html>\n<html><head><title>" + title + "</title></head><body><h1>" +
                        title + "</h1><p>" + html_escape(msg) +
                        "</p><hr><address>babyapi-emulator</address></body></html>\n",
                    "text/html; charset=utf-8");
  }
}

void drop_connection(Call& call, const std::string& how) {
  httplib::Response& res = call.res;
  if (how == "close") {
    // Close with no bytes at all: the client sees an empty reply.
    const int fd = find_connection_fd(call.req.local_port, call.req.remote_port);
    if (fd >= 0) {
      shutdown_connection(fd);
      res.status = 200;
      res.set_header("Connection", "close");
      return;
    }
    // Not found (should not happen on Linux): fall back to cutting after the headers.
  }
  if (how == "partial") {
    // Promise 64 bytes, send 20, close: a truncated JSON body.
    res.status = 200;
    res.set_content_provider(64, "application/json",
                             [](std::size_t, std::size_t, httplib::DataSink& sink) {
                               static const char kPart[] = "{\"id\":\"truncated\",\"o";
                               sink.write(kPart, sizeof kPart - 1);
                               return false;
                             });
    return;
  }
  // Headers (chunked), then the connection closes without the terminating chunk.
  res.status = 200;
  res.set_chunked_content_provider("application/json",
                                   [](std::size_t, httplib::DataSink&) { return false; });
}

}  // namespace

bool apply_fault(Call& call) {
  if (!call.req.has_header("x-emulator-fault")) return false;
  const std::string header = call.req.get_header_value("x-emulator-fault");
  Fault f;
  std::string err;
  if (!parse_fault(header, f, err)) {
    call.emu.log_update(call.log, [&](LogEntry& e) {
      e.fault = OJson{{"header", header}, {"applied", false}, {"error", err}};
    });
    send_openai_error(call.res, 400, "Invalid x-emulator-fault header: " + err,
                      "invalid_request_error", "x-emulator-fault", "emulator_bad_fault");
    return true;
  }
  const long long count = call.emu.count_fault(header);
  const bool applies = f.times == 0 || count <= f.times;
  call.emu.log_update(call.log, [&](LogEntry& e) {
    e.fault = OJson{{"header", header}, {"applied", applies}, {"count", count}};
  });
  if (!applies) return false;

  if (f.delay_ms > 0) {
    const int fd = find_connection_fd(call.req.local_port, call.req.remote_port);
    const WaitEnd end = call.emu.wait(std::chrono::milliseconds(f.delay_ms), nullptr, fd);
    if (end == WaitEnd::shutdown || end == WaitEnd::client_closed) {
      drop_connection(call, "close");
      return true;
    }
  }
  httplib::Response& res = call.res;
  if (!f.retry_after.empty()) res.set_header("Retry-After", f.retry_after);
  if (f.retry_after_date) {
    res.set_header("Retry-After", http_date(std::time(nullptr) + *f.retry_after_date));
  }
  if (!f.retry_after_ms.empty()) res.set_header("retry-after-ms", f.retry_after_ms);
  if (!f.should_retry.empty()) res.set_header("x-should-retry", f.should_retry);

  if (!f.drop.empty()) {
    drop_connection(call, f.drop);
    return true;
  }
  if (f.status != 0) {
    send_fault_status(res, f);
    return true;
  }
  return false;  // only a delay and/or headers: serve the request normally
}

}  // namespace emu
