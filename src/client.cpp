#include "babyapi/client.hpp"

#include "babyapi/errors.hpp"
#include "client_core.hpp"
#include "options_resolve.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

CorePtr make_core(ClientOptions options) {
  ClientOptions resolved = detail::resolve_options(std::move(options));
  std::shared_ptr<Transport> transport = resolved.transport;
  if (!transport) {
    transport = detail::make_curl_transport(detail::TransportConfig{
        resolved.ca_info, resolved.ca_path, resolved.proxy, resolved.max_connections});
  }
  return std::make_shared<detail::ClientCore>(std::move(resolved), std::move(transport));
}

}  // namespace

CorePtr::Pin CorePtr::operator->() const {
  if (!core_) {
    throw BabyAPIError(
        "This Client (or resource) was moved from and can no longer make calls; use the Client "
        "it was moved to");
  }
  return Pin(core_);
}

Client::Client() : Client(ClientOptions{}) {}

Client::Client(ClientOptions options) : Client(make_core(std::move(options))) {}

Client::Client(CorePtr core)
    : core_(std::move(core)),
      chat(core_),
      completions(core_),
      embeddings(core_),
      rerank(core_),
      baby(core_),
      models(core_),
      docling(core_) {}

Client Client::with_options(const RequestOptions& overrides) const {
  if (overrides.on_upload_progress || !overrides.download_to.empty() || overrides.keep_text ||
      overrides.cancel) {
    throw BabyAPIError(
        "Client::with_options takes timeout, max_retries, headers and total_timeout; "
        "on_upload_progress, download_to, keep_text and cancel belong to single calls");
  }
  return Client(CorePtr(core_->view(overrides)));
}

Client::~Client() {
  if (core_) core_.shared()->shutdown_engine();
}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Response Client::infer(const Json& params, const RequestOptions& request_options) {
  const bool chat_like = params.is_object() && params.contains("messages");
  const bool completion_like = params.is_object() && params.contains("prompt");
  if (chat_like == completion_like) {
    throw BabyAPIError(chat_like ? "client.infer: give either \"messages\" (chat) or \"prompt\" "
                                   "(completion), not both"
                                 : "client.infer: params need \"messages\" (chat) or \"prompt\" "
                                   "(completion)");
  }
  return chat_like ? chat.completions.create(params, request_options)
                   : completions.create(params, request_options);
}

Response Client::get(std::string_view path, const RequestOptions& request_options) {
  return core_->request("GET", path, nullptr, request_options);
}

Response Client::post(std::string_view path, const Json& body,
                      const RequestOptions& request_options) {
  return core_->request("POST", path, &body, request_options);
}

Future<Response> Client::infer_async(const Json& params, const RequestOptions& request_options) {
  const bool chat_like = params.is_object() && params.contains("messages");
  const bool completion_like = params.is_object() && params.contains("prompt");
  if (chat_like == completion_like) (void)infer(params, request_options);  // throws the mistake
  return chat_like ? chat.completions.create_async(params, request_options)
                   : completions.create_async(params, request_options);
}

Future<Response> Client::get_async(std::string_view path, const RequestOptions& request_options) {
  return core_->request_async("GET", path, nullptr, request_options);
}

Future<Response> Client::post_async(std::string_view path, const Json& body,
                                    const RequestOptions& request_options) {
  return core_->request_async("POST", path, &body, request_options);
}

const ClientOptions& Client::options() const { return core_->options(); }

void Client::close() {
  if (core_) core_->close();
}

BABYAPI_NAMESPACE_END
