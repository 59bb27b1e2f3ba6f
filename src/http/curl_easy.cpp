#include "http/curl_easy.hpp"

#include <mutex>
#include <string_view>

#include "babyapi/errors.hpp"
#include "util/strings.hpp"

namespace babyapi::detail {

void ensure_curl_global_init() {
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
    take_header_line(state, data, size * count);
    return size * count;
  } catch (...) {
    state.error = std::current_exception();
    return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
  }
}

size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
  auto& state = *static_cast<TransferState*>(user);
  try {
    state.body.append(data, size * count);
    return size * count;
  } catch (...) {
    state.error = std::current_exception();
    return 0;
  }
}

int on_progress(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t ultotal,
                curl_off_t ulnow) noexcept {
  auto& state = *static_cast<TransferState*>(user);
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
    return 1;  // non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK
  }
}

HeaderSlist header_list(const HeaderList& headers) {
  HeaderSlist list;
  for (const auto& [name, value] : headers) {
    // "Name;" is libcurl's way to send a header with an empty value.
    std::string line = name;
    if (value.empty()) {
      line += ';';
    } else {
      line += ": ";
      line += value;
    }
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    if (grown == nullptr) throw std::bad_alloc();
    (void)list.release();
    list.reset(grown);
  }
  // JSON bodies are small; waiting for "100 Continue" would only add a round trip.
  curl_slist* grown = curl_slist_append(list.get(), "Expect:");
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();
  list.reset(grown);
  return list;
}

MimeHandle build_mime(CURL* h, const Form& form) {
  MimeHandle mime(curl_mime_init(h));
  if (!mime) throw std::bad_alloc();
  for (const FormPart& part : form) {
    curl_mimepart* field = curl_mime_addpart(mime.get());
    if (field == nullptr) throw std::bad_alloc();
    curl_mime_name(field, part.name.c_str());
    if (part.is_file && !part.path.empty()) {
      // libcurl reads the file as it sends it: the upload never sits in memory.
      if (curl_mime_filedata(field, part.path.c_str()) != CURLE_OK) {
        throw BabyAPIError("Cannot read \"" + part.path + "\" for upload");
      }
    } else {
      curl_mime_data(field, part.value.data(), part.value.size());
    }
    if (part.is_file) {
      curl_mime_filename(field, part.filename.c_str());
      if (!part.content_type.empty()) curl_mime_type(field, part.content_type.c_str());
    }
  }
  return mime;
}

}  // namespace

TransferResources configure_easy(CURL* h, const HttpRequest& request, const TransportConfig& config,
                                 TransferState& state) {
  TransferResources resources;
  resources.headers = header_list(request.headers);
  curl_slist* headers = resources.headers.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, state.error_buffer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
  // As Python's httpx does: compressed answers, but not brotli, which some servers spend far more
  // time producing (cpp-httplib at its default quality: ~20 ms for a 260-byte answer).
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // never carry credentials elsewhere
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!config.ca_info.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config.ca_info.c_str());
  if (!config.ca_path.empty()) curl_easy_setopt(h, CURLOPT_CAPATH, config.ca_path.c_str());
  if (config.proxy) curl_easy_setopt(h, CURLOPT_PROXY, config.proxy->c_str());
  if (request.timeout.count() > 0) {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  }
  if (request.idle_timeout.count() > 0) {
    // Fewer than 1 byte/s for that many (whole) seconds: a stall, not a slow but live transfer.
    const long seconds = static_cast<long>((request.idle_timeout.count() + 999) / 1000);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, seconds);
  }
  if (request.connect_timeout.count() > 0) {
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connect_timeout.count()));
  }

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.form) {
    resources.mime = build_mime(h, *request.form);
    curl_easy_setopt(h, CURLOPT_MIMEPOST, resources.mime.get());
  } else {
    if (request.method != "POST") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  }

  if (request.on_upload_progress) {
    state.on_upload_progress = &request.on_upload_progress;
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &state);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }
  return resources;
}

void throw_transfer_error(CURLcode code, const TransferState& state, const std::string& url) {
  std::string detail =
      state.error_buffer[0] != '\0' ? state.error_buffer : curl_easy_strerror(code);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  const std::string message = "Connection error talking to " + origin_of(url) + ": " + detail;
  if (code == CURLE_OPERATION_TIMEDOUT) {
    throw APITimeoutError("Request timed out talking to " + origin_of(url) + ": " + detail);
  }
  throw APIConnectionError(message);
}

}  // namespace babyapi::detail
