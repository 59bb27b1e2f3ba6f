#include "common.hpp"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace cli {

namespace {

bool env_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// Writes everything, ignoring failures (a closed stderr must not end the program from a callback).
void write_all(int fd, const std::string& text) noexcept {
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

// ---- Terminal -------------------------------------------------------------------------------

Terminal Terminal::detect(bool quiet) {
  Terminal t;
  t.stdin_tty = ::isatty(STDIN_FILENO) == 1;
  t.stdout_tty = ::isatty(STDOUT_FILENO) == 1;
  t.stderr_tty = ::isatty(STDERR_FILENO) == 1;
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
  t.progress = t.stderr_tty && !quiet;
  t.colour = t.progress && !env_set("NO_COLOR") && !dumb;
  return t;
}

int Terminal::columns() const {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// ---- Interrupts -----------------------------------------------------------------------------

Interrupts& Interrupts::instance() {
  static Interrupts interrupts;
  return interrupts;
}

void Interrupts::start() {
  if (started_) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::thread([this] { watch(); });
  started_ = true;
}

void Interrupts::stop() {
  if (!started_) return;
  stopping_ = true;
  pthread_kill(watcher_.native_handle(), SIGINT);
  watcher_.join();
  started_ = false;
}

void Interrupts::watch() noexcept {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  for (;;) {
    int signal_number = 0;
    if (sigwait(&set, &signal_number) != 0) continue;
    if (stopping_) return;
    std::unique_lock<std::mutex> lock(mutex_);
    if (armed_) {
      interrupted_ = true;
      try {
        armed_->cancel();
      } catch (...) {
        // cancel() is not expected to throw; nothing may leave this thread either way.
      }
    } else if (!idle_hint_.empty()) {
      write_all(STDERR_FILENO, idle_hint_);
    } else {
      lock.unlock();
      std::fflush(stdout);
      write_all(STDERR_FILENO, "\n");
      std::_Exit(kExitInterrupted);
    }
  }
}

babyapi::CancelToken Interrupts::arm() {
  std::lock_guard<std::mutex> lock(mutex_);
  babyapi::CancelToken token;
  armed_ = token;
  interrupted_ = false;
  return token;
}

void Interrupts::disarm() {
  std::lock_guard<std::mutex> lock(mutex_);
  armed_.reset();
}

void Interrupts::set_idle_hint(std::string hint) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_hint_ = std::move(hint);
}

void Interrupts::clear_idle_hint() {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_hint_.clear();
}

// ---- Context --------------------------------------------------------------------------------

babyapi::Client& Context::client() {
  if (client_) return *client_;
  babyapi::ClientOptions client_options;
  if (!options.api_key.empty()) {
    client_options.api_key = options.api_key;
  } else if (!options.api_key_file.empty()) {
    client_options.api_key = trim(read_file(options.api_key_file));
    if (client_options.api_key.empty())
      throw usage_error("the API key file " + options.api_key_file + " is empty");
  }
  client_options.base_url = options.base_url;
  if (options.timeout_seconds) {
    if (!(*options.timeout_seconds > 0))
      throw usage_error("--timeout must be a positive number of seconds");
    client_options.timeout = std::chrono::milliseconds(
        std::max<long long>(1, std::llround(*options.timeout_seconds * 1000.0)));
  }
  if (options.max_retries) {
    if (*options.max_retries < 0) throw usage_error("--max-retries must not be negative");
    client_options.max_retries = *options.max_retries;
  }
  for (const std::string& header : options.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
      throw usage_error("--header wants NAME:VALUE, got \"" + header + "\"");
    client_options.default_headers[trim(header.substr(0, colon))] = trim(header.substr(colon + 1));
  }
  try {
    client_ = std::make_unique<babyapi::Client>(std::move(client_options));
  } catch (const babyapi::BabyAPIError& error) {
    // The constructor only fails on configuration: no key, a bad base URL.
    throw usage_error(error.message());
  }
  return *client_;
}

babyapi::RequestOptions Context::request_options() {
  babyapi::RequestOptions request_options;
  request_options.cancel = Interrupts::instance().arm();
  if (options.timeout_seconds && *options.timeout_seconds > 0) {
    // Also bounds a stream's silence and an upload's stall, which the Client's timeout does not.
    request_options.timeout = std::chrono::milliseconds(
        std::max<long long>(1, std::llround(*options.timeout_seconds * 1000.0)));
  }
  return request_options;
}

std::string Context::model(const std::string& explicit_model, const std::string& hint) {
  if (!explicit_model.empty()) return explicit_model;
  babyapi::Client& c = client();
  if (!c.options().default_model.empty()) return c.options().default_model;
  const babyapi::Response list = c.models.list(request_options());
  const babyapi::Json& data = list.get("data");
  std::string first;
  if (data.is_array()) {
    for (const babyapi::Json& entry : data) {
      if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string()) continue;
      const std::string id = entry["id"].get<std::string>();
      if (first.empty()) first = id;
      if (!hint.empty() && id.find(hint) != std::string::npos) return id;
    }
  }
  if (first.empty())
    throw input_error("the server lists no models; name one with -m or BABYAPI_DEFAULT_MODEL");
  return first;
}

void Context::print_json(const babyapi::Json& value) const {
  const std::string text =
      terminal.stdout_tty ? value.dump(2, ' ', false, babyapi::Json::error_handler_t::replace)
                          : value.dump(-1, ' ', false, babyapi::Json::error_handler_t::replace);
  std::cout << text << '\n' << std::flush;
}

// ---- ProgressLine ---------------------------------------------------------------------------

ProgressLine::ProgressLine(const Context& context, std::string label)
    : enabled_(context.terminal.progress),
      columns_(enabled_ ? context.terminal.columns() : 80),
      style_(context.terminal.colour),
      label_(std::move(label)),
      start_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::draw(const std::string& text, bool force) noexcept {
  if (!enabled_ || finished_) return;
  try {
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && !force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    last_text_ = text;
    std::string line = label_ + "  " + text;
    const std::size_t width = columns_ > 1 ? static_cast<std::size_t>(columns_ - 1) : 79;
    if (line.size() > width) line.resize(width);
    // Colour the label only: the cut above counts visible characters.
    std::string out = "\r\033[K";
    out += style_.cyan();
    out += line.substr(0, std::min(label_.size(), line.size()));
    out += style_.reset();
    if (line.size() > label_.size()) out += line.substr(label_.size());
    write_all(STDERR_FILENO, out);
    drawn_ = true;
  } catch (...) {
    // Progress is decoration: never let it fail a request.
  }
}

void ProgressLine::bytes(std::uint64_t sent, std::uint64_t total) noexcept {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  try {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(sent) / elapsed : 0.0;
    std::ostringstream text;
    if (total > 0) {
      const double fraction = std::min(1.0, static_cast<double>(sent) / static_cast<double>(total));
      const int width = 24;
      const int filled = static_cast<int>(fraction * width);
      text << '[' << std::string(static_cast<std::size_t>(filled), '#')
           << std::string(static_cast<std::size_t>(width - filled), '-') << "] ";
      char percent[8];
      std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(fraction * 100.0));
      text << percent << "  " << human_bytes(static_cast<double>(sent)) << " / "
           << human_bytes(static_cast<double>(total));
    } else {
      text << human_bytes(static_cast<double>(sent));
    }
    if (rate > 0) text << "  " << human_bytes(rate) << "/s";
    if (total > 0 && sent < total && rate > 0)
      text << "  ETA " << human_duration(static_cast<double>(total - sent) / rate);
    draw(text.str(), total > 0 && sent >= total);
  } catch (...) {
  }
}

void ProgressLine::count(std::size_t done, std::size_t total, const char* unit) noexcept {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  try {
    const double fraction =
        total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    const int width = 24;
    const int filled = static_cast<int>(fraction * width);
    std::ostringstream text;
    text << '[' << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(width - filled), '-') << "] " << done << '/'
         << total << ' ' << unit;
    draw(text.str(), done >= total);
  } catch (...) {
  }
}

void ProgressLine::status(const std::string& text) noexcept {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  try {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    draw(text + "  " + human_duration(elapsed), true);
  } catch (...) {
  }
}

void ProgressLine::finish() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (drawn_) write_all(STDERR_FILENO, "\n");
}

void ProgressLine::clear() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (drawn_) write_all(STDERR_FILENO, "\r\033[K");
}

// ---- Helpers --------------------------------------------------------------------------------

void apply_parameter(babyapi::Json& object, const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    throw usage_error("expected KEY=VALUE, got \"" + assignment + "\"");
  const std::string key = assignment.substr(0, equals);
  const std::string value = assignment.substr(equals + 1);
  babyapi::Json parsed = babyapi::Json::parse(value, nullptr, false);
  object[key] = parsed.is_discarded() ? babyapi::Json(value) : std::move(parsed);
}

std::string read_stdin() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return text;
}

std::string read_file(const std::string& path) {
  if (path == "-") return read_stdin();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error("cannot read " + path + ": " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw input_error("cannot read " + path);
  return text;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!trim(line).empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::string trim(std::string text) {
  const char* space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 4) {
    bytes /= 1024.0;
    ++unit;
  }
  char buffer[32];
  if (unit == 0) {
    std::snprintf(buffer, sizeof buffer, "%.0f %s", bytes, units[unit]);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f %s", bytes, units[unit]);
  }
  return buffer;
}

std::string human_duration(double seconds) {
  char buffer[32];
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
  } else {
    const long total = std::lround(seconds);
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld", total / 60, total % 60);
  }
  return buffer;
}

// ---- Errors ---------------------------------------------------------------------------------

namespace {

const char* class_name(int code) {
  switch (code) {
    case kExitUsage:
      return "usage";
    case kExitInput:
      return "input";
    case kExitConnection:
      return "connection";
    case kExitTimeout:
      return "timeout";
    case kExitAuth:
      return "auth";
    case kExitRateLimit:
      return "rate_limit";
    case kExitStatus:
      return "status";
    case kExitInterrupted:
      return "interrupted";
    default:
      return "failure";
  }
}

}  // namespace

int exit_code_for(const std::exception& error) {
  if (const auto* cli_error = dynamic_cast<const CliError*>(&error)) return cli_error->code();
  if (dynamic_cast<const babyapi::APIUserAbortError*>(&error)) return kExitInterrupted;
  if (dynamic_cast<const babyapi::APITimeoutError*>(&error)) return kExitTimeout;
  if (dynamic_cast<const babyapi::APIConnectionError*>(&error)) return kExitConnection;
  if (dynamic_cast<const babyapi::AuthenticationError*>(&error)) return kExitAuth;
  if (dynamic_cast<const babyapi::PermissionDeniedError*>(&error)) return kExitAuth;
  if (dynamic_cast<const babyapi::RateLimitError*>(&error)) return kExitRateLimit;
  if (dynamic_cast<const babyapi::APIStatusError*>(&error)) return kExitStatus;
  return kExitFailure;
}

int report_error(const Context& context, const std::exception& error) {
  const int code = exit_code_for(error);
  const auto* api_error = dynamic_cast<const babyapi::BabyAPIError*>(&error);
  std::string message = one_line(api_error != nullptr ? api_error->message() : error.what());
  if (code == kExitInterrupted && message.empty()) message = "interrupted";
  if (context.options.json) {
    babyapi::Json body = {{"message", message}, {"class", class_name(code)}, {"exit_code", code}};
    if (api_error != nullptr) {
      if (api_error->status() != 0) body["status"] = api_error->status();
      if (!api_error->request_id().empty()) body["request_id"] = api_error->request_id();
      if (!api_error->code().empty()) body["code"] = api_error->code();
      if (!api_error->type().empty()) body["type"] = api_error->type();
    }
    const babyapi::Json wrapper = {{"error", body}};
    std::cerr << wrapper.dump(-1, ' ', false, babyapi::Json::error_handler_t::replace) << '\n';
  } else if (!context.options.quiet || code != kExitInterrupted) {
    const Style style = context.style();
    std::string line =
        std::string("babyapi: ") + style.red() + "error" + style.reset() + ": " + message;
    if (api_error != nullptr) {
      std::string details;
      if (api_error->status() != 0) details += "status " + std::to_string(api_error->status());
      if (!api_error->request_id().empty())
        details +=
            (details.empty() ? "" : ", ") + std::string("request ") + api_error->request_id();
      if (!details.empty()) line += " (" + details + ")";
    }
    std::cerr << line << '\n';
  }
  std::cerr.flush();
  return code;
}

}  // namespace cli
