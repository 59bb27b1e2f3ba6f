// The OpenAI-compatible JSON resources: thin shapes over detail::ClientCore::request.
#include <cstdint>
#include <cstring>

#include "babyapi/chat.hpp"
#include "babyapi/completions.hpp"
#include "babyapi/embeddings.hpp"
#include "babyapi/errors.hpp"
#include "babyapi/models.hpp"
#include "babyapi/rerank.hpp"
#include "client_core.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

// create() reads one JSON answer; a streamed answer needs stream(). Caught before anything is sent.
// Also warns about vLLM's removed guided_* keys, as every generation call does.
void refuse_stream_flag(const CorePtr& core, const Json& params, const char* resource) {
  detail::warn_removed_guided_keys(core, params);
  if (params.is_object()) {
    const auto found = params.find("stream");
    if (found != params.end() && *found == true) {
      throw BabyAPIError(std::string(resource) + ".create() was given \"stream\": true; call " +
                         resource +
                         ".stream(params) to read a streamed answer (it sets \"stream\" itself)");
    }
  }
}

}  // namespace

Response ChatCompletions::create(const Json& params, const RequestOptions& request_options) const {
  refuse_stream_flag(core_, params, "chat.completions");
  return core_->request("POST", "/v1/chat/completions", &params, request_options);
}

Stream ChatCompletions::stream(const Json& params, const RequestOptions& request_options) const {
  detail::warn_removed_guided_keys(core_, params);
  return core_->stream("/v1/chat/completions", params, request_options);
}

Stream Completions::stream(const Json& params, const RequestOptions& request_options) const {
  detail::warn_removed_guided_keys(core_, params);
  return core_->stream("/v1/completions", params, request_options);
}

Response Completions::create(const Json& params, const RequestOptions& request_options) const {
  refuse_stream_flag(core_, params, "completions");
  return core_->request("POST", "/v1/completions", &params, request_options);
}

// The async and batch forms, the same for each resource that POSTs params to one path.
#define BABYAPI_ASYNC_FORMS(Resource, path, name)                                          \
  Future<Response> Resource::create_async(const Json& params,                              \
                                          const RequestOptions& request_options) const {   \
    refuse_stream_flag(core_, params, name);                                               \
    return core_->request_async("POST", path, &params, request_options);                   \
  }                                                                                        \
  std::vector<Result<Response>> Resource::create_many(std::vector<Json> params,            \
                                                      const BatchOptions& options) const { \
    for (const Json& item : params) refuse_stream_flag(core_, item, name);                 \
    return core_->request_many(path, std::move(params), options);                          \
  }

BABYAPI_ASYNC_FORMS(ChatCompletions, "/v1/chat/completions", "chat.completions")
BABYAPI_ASYNC_FORMS(Completions, "/v1/completions", "completions")
BABYAPI_ASYNC_FORMS(Embeddings, "/v1/embeddings", "embeddings")
BABYAPI_ASYNC_FORMS(Rerank, "/v1/rerank", "rerank")
#undef BABYAPI_ASYNC_FORMS

Future<void> ChatCompletions::stream_async(const Json& params,
                                           std::function<void(const SSEEvent&)> on_event,
                                           const RequestOptions& request_options) const {
  detail::warn_removed_guided_keys(core_, params);
  return core_->stream_async("/v1/chat/completions", params, std::move(on_event), request_options);
}

Future<void> Completions::stream_async(const Json& params,
                                       std::function<void(const SSEEvent&)> on_event,
                                       const RequestOptions& request_options) const {
  detail::warn_removed_guided_keys(core_, params);
  return core_->stream_async("/v1/completions", params, std::move(on_event), request_options);
}

Response Embeddings::create(const Json& params, const RequestOptions& request_options) const {
  return core_->request("POST", "/v1/embeddings", &params, request_options);
}

Response Rerank::create(const Json& params, const RequestOptions& request_options) const {
  return core_->request("POST", "/v1/rerank", &params, request_options);
}

Response Models::list(const RequestOptions& request_options) const {
  return core_->request("GET", "/v1/models", nullptr, request_options);
}

Response Models::retrieve(std::string_view id, const RequestOptions& request_options) const {
  if (id.empty()) throw BabyAPIError("models.retrieve: the model id must not be empty");
  return core_->request("GET", "/v1/models/" + detail::percent_encode_segment(id), nullptr,
                        request_options);
}

std::vector<float> decode_embedding(const Json& item) {
  const Json& value = item.is_object() ? item.value("embedding", Json()) : item;
  std::vector<float> vector;
  if (value.is_array()) {
    vector.reserve(value.size());
    for (const Json& number : value) {
      if (!number.is_number()) {
        throw BabyAPIError("decode_embedding: the embedding array holds a non-number: " +
                           number.dump());
      }
      vector.push_back(number.get<float>());
    }
    return vector;
  }
  if (value.is_string()) {
    const auto bytes = detail::base64_decode(value.get_ref<const std::string&>());
    if (!bytes) throw BabyAPIError("decode_embedding: the embedding string is not valid base64");
    if (bytes->size() % 4 != 0) {
      throw BabyAPIError("decode_embedding: base64 embedding of " + std::to_string(bytes->size()) +
                         " bytes is not a whole number of float32 values");
    }
    vector.resize(bytes->size() / 4);
    for (size_t i = 0; i < vector.size(); ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(bytes->data() + i * 4);
      const std::uint32_t bits = std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) |
                                 (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
      std::memcpy(&vector[i], &bits, sizeof(float));
    }
    return vector;
  }
  throw BabyAPIError(
      "decode_embedding: expected an embedding (array of numbers or base64 string), got " +
      std::string(value.type_name()));
}

BABYAPI_NAMESPACE_END
