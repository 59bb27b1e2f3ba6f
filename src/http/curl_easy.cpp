#include "http/curl_easy.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <string_view>

#include "babyapi/errors.hpp"
#include "http/outcome.hpp"
#include "util/strings.hpp"

namespace babyapi::detail {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// We set CURLOPT_NOSIGNAL (libcurl must not touch signals in a multi-threaded program), and with
// it libcurl leaves SIGPIPE to the application: a peer that closes while we write (a TLS server
// dropping an upload) would then kill the process under the default disposition. As
// google-cloud-cpp's CurlInitializeOnce does, ignore SIGPIPE, but only while nobody installed a
// handler or chose to ignore it: the write then fails with EPIPE, which libcurl reports as
// CURLE_SEND_ERROR. Checked for every new transport, not once, so that a program which reset the
// disposition to the default in between is covered too.
void ignore_default_sigpipe() noexcept {
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) != 0) return;
  if ((current.sa_flags & SA_SIGINFO) != 0 || current.sa_handler != SIG_DFL) return;
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  (void)::sigaction(SIGPIPE, &ignore, nullptr);
}

}  // namespace

void ensure_curl_global_init() {
  ignore_default_sigpipe();
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw BabyAPIError("libcurl could not be initialised (curl_global_init failed)");
    }
  });
}

void take_header_line(TransferState& state, const char* data, size_t size) {
  std::string_view line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty()) {
    state.headers_done = state.status >= 200;
    return;
  }
  if (line.rfind("HTTP/", 0) == 0) {
    state.headers.clear();
    state.headers_done = false;
    const size_t space = line.find(' ');
    state.status = space == std::string_view::npos ? 0 : parse_int_prefix(line.substr(space + 1));
    return;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;  // junk
  state.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                             std::string(trim(line.substr(colon + 1))));
}

namespace {

size_t on_header(char* data, size_t size, size_t count, void* user) noexcept {
  auto& state = *static_cast<TransferState*>(user);
  try {
    state.last_byte = Clock::now();
    take_header_line(state, data, size * count);
    return size * count;
  } catch (...) {
    state.error = std::current_exception();
    return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
  }
}

// An uncompressed answer of known length is received into one buffer of its size, so a large
// body is never copied by the string's growth (which briefly holds about 3x the bytes). A length
// past max_response_bytes reserves nothing: the bound refuses the body as it arrives.
void reserve_for_body(TransferState& state) {
  std::uint64_t length = 0;
  bool known = false;
  for (const auto& [name, value] : state.headers) {
    if (iequals(name, "content-encoding") && !iequals(value, "identity")) return;
    if (iequals(name, "content-length")) {
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
      known = error == std::errc() && end == value.data() + value.size();
    }
  }
  if (!known || length == 0) return;
  if (state.max_response_bytes > 0 && length > state.max_response_bytes) return;
  if (length > (std::uint64_t{1} << 30)) return;  // unbounded: reserve no absurd length
  state.body.reserve(static_cast<std::size_t>(length));
}

// Where the body goes is decided at its first byte, when the final status is known: a 2xx answer
// to a download_to request goes to the file, anything else to memory.
void choose_body_target(TransferState& state) {
  state.body_target_chosen = true;
  if (state.download_to == nullptr || state.status < 200 || state.status >= 300) {
    reserve_for_body(state);
    return;
  }
  state.download.reset(std::fopen(state.download_to->c_str(), "wb"));
  if (!state.download) {
    throw BabyAPIError("Cannot write the answer to \"" + *state.download_to +
                       "\" (download_to): " + std::strerror(errno));
  }
}

size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
  return store_body(*static_cast<TransferState*>(user), data, size * count);
}

}  // namespace

size_t store_body(TransferState& state, const char* data, size_t bytes) noexcept {
  try {
    state.last_byte = Clock::now();
    if (!state.body_target_chosen) choose_body_target(state);
    if (state.download) {
      // A file has room for what the caller asked to download; max_response_bytes bounds memory.
      if (std::fwrite(data, 1, bytes, state.download.get()) != bytes) {
        throw BabyAPIError("Cannot write the answer to \"" + *state.download_to +
                           "\" (download_to): " + std::strerror(errno));
      }
      return bytes;
    }
    // Counted on decoded bytes: a small compressed answer may inflate far past the bound.
    if (state.max_response_bytes > 0 && state.body.size() + bytes > state.max_response_bytes) {
      throw TransferError<ResponseTooLargeError>(
          "The answer grew past max_response_bytes (" + std::to_string(state.max_response_bytes) +
              " bytes, counted after decompression); raise ClientOptions::max_response_bytes if "
              "it is expected, or use RequestOptions::download_to for large files",
          TransferTraits{false, true});
    }
    state.body.append(data, bytes);
    return bytes;
  } catch (...) {
    state.error = std::current_exception();
    return 0;
  }
}

namespace {

// Installed whenever a request has a stall bound or an upload progress callback. libcurl calls it
// at least once a second, also while nothing moves, which is what makes the stall check work.
int on_progress(void* user, curl_off_t /*dltotal*/, curl_off_t dlnow, curl_off_t ultotal,
                curl_off_t ulnow) noexcept {
  auto& state = *static_cast<TransferState*>(user);
  const auto now = Clock::now();
  if (ulnow != state.last_sent || dlnow != state.last_received) {
    state.last_sent = ulnow;
    state.last_received = dlnow;
    state.last_byte = now;
  } else if (state.idle_timeout.count() > 0 && now - state.last_byte >= state.idle_timeout) {
    state.stalled = true;
    return 1;  // non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK
  }
  if (state.on_upload_progress == nullptr || !*state.on_upload_progress) return 0;
  const auto sent = static_cast<std::uint64_t>(ulnow);
  const auto total = static_cast<std::uint64_t>(ultotal);
  // libcurl calls this often, also while only downloading; report changes only.
  if (state.reported_any && sent == state.reported_sent && total == state.reported_total) return 0;
  if (sent == 0 && total == 0) return 0;
  state.reported_any = true;
  state.reported_sent = sent;
  state.reported_total = total;
  try {
    (*state.on_upload_progress)(sent, total);
    return 0;
  } catch (...) {
    state.error = std::current_exception();
    return 1;
  }
}

void append_line(HeaderSlist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();
  list.reset(grown);
}

HeaderSlist header_list(const HeaderList& headers) {
  HeaderSlist list;
  for (const auto& [name, value] : headers) {
    // libcurl takes C strings: a NUL would cut the header short, a line break would start a new
    // one. The client refuses both earlier; this is the last line of defence.
    if (name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos ||
        value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      throw BabyAPIError("Invalid header \"" + name.substr(0, name.find('\0')) +
                         "\": names and values must not contain NUL bytes or line breaks");
    }
    // "Name;" is libcurl's way to send a header with an empty value.
    append_line(list, value.empty() ? name + ';' : name + ": " + value);
  }
  // JSON bodies are small; waiting for "100 Continue" would only add a round trip.
  append_line(list, "Expect:");
  return list;
}

// One file part, read as it is sent. Owned by libcurl's mime part (freed through upload_free).
struct UploadSource {
  FileHandle file;
  std::string path;
  curl_off_t size = -1;  // promised to the server; -1 = unknown (sent chunked)
  curl_off_t sent = 0;
  TransferState* state = nullptr;
};

size_t upload_read(char* buffer, size_t size, size_t count, void* user) noexcept {
  auto& source = *static_cast<UploadSource*>(user);
  try {
    size_t want = size * count;
    if (source.size >= 0)
      want = std::min<size_t>(want, static_cast<size_t>(source.size - source.sent));
    if (want == 0) return 0;
    const size_t got = std::fread(buffer, 1, want, source.file.get());
    if (got > 0) {
      source.sent += static_cast<curl_off_t>(got);
      return got;
    }
    if (std::ferror(source.file.get())) {
      throw BabyAPIError("Cannot read \"" + source.path +
                         "\" while uploading it: " + std::strerror(errno));
    }
    if (source.size >= 0 && source.sent < source.size) {
      // The length is already on the wire; sending less would leave the server waiting.
      throw BabyAPIError("The file \"" + source.path + "\" shrank while uploading: " +
                         std::to_string(source.size) + " bytes were promised, only " +
                         std::to_string(source.sent) + " could be read");
    }
    return 0;
  } catch (...) {
    if (!source.state->error) source.state->error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

int upload_seek(void* user, curl_off_t offset, int origin) noexcept {
  auto& source = *static_cast<UploadSource*>(user);
  if (origin != SEEK_SET || ::fseeko(source.file.get(), offset, SEEK_SET) != 0) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  source.sent = offset;
  return CURL_SEEKFUNC_OK;
}

void upload_free(void* user) noexcept { delete static_cast<UploadSource*>(user); }

std::string base_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

MimeHandle build_mime(CURL* h, const Form& form, TransferState& state) {
  MimeHandle mime(curl_mime_init(h));
  if (!mime) throw std::bad_alloc();
  for (const FormPart& part : form) {
    curl_mimepart* field = curl_mime_addpart(mime.get());
    if (field == nullptr) throw std::bad_alloc();
    curl_mime_name(field, part.name.c_str());
    if (part.is_file && !part.path.empty()) {
      // Read as it is sent, so the upload never sits in memory; opened afresh for every attempt.
      const UploadFile opened = open_upload_file(part.path);
      auto source = std::make_unique<UploadSource>();
      source->file.reset(opened.file);
      source->path = part.path;
      source->size = opened.size;
      source->state = &state;
      if (curl_mime_data_cb(field, source->size, &upload_read, &upload_seek, &upload_free,
                            source.get()) != CURLE_OK) {
        throw std::bad_alloc();
      }
      (void)source.release();  // the part owns it now
      curl_mime_filename(field,
                         (part.filename.empty() ? base_name(part.path) : part.filename).c_str());
    } else {
      curl_mime_data(field, part.value.data(), part.value.size());
      if (part.is_file) curl_mime_filename(field, part.filename.c_str());
    }
    if (part.is_file && !part.content_type.empty())
      curl_mime_type(field, part.content_type.c_str());
  }
  return mime;
}

// Sets CURLOPT_TIMEOUT_MS to the sooner of the request's timeout and its deadline.
void set_time_limit(CURL* h, const HttpRequest& request, TransferState& state) {
  milliseconds limit = request.timeout;
  if (request.deadline) {
    const auto left = *request.deadline - Clock::now();
    if (left <= Clock::duration::zero()) {
      throw TransferError<APITimeoutError>(
          "The call passed its total_timeout before the request to " + origin_of(request.url) +
              " could be sent",
          TransferTraits{false, false});
    }
    // Rounded up: a limit of 0 would mean none at all.
    const milliseconds left_ms = std::chrono::ceil<milliseconds>(left);
    if (limit.count() <= 0 || left_ms < limit) {
      limit = left_ms;
      state.deadline_bound = true;
    }
  }
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(limit.count(), 0)));
}

}  // namespace

HeaderSlist header_slist(const HeaderList& headers) { return header_list(headers); }

bool is_plain_request(const HttpRequest& request) noexcept {
  if (request.form || request.on_upload_progress || request.idle_timeout.count() > 0) return false;
  return request.method == "GET" || request.method == "POST";
}

void configure_constants(CURL* h, const TransportConfig& config) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  // As Python's httpx does: compressed answers, but not brotli, which some servers spend far more
  // time producing (cpp-httplib at its default quality: ~20 ms for a 260-byte answer).
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
  // Pooled connections sit idle between calls; probes keep NAT and firewall state alive and find
  // a dead peer before a request is written into it. The kernel's default waits two hours.
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 15L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // never carry credentials elsewhere
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!config.ca_info.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config.ca_info.c_str());
  if (!config.ca_path.empty()) curl_easy_setopt(h, CURLOPT_CAPATH, config.ca_path.c_str());
  if (config.proxy) curl_easy_setopt(h, CURLOPT_PROXY, config.proxy->c_str());
  // A proxy's own "200 Connection established" answer to CONNECT is not the server's answer: kept
  // away from the header callback, it cannot end a stream's header block before the real one.
  curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
}

void configure_request(CURL* h, const HttpRequest& request, curl_slist* headers,
                       TransferState& state) {
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, state.error_buffer);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
  // Both set every time (0 = libcurl's default): a warm handle keeps the previous request's.
  set_time_limit(h, request, state);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(request.connect_timeout.count(), 0)));
  state.max_response_bytes = request.max_response_bytes;
  if (!request.download_to.empty()) state.download_to = &request.download_to;
  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "POST" && !request.form) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  }
  state.idle_timeout = request.idle_timeout;
  state.last_byte = Clock::now();
}

void park_easy(CURL* h) noexcept {
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
}

TransferResources configure_easy(CURL* h, const HttpRequest& request, const TransportConfig& config,
                                 TransferState& state) {
  TransferResources resources;
  resources.headers = header_list(request.headers);
  configure_constants(h, config);
  configure_request(h, request, resources.headers.get(), state);
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.form) {
    resources.mime = build_mime(h, *request.form, state);
    curl_easy_setopt(h, CURLOPT_MIMEPOST, resources.mime.get());
  } else if (request.method != "GET") {
    if (request.method != "POST") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  // The stall bound is ours, not libcurl's LOW_SPEED check: that one averages over seconds, so a
  // fast upload followed by silence kept a transfer "alive" for many seconds past the bound.
  if (request.idle_timeout.count() > 0 || request.on_upload_progress) {
    if (request.on_upload_progress) state.on_upload_progress = &request.on_upload_progress;
    watch_progress(h, state);
  }
  return resources;
}

void watch_progress(CURL* h, TransferState& state) {
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &state);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
}

void finish_download(TransferState& state, bool ok) {
  if (state.download_to == nullptr) return;
  if (!ok) {
    if (state.download) {
      state.download.reset();
      std::remove(state.download_to->c_str());
    }
    return;
  }
  if (state.status < 200 || state.status >= 300) return;
  if (!state.download) choose_body_target(state);  // a 2xx answer without a body: an empty file
  std::FILE* file = state.download.release();
  if (file != nullptr && std::fclose(file) != 0) {
    const int error = errno;
    std::remove(state.download_to->c_str());
    throw BabyAPIError("Cannot write the answer to \"" + *state.download_to +
                       "\" (download_to): " + std::strerror(error));
  }
}

void throw_transfer_error(CURLcode code, const TransferState& state, const std::string& url) {
  const std::string origin = origin_of(url);
  if (code == CURLE_ABORTED_BY_CALLBACK && state.stalled) {
    throw TransferError<APITimeoutError>(
        "Request to " + origin + " stalled: no byte moved in either direction for " +
            std::to_string(state.idle_timeout.count()) +
            " ms. Raise ClientOptions::timeout (or RequestOptions::timeout) if the server needs "
            "longer",
        TransferTraits{true, true});
  }
  std::string detail =
      state.error_buffer[0] != '\0' ? state.error_buffer : curl_easy_strerror(code);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  if (code == CURLE_OPERATION_TIMEDOUT && state.deadline_bound) {
    // Retrying cannot help: every further attempt shares the same deadline.
    throw TransferError<APITimeoutError>(
        "Request to " + origin + " passed the call's total_timeout: " + detail,
        TransferTraits{false, true});
  }
  const TransferOutcome outcome = classify_transfer(code);
  const std::string message = transfer_error_message(outcome, origin, detail);
  const TransferTraits traits{outcome.retryable, outcome.maybe_sent};
  switch (outcome.error_class) {
    case TransferErrorClass::kTimeout:
      throw TransferError<APITimeoutError>(message, traits);
    case TransferErrorClass::kConnection:
    case TransferErrorClass::kTls:
      throw TransferError<APIConnectionError>(message, traits);
    case TransferErrorClass::kConfiguration:
    case TransferErrorClass::kLocal:
      break;
  }
  throw TransferError<BabyAPIError>(message, traits);
}

}  // namespace babyapi::detail
