// embeddings.create_matrix: the request (base64 unless the caller chose), and the answer read by
// scan_embeddings straight into the matrix.

#include "babyapi/embeddings.hpp"
#include "babyapi/errors.hpp"
#include "client_core.hpp"
#include "resources/embedding_scan.hpp"

BABYAPI_NAMESPACE_BEGIN
EmbeddingRow EmbeddingMatrix::row(std::size_t i) const {
  if (i >= rows_) {
    throw BabyAPIError("EmbeddingMatrix::row(" + std::to_string(i) + ") of a matrix of " +
                       std::to_string(rows_) + " rows");
  }
  return EmbeddingRow(data_.data() + i * dim_, dim_);
}

namespace {

// params with encoding_format "base64" unless the caller chose one.
Json matrix_params(const Json& params, const char* call) {
  if (!params.is_object()) throw BabyAPIError(std::string(call) + ": params must be an object");
  if (params.contains("stream")) {
    throw BabyAPIError(std::string(call) + ": embeddings are not streamed; remove \"stream\"");
  }
  Json body = params;
  if (!body.contains("encoding_format")) body["encoding_format"] = "base64";
  return body;
}

}  // namespace

EmbeddingMatrix Embeddings::matrix_of(Response answer) {
  EmbeddingMatrix matrix;
  {
    const std::string text = detail::ClientCore::take_body(answer);
    detail::EmbeddingScan scan;
    if (!detail::scan_embeddings(text, scan)) {
      ErrorDetails details;
      details.status = answer.status();
      details.request_id = answer.request_id();
      details.headers = answer.headers();
      throw BabyAPIError("embeddings.create_matrix: " + scan.error, std::move(details));
    }
    matrix.data_ = std::move(scan.data);
    matrix.rows_ = scan.rows;
    matrix.dim_ = scan.dim;
    matrix.usage_ = std::move(scan.usage);
    matrix.model_ = std::move(scan.model);
  }
  // A float answer reserved about twice what it needed: give the rest back.
  if (matrix.data_.capacity() > matrix.data_.size() + matrix.data_.size() / 4) {
    matrix.data_.shrink_to_fit();
  }
  matrix.response_ = detail::ClientCore::without_body(std::move(answer));
  return matrix;
}

EmbeddingMatrix Embeddings::create_matrix(const Json& params,
                                          const RequestOptions& request_options) const {
  const Json body = matrix_params(params, "embeddings.create_matrix");
  detail::HttpRequest request = core_->build_json("POST", "/v1/embeddings", &body, request_options);
  request.unparsed_body = true;
  return matrix_of(core_->send(std::move(request), request_options, /*idempotent=*/true));
}

std::vector<Result<EmbeddingMatrix>> Embeddings::create_many_matrix(
    std::vector<Json> params, const BatchOptions& options) const {
  for (Json& item : params) item = matrix_params(item, "embeddings.create_many_matrix");
  std::vector<Result<Response>> answers =
      core_->request_many("/v1/embeddings", std::move(params), options, /*unparsed=*/true);
  // Read here, on the caller's thread, each answer's text released as soon as it is read.
  std::vector<Result<EmbeddingMatrix>> matrices;
  matrices.reserve(answers.size());
  for (Result<Response>& answer : answers) {
    if (!answer.ok()) {
      matrices.emplace_back(answer.error());
      continue;
    }
    try {
      matrices.emplace_back(matrix_of(std::move(answer).value()));
    } catch (...) {
      matrices.emplace_back(std::current_exception());
    }
  }
  return matrices;
}

BABYAPI_NAMESPACE_END
