// Shared pieces of the babyapi command-line tool: exit codes, the global options and the Client
// built from them, terminal manners (progress lines and colour only on a terminal stderr), Ctrl-C
// handling, and small input helpers. Everything here uses the SDK's public headers only.
#pragma once

#include <babyapi/babyapi.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cli {

// Exit codes, one per class of failure (documented in the README's "Command line" section).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,     // any other failure (an error event in a stream, a failed task, ...)
  kExitUsage = 2,       // bad command line or configuration (no API key, bad --base-url)
  kExitInput = 3,       // bad input: a file that cannot be read, JSON that does not parse
  kExitConnection = 4,  // no HTTP answer: refused, reset, DNS
  kExitTimeout = 5,     // a deadline passed
  kExitAuth = 6,        // 401 or 403
  kExitRateLimit = 7,   // 429
  kExitStatus = 8,      // any other HTTP error status
  kExitInterrupted = 130,
};

// A failure of the tool itself (not of a request), with the exit code it stands for.
class CliError : public std::runtime_error {
 public:
  CliError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

inline CliError usage_error(const std::string& message) { return CliError(kExitUsage, message); }
inline CliError input_error(const std::string& message) { return CliError(kExitInput, message); }

struct GlobalOptions {
  std::string api_key;
  std::string api_key_file;
  std::string base_url;
  std::optional<double> timeout_seconds;
  std::optional<int> max_retries;
  std::vector<std::string> headers;  // NAME:VALUE
  bool quiet = false;
  bool json = false;
};

// Terminal facts, read once at start.
struct Terminal {
  bool stdin_tty = false;
  bool stdout_tty = false;
  bool stderr_tty = false;
  bool colour = false;    // stderr is a terminal, NO_COLOR unset, TERM not dumb, not --quiet
  bool progress = false;  // stderr is a terminal and not --quiet
  static Terminal detect(bool quiet);
  int columns() const;  // of stderr; 80 when unknown
};

// ANSI sequences, empty when colour is off.
struct Style {
  explicit Style(bool on) : on_(on) {}
  const char* bold() const { return on_ ? "\033[1m" : ""; }
  const char* dim() const { return on_ ? "\033[2m" : ""; }
  const char* red() const { return on_ ? "\033[31m" : ""; }
  const char* green() const { return on_ ? "\033[32m" : ""; }
  const char* cyan() const { return on_ ? "\033[36m" : ""; }
  const char* reset() const { return on_ ? "\033[0m" : ""; }

 private:
  bool on_;
};

// Ctrl-C: SIGINT is blocked in every thread and a watcher thread sigwait()s for it. While a call
// is armed, Ctrl-C cancels that call's token (the call then throws APIUserAbortError); while the
// interactive chat waits for a line, it prints a hint; otherwise it ends the program with 130.
class Interrupts {
 public:
  static Interrupts& instance();
  // Must run before any other thread exists (the Client's engine thread inherits the mask).
  void start();
  void stop();
  // A fresh token for the next call; Ctrl-C now cancels it.
  babyapi::CancelToken arm();
  void disarm();
  // Whether Ctrl-C cancelled the last armed call.
  bool interrupted() const { return interrupted_.load(); }
  // While set, Ctrl-C with no armed call prints hint to stderr instead of exiting.
  void set_idle_hint(std::string hint);
  void clear_idle_hint();

 private:
  void watch() noexcept;
  std::mutex mutex_;
  std::optional<babyapi::CancelToken> armed_;
  std::string idle_hint_;
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
  bool started_ = false;
};

// The state every command shares: options, terminal, the lazily made Client.
class Context {
 public:
  GlobalOptions options;
  Terminal terminal;

  // Built on first use from the options and the SDK's environment variables.
  babyapi::Client& client();
  // Per-call options: a cancel token armed for Ctrl-C.
  babyapi::RequestOptions request_options();
  Style style() const { return Style(terminal.colour); }

  // The model to use: explicit, else BABYAPI_DEFAULT_MODEL, else the server's first model whose
  // id contains hint (or its first model when none does or hint is empty).
  std::string model(const std::string& explicit_model, const std::string& hint = {});

  // Writes a JSON value to stdout: indented on a terminal, one line otherwise.
  void print_json(const babyapi::Json& value) const;

 private:
  std::unique_ptr<babyapi::Client> client_;
};

// A single status line on stderr, redrawn in place; does nothing unless progress is on. Safe to
// call from the engine thread. Never throws.
class ProgressLine {
 public:
  ProgressLine(const Context& context, std::string label);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Upload progress: bytes sent of total (0 = unknown), with rate and ETA.
  void bytes(std::uint64_t sent, std::uint64_t total) noexcept;
  // Items done of total.
  void count(std::size_t done, std::size_t total, const char* unit) noexcept;
  // Free text after the label, with the elapsed time.
  void status(const std::string& text) noexcept;
  // Leaves the last state on screen and ends the line (once).
  void finish() noexcept;
  // Erases the line (for when an error is about to be printed).
  void clear() noexcept;

 private:
  void draw(const std::string& text, bool force) noexcept;
  bool enabled_;
  int columns_;
  Style style_;
  std::string label_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  bool finished_ = false;
  std::string last_text_;
};

// KEY=VALUE with VALUE read as JSON when it parses, else taken as a string.
void apply_parameter(babyapi::Json& object, const std::string& assignment);
// The whole of a file ("-" = stdin); throws an input error naming it.
std::string read_file(const std::string& path);
std::string read_stdin();
// Lines of text, without their line breaks; blank lines are skipped.
std::vector<std::string> split_lines(const std::string& text);
std::string trim(std::string text);
// "1.5 MiB", "812 B".
std::string human_bytes(double bytes);
std::string human_duration(double seconds);

// Maps an exception to its exit code, and prints it: one line, or JSON with --json.
int report_error(const Context& context, const std::exception& error);
int exit_code_for(const std::exception& error);

}  // namespace cli
