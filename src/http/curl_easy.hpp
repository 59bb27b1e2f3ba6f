// Shared libcurl plumbing: global init once, RAII owners for curl handles, and the per-transfer
// state (status line, headers, stored callback exception) that both the pooled request transport
// and streams use.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "babyapi/response.hpp"
#include "http/transport.hpp"

namespace babyapi::detail {

// curl_global_init exactly once per process, thread-safely, before any handle is made; also sets
// SIGPIPE to ignored when its disposition is the default (see curl_easy.cpp for why).
void ensure_curl_global_init();

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
struct MimeDeleter {
  void operator()(curl_mime* mime) const noexcept { curl_mime_free(mime); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderSlist = std::unique_ptr<curl_slist, SlistDeleter>;
using MimeHandle = std::unique_ptr<curl_mime, MimeDeleter>;
struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

// What libcurl points into during one transfer; must outlive it.
struct TransferResources {
  HeaderSlist headers;
  MimeHandle mime;
};

// Everything one transfer's callbacks touch. Callbacks never throw: they record the exception here
// and make libcurl abort; the caller rethrows it once curl returns.
struct TransferState {
  TransferState() { headers.reserve(16); }  // an answer's usual header count, without regrowth

  int status = 0;
  HeaderList headers;
  bool headers_done = false;  // the blank line ending a final (non-1xx) header block was seen
  std::string body;
  std::exception_ptr error;
  const ProgressCallback* on_upload_progress = nullptr;
  std::uint64_t reported_sent = 0;  // last progress reported, to call back only on change
  std::uint64_t reported_total = 0;
  bool reported_any = false;
  char error_buffer[CURL_ERROR_SIZE] = {};

  // Stall detection (HttpRequest::idle_timeout): when a byte last moved, either way.
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::steady_clock::time_point last_byte = std::chrono::steady_clock::now();
  curl_off_t last_sent = 0;
  curl_off_t last_received = 0;
  bool stalled = false;  // the transfer was aborted because nothing moved for idle_timeout
  // CURLOPT_TIMEOUT_MS came from HttpRequest::deadline rather than HttpRequest::timeout.
  bool deadline_bound = false;

  std::size_t max_response_bytes = 0;  // 0 = no bound

  // HttpRequest::download_to: decided at the first body byte, once the status is known.
  const std::string* download_to = nullptr;
  bool body_target_chosen = false;
  FileHandle download;  // open while a 2xx body is written to download_to
};

// Parses one header line into state: a status line starts the header block afresh (interim 1xx
// answers and proxy CONNECT answers are discarded that way).
void take_header_line(TransferState& state, const char* data, size_t size);

// Sets every option a request needs on a (fresh or reset) easy handle. The returned resources must
// outlive the transfer, as must request and state. A form body is built afresh each time, so a
// retry sends every part again (files are re-read from disk).
TransferResources configure_easy(CURL* handle, const HttpRequest& request,
                                 const TransportConfig& config, TransferState& state);

// The warm path of blocking calls (http/curl_transport.cpp) splits configure_easy in two, so that a
// pooled handle keeps what never changes and skips curl_easy_reset:
//
// A request that leaves no option behind which the next one would not set again: GET, or POST of
// a JSON body, with no form, no upload progress and no stall bound.
bool is_plain_request(const HttpRequest& request) noexcept;
// The options that are the same for every request of a transport.
void configure_constants(CURL* handle, const TransportConfig& config);
// The options of this request, each set every time: URL, headers (owned by the caller), callback
// data, time limits and a GET or POST body. Enough on its own on a handle whose previous request
// was plain; the rest of configure_easy's options are set by configure_easy alone.
void configure_request(CURL* handle, const HttpRequest& request, curl_slist* headers,
                       TransferState& state);
// Points the handle's callback data and body away from a finished transfer before it is pooled.
void park_easy(CURL* handle) noexcept;
// The curl_slist for headers, with "Expect:" added; throws BabyAPIError for a line break or NUL.
HeaderSlist header_slist(const HeaderList& headers);

// Takes body bytes as the default write callback does: into the download_to file of a 2xx answer,
// else into state.body, bounded by max_response_bytes. Returns bytes, or 0 with state.error set.
size_t store_body(TransferState& state, const char* data, size_t bytes) noexcept;

// Installs the progress callback that checks state.idle_timeout (which may change later; 0 = no
// bound) and reports upload progress.
void watch_progress(CURL* handle, TransferState& state);

// Throws the error a failed transfer means, classified by the table in http/outcome.cpp:
// TransferError<APIConnectionError / APITimeoutError / BabyAPIError> with its TransferTraits.
[[noreturn]] void throw_transfer_error(CURLcode code, const TransferState& state,
                                       const std::string& url);

// Ends the download_to file of a transfer: on success (ok) it is closed and checked, and created
// empty when a 2xx answer had no body; after a failure a partly written file is removed, so that
// a failed call never leaves a file that looks complete. Throws BabyAPIError when writing failed.
void finish_download(TransferState& state, bool ok);

}  // namespace babyapi::detail
