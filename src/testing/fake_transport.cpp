// babyapi::testing::FakeTransport (include/babyapi/testing.hpp). Built into babyapi_testing, not
// into babyapi itself, and written against the public API alone.
#include <fstream>
#include <utility>

#include "babyapi/errors.hpp"
#include "babyapi/testing.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace testing {
namespace {

using std::chrono::milliseconds;

std::string path_of(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t start = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return start == std::string::npos ? std::string("/") : url.substr(start);
}

std::string route_key(const std::string& method, const std::string& path) {
  return method + " " + path.substr(0, path.find('?'));
}

[[noreturn]] void throw_failure(FakeAnswer::Failure failure, const std::string& what) {
  switch (failure) {
    case FakeAnswer::Failure::kRefused:
      throw TransferError<APIConnectionError>(
          "FakeTransport: connection refused for " + what,
          TransferTraits{/*retryable=*/true, /*maybe_sent=*/false});
    case FakeAnswer::Failure::kTimeout:
      throw TransferError<APITimeoutError>("FakeTransport: timed out: " + what,
                                           TransferTraits{true, true});
    case FakeAnswer::Failure::kReset:
    case FakeAnswer::Failure::kNone:
      break;
  }
  throw TransferError<APIConnectionError>("FakeTransport: connection reset during " + what,
                                          TransferTraits{true, true});
}

void check_bound(const HttpRequest& request, std::size_t size) {
  if (request.max_response_bytes != 0 && size > request.max_response_bytes) {
    throw ResponseTooLargeError("FakeTransport: the answer is larger than max_response_bytes (" +
                                std::to_string(request.max_response_bytes) + " bytes)");
  }
}

// A scripted stream: its pieces, one per read, then the end (or the break).
class FakeStream final : public StreamTransfer {
 public:
  FakeStream(FakeAnswer answer, std::optional<CancelToken> cancel, std::string what)
      : answer_(std::move(answer)), cancel_(std::move(cancel)), what_(std::move(what)) {
    if (answer_.pieces.empty() && !answer_.body.empty()) answer_.pieces.push_back(answer_.body);
  }

  int status() const override { return answer_.status; }
  const HeaderList& headers() const override { return answer_.headers; }

  std::string_view read() override {
    check_cancelled();
    if (next_ < answer_.pieces.size()) return answer_.pieces[next_++];
    if (answer_.failure_after_pieces != FakeAnswer::Failure::kNone) {
      throw_failure(answer_.failure_after_pieces, what_);
    }
    return {};
  }

  void check_cancelled() const override {
    if (cancel_ && cancel_->cancelled()) {
      throw APIUserAbortError(
          "The call was cancelled (CancelToken::cancel); FakeTransport "
          "closed its stream");
    }
  }

 private:
  FakeAnswer answer_;
  std::optional<CancelToken> cancel_;
  std::string what_;
  std::size_t next_ = 0;
};

}  // namespace

FakeAnswer FakeAnswer::json(const Json& body, int status) {
  FakeAnswer answer;
  answer.status = status;
  answer.headers.emplace_back("content-type", "application/json");
  answer.body = body.dump();
  return answer;
}

FakeAnswer FakeAnswer::text(std::string body, std::string content_type, int status) {
  FakeAnswer answer;
  answer.status = status;
  answer.headers.emplace_back("content-type", std::move(content_type));
  answer.body = std::move(body);
  return answer;
}

FakeAnswer FakeAnswer::error(int status, std::string message, std::string type, std::string code) {
  Json error = {{"message", std::move(message)}};
  if (!type.empty()) error["type"] = std::move(type);
  if (!code.empty()) error["code"] = std::move(code);
  return json(Json{{"error", std::move(error)}}, status);
}

FakeAnswer FakeAnswer::chat(std::string content, std::string model) {
  return json(
      Json{{"id", "chatcmpl-fake"},
           {"object", "chat.completion"},
           {"created", 0},
           {"model", std::move(model)},
           {"choices",
            Json::array({{{"index", 0},
                          {"message", {{"role", "assistant"}, {"content", std::move(content)}}},
                          {"finish_reason", "stop"}}})},
           {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}}});
}

FakeAnswer FakeAnswer::sse(std::vector<std::string> pieces) {
  FakeAnswer answer;
  answer.headers.emplace_back("content-type", "text/event-stream");
  answer.pieces = std::move(pieces);
  return answer;
}

FakeAnswer FakeAnswer::events(const std::vector<Json>& chunks, bool done) {
  std::vector<std::string> pieces;
  pieces.reserve(chunks.size() + 1);
  for (const Json& chunk : chunks) pieces.push_back("data: " + chunk.dump() + "\n\n");
  if (done) pieces.emplace_back("data: [DONE]\n\n");
  return sse(std::move(pieces));
}

FakeAnswer FakeAnswer::chat_stream(const std::vector<std::string>& tokens, std::string model) {
  std::vector<Json> chunks;
  const auto chunk = [&model](Json delta, Json finish) {
    return Json{
        {"id", "chatcmpl-fake"},
        {"object", "chat.completion.chunk"},
        {"created", 0},
        {"model", model},
        {"choices",
         Json::array(
             {{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", std::move(finish)}}})}};
  };
  chunks.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
  for (const std::string& token : tokens) chunks.push_back(chunk({{"content", token}}, nullptr));
  chunks.push_back(chunk(Json::object(), "stop"));
  return events(chunks);
}

FakeAnswer FakeAnswer::refused() {
  FakeAnswer answer;
  answer.failure = Failure::kRefused;
  return answer;
}

FakeAnswer FakeAnswer::reset() {
  FakeAnswer answer;
  answer.failure = Failure::kReset;
  return answer;
}

FakeAnswer FakeAnswer::timeout() {
  FakeAnswer answer;
  answer.failure = Failure::kTimeout;
  return answer;
}

FakeAnswer& FakeAnswer::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

FakeAnswer& FakeAnswer::then_reset() {
  failure_after_pieces = Failure::kReset;
  return *this;
}

const std::string* RecordedRequest::header(std::string_view name) const noexcept {
  return find_header(headers, name);
}

Json RecordedRequest::json() const {
  try {
    return Json::parse(body);
  } catch (const Json::exception& error) {
    throw BabyAPIError("FakeTransport: the body of " + method + " " + path +
                       " is not JSON: " + error.what());
  }
}

FakeTransport::FakeTransport()
    : now_(std::chrono::steady_clock::time_point{} + std::chrono::hours(1)) {}

FakeTransport& FakeTransport::push(FakeAnswer answer) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_back(std::move(answer));
  return *this;
}

FakeTransport& FakeTransport::on(std::string method, std::string path, FakeAnswer answer) {
  std::lock_guard<std::mutex> lock(mutex_);
  routes_[route_key(method, path)].push_back(std::move(answer));
  return *this;
}

FakeTransport& FakeTransport::repeat_last(bool repeat) {
  std::lock_guard<std::mutex> lock(mutex_);
  repeat_last_ = repeat;
  return *this;
}

std::vector<RecordedRequest> FakeTransport::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

RecordedRequest FakeTransport::last_request() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (requests_.empty()) throw BabyAPIError("FakeTransport: no request was made");
  return requests_.back();
}

std::size_t FakeTransport::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

std::size_t FakeTransport::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t count = queue_.size();
  for (const auto& route : routes_) count += route.second.size();
  return count;
}

std::chrono::steady_clock::time_point FakeTransport::now() const {
  std::function<std::chrono::steady_clock::time_point()> clock;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!clock_) return now_;
    clock = clock_;
  }
  return clock();
}

void FakeTransport::sleep(milliseconds delay) {
  std::function<void(milliseconds)> sleeper;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sleeps_.push_back(delay);
    if (!sleeper_) {
      now_ += delay;
      return;
    }
    sleeper = sleeper_;
  }
  sleeper(delay);
}

void FakeTransport::advance(milliseconds delay) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ += delay;
}

std::vector<milliseconds> FakeTransport::sleeps() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sleeps_;
}

void FakeTransport::set_clock(std::function<std::chrono::steady_clock::time_point()> clock) {
  std::lock_guard<std::mutex> lock(mutex_);
  clock_ = std::move(clock);
}

void FakeTransport::set_sleeper(std::function<void(milliseconds)> sleeper) {
  std::lock_guard<std::mutex> lock(mutex_);
  sleeper_ = std::move(sleeper);
}

FakeAnswer FakeTransport::take(const HttpRequest& request, bool stream, milliseconds idle) {
  RecordedRequest record;
  record.method = request.method;
  record.url = request.url;
  record.path = path_of(request.url);
  record.headers = request.headers;
  record.body = request.body;
  if (request.form) record.form = *request.form;
  record.stream = stream;
  record.timeout = request.timeout;
  record.idle_timeout = stream ? idle : request.idle_timeout;
  const std::string key = route_key(record.method, record.path);

  std::lock_guard<std::mutex> lock(mutex_);
  requests_.push_back(std::move(record));
  const auto next = [this](std::deque<FakeAnswer>& answers) {
    FakeAnswer answer = answers.front();
    if (answers.size() > 1 || !repeat_last_) answers.pop_front();
    return answer;
  };
  if (auto route = routes_.find(key); route != routes_.end() && !route->second.empty()) {
    return next(route->second);
  }
  if (!queue_.empty()) return next(queue_);
  throw BabyAPIError("FakeTransport: no answer scripted for " + key + " (request " +
                     std::to_string(requests_.size()) + ")");
}

HttpResponse FakeTransport::send(const HttpRequest& request) {
  FakeAnswer answer = take(request, false, milliseconds(0));
  const std::string what = request.method + " " + path_of(request.url);
  if (answer.failure != FakeAnswer::Failure::kNone) throw_failure(answer.failure, what);
  std::string body = std::move(answer.body);
  for (const std::string& piece : answer.pieces) body += piece;
  if (answer.failure_after_pieces != FakeAnswer::Failure::kNone) {
    throw_failure(answer.failure_after_pieces, what);
  }
  check_bound(request, body.size());
  if (request.on_upload_progress) {
    const auto sent = static_cast<std::uint64_t>(request.body.size());
    request.on_upload_progress(sent, sent);
  }
  if (!request.download_to.empty() && answer.status >= 200 && answer.status < 300) {
    std::ofstream out(request.download_to, std::ios::binary | std::ios::trunc);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    if (!out) throw BabyAPIError("FakeTransport: cannot write " + request.download_to);
    body.clear();
  }
  return HttpResponse{answer.status, std::move(answer.headers), std::move(body)};
}

std::unique_ptr<StreamTransfer> FakeTransport::open_stream(const HttpRequest& request,
                                                           milliseconds idle_timeout) {
  FakeAnswer answer = take(request, true, idle_timeout);
  const std::string what = request.method + " " + path_of(request.url);
  if (answer.failure != FakeAnswer::Failure::kNone) throw_failure(answer.failure, what);
  return std::make_unique<FakeStream>(std::move(answer), request.cancel, what);
}

ClientOptions fake_options(std::shared_ptr<FakeTransport> transport) {
  ClientOptions options;
  options.api_key = "test-key";
  options.base_url = "https://fake.babyapi.test";
  options.default_model = "mistral";
  options.transport = std::move(transport);
  return options;
}

}  // namespace testing
BABYAPI_NAMESPACE_END
