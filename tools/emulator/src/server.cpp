#include "server.hpp"

#include <cstdio>
#include <utility>

#include "netutil.hpp"
#include "textutil.hpp"

namespace emu {

ApiError::ApiError(int status_, std::string message, std::string type_, OJson param_, OJson code_)
    : std::runtime_error(std::move(message)),
      status(status_),
      type(std::move(type_)),
      param(std::move(param_)),
      code(std::move(code_)) {}

ApiError bad_request(const std::string& message, const std::string& param,
                     const std::string& code) {
  return ApiError(400, message, "invalid_request_error",
                  param.empty() ? OJson(nullptr) : OJson(param), OJson(code));
}

std::string dump(const OJson& j) { return j.dump(-1, ' ', false, OJson::error_handler_t::replace); }

OJson openai_error_body(const std::string& message, const std::string& type, const OJson& param,
                        const OJson& code) {
  OJson err;
  err["message"] = message;
  err["type"] = type;
  err["param"] = param;
  err["code"] = code;
  OJson body;
  body["error"] = std::move(err);
  return body;
}

void send_json(httplib::Response& res, int status, const OJson& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void send_openai_error(httplib::Response& res, int status, const std::string& message,
                       const std::string& type, const OJson& param, const OJson& code) {
  send_json(res, status, openai_error_body(message, type, param, code));
}

OJson parse_json_body(const Call& call) {
  const std::string& body = call.req.body;
  if (body.empty())
    throw bad_request("The request body must be a JSON object.", "", "invalid_json");
  OJson j = OJson::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    throw bad_request("We could not parse the JSON body of your request: invalid JSON.", "",
                      "invalid_json");
  }
  if (!j.is_object())
    throw bad_request("The request body must be a JSON object.", "", "invalid_json");
  return j;
}

void add_part_content(OJson& part, const std::string& bytes, std::uint64_t size) {
  if (size <= kLogPartCap && bytes.size() == size) {
    part["content"] = bytes;
    part["content_base64"] =
        base64_encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  } else {
    part["content"] = nullptr;
    part["content_base64"] = nullptr;
  }
}

void end_connection_after_answer(Call& call) {
  httplib::Response& res = call.res;
  auto body = std::make_shared<const std::string>(std::move(res.body));
  res.body.clear();
  std::string type = res.get_header_value("Content-Type");
  if (type.empty()) type = "application/json";
  res.headers.erase("Content-Type");
  res.set_header("Connection", "close");
  if (body->empty()) body = std::make_shared<const std::string>("{}");
  // httplib keeps reading requests on the socket until it sees end of file. Shutting it
  // before the answer is written would stop that answer too (httplib checks the socket is
  // alive before each write), so it happens once the answer has been written.
  const int fd = find_connection_fd(call.req.local_port, call.req.remote_port);
  res.set_content_provider(
      body->size(), type,
      [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        return sink.write(body->data() + offset, length);
      },
      [fd](bool) { shutdown_connection(fd); });
}

Emulator::Emulator(Config cfg) : cfg_(std::move(cfg)) {}

void Emulator::begin_shutdown() {
  {
    std::lock_guard<std::mutex> lk(state_mu_);
    shutdown_.store(true);
  }
  state_cv_.notify_all();
}

WaitEnd Emulator::wait(std::chrono::milliseconds timeout, const std::function<bool()>& pred,
                       int watch_fd) {
  using clock = std::chrono::steady_clock;
  constexpr auto kMax = std::chrono::hours(24 * 365);
  if (timeout > kMax) timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kMax);
  const auto deadline = clock::now() + timeout;
  std::unique_lock<std::mutex> lk(state_mu_);
  for (;;) {
    if (shutdown_.load()) return WaitEnd::shutdown;
    if (pred && pred()) return WaitEnd::predicate;
    if (watch_fd >= 0) {
      lk.unlock();
      const bool closed = peer_closed(watch_fd);
      lk.lock();
      if (closed) return WaitEnd::client_closed;
    }
    const auto now = clock::now();
    if (now >= deadline) return WaitEnd::timeout;
    auto until = deadline;
    // A peer closing its end wakes nobody: look at the socket every 20 ms.
    if (watch_fd >= 0 && now + std::chrono::milliseconds(20) < until) {
      until = now + std::chrono::milliseconds(20);
    }
    state_cv_.wait_until(lk, until);
  }
}

void Emulator::release(const std::string& key) {
  {
    std::lock_guard<std::mutex> lk(state_mu_);
    released_.insert(key);
  }
  state_cv_.notify_all();
}

std::shared_ptr<StreamState> Emulator::open_stream(const Call& call, const std::string& key) {
  auto s = std::make_shared<StreamState>();
  s->key = key.empty() ? call.request_id : key;
  s->request_id = call.request_id;
  s->log = call.log;
  {
    std::lock_guard<std::mutex> lk(state_mu_);
    streams_[s->key] = s;
    streams_[s->request_id] = s;
    stream_order_.push_back(s->key);
    if (s->key != s->request_id) stream_order_.push_back(s->request_id);
    while (stream_order_.size() > 4 * kLogCapacity) {
      const std::string old = stream_order_.front();
      stream_order_.pop_front();
      auto it = streams_.find(old);
      if (it != streams_.end() && it->second->state != "open") streams_.erase(it);
    }
    if (s->log) {
      const OJson snapshot = stream_json_locked(*s);
      log_update(s->log, [&](LogEntry& e) { e.stream = snapshot; });
    }
  }
  state_cv_.notify_all();
  return s;
}

void Emulator::stream_progress(StreamState& s, std::size_t events, std::size_t bytes) {
  std::lock_guard<std::mutex> lk(state_mu_);
  s.events_sent = events;
  s.bytes_sent = bytes;
  if (s.log) {
    const OJson snapshot = stream_json_locked(s);
    log_update(s.log, [&](LogEntry& e) { e.stream = snapshot; });
  }
}

void Emulator::finish_stream(StreamState& s, const std::string& state) {
  {
    std::lock_guard<std::mutex> lk(state_mu_);
    if (s.state != "open") return;
    s.state = state;
    // The log is updated before anyone waiting on the state can see it change.
    if (s.log) {
      const OJson snapshot = stream_json_locked(s);
      const bool closed = state == "client_closed";
      log_update(s.log, [&](LogEntry& e) {
        e.stream = snapshot;
        e.client_closed = closed;
      });
    }
  }
  state_cv_.notify_all();
}

OJson Emulator::stream_json_locked(const StreamState& s) const {
  OJson j;
  j["key"] = s.key;
  j["request_id"] = s.request_id;
  j["state"] = s.state;
  j["events_sent"] = s.events_sent;
  j["bytes_sent"] = s.bytes_sent;
  return j;
}

std::shared_ptr<StreamState> Emulator::find_stream_locked(const std::string& key) const {
  auto it = streams_.find(key);
  return it == streams_.end() ? nullptr : it->second;
}

long long Emulator::count_fault(const std::string& header_value) {
  std::lock_guard<std::mutex> lk(fault_mu_);
  return ++fault_counts_[header_value];
}

std::size_t Emulator::reset_faults() {
  std::lock_guard<std::mutex> lk(fault_mu_);
  const std::size_t n = fault_counts_.size();
  fault_counts_.clear();
  return n;
}

std::shared_ptr<LogEntry> Emulator::log_request(const httplib::Request& req, const std::string& rid,
                                                std::uint64_t seq) {
  auto e = std::make_shared<LogEntry>();
  OJson& r = e->record;
  r["request_id"] = rid;
  r["seq"] = seq;
  r["method"] = req.method;
  r["path"] = req.path;
  OJson query = OJson::object();
  // From the target, not req.params: httplib also merges form-urlencoded bodies there.
  for (const auto& [k, v] : parse_query(req.target)) {
    if (!query.contains(k)) {
      query[k] = v;
    } else {
      if (!query[k].is_array()) query[k] = OJson::array({query[k]});
      query[k].push_back(v);
    }
  }
  r["query"] = std::move(query);
  OJson headers = OJson::object();
  for (const auto& [k, v] : req.headers) {
    const std::string name = to_lower(k);
    // httplib adds these pseudo headers itself; they were not sent by the client.
    if (name == "remote_addr" || name == "remote_port" || name == "local_addr" ||
        name == "local_port") {
      continue;
    }
    const std::string value = name == "authorization" ? "<redacted>" : v;
    if (headers.contains(name)) {
      headers[name] = headers[name].get<std::string>() + ", " + value;
    } else {
      headers[name] = value;
    }
  }
  r["headers"] = std::move(headers);
  r["remote_port"] = req.remote_port;
  std::size_t body_size = req.body.size();
  if (body_size == 0 && !req.files.empty() && req.has_header("Content-Length")) {
    long long n = 0;
    if (parse_long(req.get_header_value("Content-Length"), n) && n > 0) {
      body_size = static_cast<std::size_t>(n);
    }
  }
  r["body_size"] = body_size;
  r["body_truncated"] = req.body.size() > kLogBodyCap;
  r["body"] = req.body.substr(0, kLogBodyCap);
  // A body over the cap is not parsed for the log either: its JSON would be as big.
  OJson parsed = req.body.empty() || req.body.size() > kLogBodyCap
                     ? OJson(nullptr)
                     : OJson::parse(req.body, nullptr, false);
  r["json"] = parsed.is_discarded() ? OJson(nullptr) : std::move(parsed);
  if (!req.files.empty()) {
    OJson parts = OJson::array();
    for (const auto& [name, f] : req.files) {
      OJson p;
      p["name"] = name;
      p["filename"] = f.filename;
      p["content_type"] = f.content_type;
      p["size"] = f.content.size();
      add_part_content(p, f.content, f.content.size());
      parts.push_back(std::move(p));
    }
    r["parts"] = std::move(parts);
  }
  std::lock_guard<std::mutex> lk(log_mu_);
  log_.push_back(e);
  while (log_.size() > kLogCapacity) log_.pop_front();
  return e;
}

void Emulator::log_update(const std::shared_ptr<LogEntry>& e,
                          const std::function<void(LogEntry&)>& fn) {
  if (!e) return;
  std::lock_guard<std::mutex> lk(log_mu_);
  fn(*e);
}

OJson Emulator::log_snapshot(const std::string& path_filter) const {
  OJson out = OJson::array();
  std::lock_guard<std::mutex> lk(log_mu_);
  for (const auto& e : log_) {
    if (!path_filter.empty() && e->record["path"] != path_filter) continue;
    OJson r = e->record;
    r["status"] = e->status;
    r["fault"] = e->fault;
    r["stream"] = e->stream;
    r["client_closed"] = e->client_closed;
    out.push_back(std::move(r));
  }
  return out;
}

std::size_t Emulator::log_clear() {
  std::lock_guard<std::mutex> lk(log_mu_);
  const std::size_t n = log_.size();
  log_.clear();
  return n;
}

bool Emulator::check_auth(Call& call) const {
  const std::string header = call.req.get_header_value("Authorization");
  std::string token;
  if (header.size() > 7 && to_lower(header.substr(0, 7)) == "bearer ") {
    token = header.substr(7);
    const auto first = token.find_first_not_of(" \t");
    const auto last = token.find_last_not_of(" \t");
    token = first == std::string::npos ? std::string() : token.substr(first, last - first + 1);
  }
  std::string problem;
  if (token.empty()) {
    problem = "Invalid API key: the request has no 'Authorization: Bearer <key>' header.";
  } else if (!cfg_.api_key.empty() && token != cfg_.api_key) {
    problem = "Invalid API key provided. (The key itself is never echoed.)";
  } else {
    return true;
  }
  send_openai_error(call.res, 401, problem, "invalid_request_error", nullptr, "invalid_api_key");
  return false;
}

bool Emulator::guard(Call& call) {
  // Faults come first, before authentication and validation, so a test can
  // inject any status on any route whatever else the request carries.
  return !apply_fault(call) && check_auth(call);
}

void Emulator::run(Call& call, const Route& fn, bool internal, bool self_guarded) {
  httplib::Response& res = call.res;
  res.set_header("x-request-id", call.request_id);
  res.set_header("x-emulator-remote-port", std::to_string(call.req.remote_port));
  if (!internal) call.log = log_request(call.req, call.request_id, call.seq);
  try {
    const bool answered = !internal && !self_guarded && !guard(call);
    if (!answered) fn(call);
  } catch (const ApiError& e) {
    send_openai_error(res, e.status, e.what(), e.type, e.param, e.code);
  } catch (const std::exception& e) {
    send_openai_error(res, 500, std::string("Emulator internal error: ") + e.what(), "server_error",
                      nullptr, "internal_error");
  }
  if (call.log) {
    const int status = res.status == -1 ? 200 : res.status;
    log_update(call.log, [status](LogEntry& e) { e.status = status; });
  }
}

httplib::Server::Handler Emulator::wrap(Route fn, bool internal, bool self_guarded) {
  return [this, fn = std::move(fn), internal, self_guarded](const httplib::Request& req,
                                                            httplib::Response& res) {
    const std::uint64_t seq = ++seq_;
    Call call{*this, req, res, "req_emu_" + std::to_string(seq), seq, nullptr};
    run(call, fn, internal, self_guarded);
  };
}

void Emulator::route(const std::string& method, const std::string& pattern, Route fn,
                     bool self_guarded) {
  const bool internal = pattern.rfind("/_emulator/", 0) == 0;
  auto handler = wrap(std::move(fn), internal, self_guarded);
  if (method == "GET")
    svr_->Get(pattern, std::move(handler));
  else if (method == "POST")
    svr_->Post(pattern, std::move(handler));
  else if (method == "PUT")
    svr_->Put(pattern, std::move(handler));
  else if (method == "PATCH")
    svr_->Patch(pattern, std::move(handler));
  else if (method == "DELETE")
    svr_->Delete(pattern, std::move(handler));
  else if (method == "OPTIONS")
    svr_->Options(pattern, std::move(handler));
  else
    throw std::logic_error("unsupported method " + method);
}

void Emulator::route_streamed(const std::string& pattern, Route fn) {
  svr_->Post(
      pattern, [this, fn = std::move(fn)](const httplib::Request& req, httplib::Response& res,
                                          const httplib::ContentReader& reader) {
        const std::uint64_t seq = ++seq_;
        Call call{*this, req, res, "req_emu_" + std::to_string(seq), seq, nullptr};
        call.reader = &reader;
        run(call, fn, /*internal=*/false, /*self_guarded=*/true);
        if (!call.body_consumed) {
          // The handler stopped before reading the body (it threw): read and discard it,
          // or the next request on this keep-alive connection would start mid-body.
          const auto skip = [](const char*, std::size_t) { return true; };
          const bool ok = req.is_multipart_form_data()
                              ? reader([](const httplib::MultipartFormData&) { return true; }, skip)
                              : reader(skip);
          if (!ok) end_connection_after_answer(call);
        }
      });
}

void Emulator::install(httplib::Server& svr) {
  svr_ = &svr;
  register_internal_routes();
  register_generation_routes(*this);
  register_model_routes(*this);
  register_docling_routes(*this);

  // Anything else: 404 in OpenAI shape (after faults and auth, like every route).
  auto not_found = [](Call& call) {
    send_openai_error(call.res, 404, "Not found: " + call.req.method + " " + call.req.path,
                      "invalid_request_error", nullptr, "not_found");
  };
  auto api_404 = wrap(not_found, false, false);
  auto internal_404 = wrap(not_found, true, false);
  auto any = [api_404, internal_404](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/_emulator/", 0) == 0)
      internal_404(req, res);
    else
      api_404(req, res);
  };
  svr.Get(".*", any);
  svr.Post(".*", any);
  svr.Put(".*", any);
  svr.Patch(".*", any);
  svr.Delete(".*", any);
  svr.Options(".*", any);

  // HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding has no body
  // (RFC 9112 §6.3). httplib 0.11 instead reads such a POST/PUT/PATCH/DELETE until the
  // read timeout and answers 400, so `curl -X POST url` would hang. Runs before the body
  // is read; httplib's Request object is not const, only the view it hands us.
  svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
      const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Answers httplib produces itself (malformed requests...) still get ids and a JSON body.
  svr.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.has_header("x-request-id")) {
      res.set_header("x-request-id", "req_emu_" + std::to_string(++seq_));
    }
    if (!res.has_header("x-emulator-remote-port") && req.remote_port > 0) {
      res.set_header("x-emulator-remote-port", std::to_string(req.remote_port));
    }
  });
  svr.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&,
                                                                httplib::Response& res) {
    // Our own answers have a body (or stream it); only httplib's bare errors get one here.
    if (!res.body.empty() || res.content_provider_) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    const int status = res.status;
    send_openai_error(res, status, "HTTP error " + std::to_string(status),
                      status >= 500 ? "server_error" : "invalid_request_error", nullptr, nullptr);
    return httplib::Server::HandlerResponse::Handled;
  }));
  svr.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        send_openai_error(res, 500, "Emulator internal error", "server_error", nullptr,
                          "internal_error");
      });
  if (cfg_.verbose) {
    svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      static std::mutex mu;
      std::lock_guard<std::mutex> lk(mu);
      std::fprintf(stderr, "[babyapi-emulator] %s %s %s -> %d\n",
                   res.get_header_value("x-request-id").c_str(), req.method.c_str(),
                   req.path.c_str(), res.status);
    });
  }
}

}  // namespace emu
