// client.embeddings: OpenAI-compatible embeddings (POST /v1/embeddings), and decode_embedding to
// read a vector back whichever encoding_format was asked for.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "babyapi/config.hpp"
#include "babyapi/core_fwd.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"

BABYAPI_NAMESPACE_BEGIN

/// One row of an EmbeddingMatrix: a view of dim() floats, valid while the matrix lives.
class BABYAPI_EXPORT EmbeddingRow {
 public:
  /// A view of the size floats at data, which must outlive it; EmbeddingMatrix::row() makes these.
  EmbeddingRow(const float* data, std::size_t size) noexcept : data_(data), size_(size) {}
  /// The row's first float; size() of them follow contiguously.
  const float* data() const noexcept { return data_; }
  /// How many floats the row has: its matrix's dim().
  std::size_t size() const noexcept { return size_; }
  /// Float i of the row, unchecked: i must be less than size().
  const float& operator[](std::size_t i) const noexcept { return data_[i]; }
  /// The first float, for range-for and the standard algorithms.
  const float* begin() const noexcept { return data_; }
  /// One past the last float.
  const float* end() const noexcept { return data_ + size_; }
  /// A copy, for code that wants its own vector.
  std::vector<float> to_vector() const { return std::vector<float>(begin(), end()); }

 private:
  const float* data_;
  std::size_t size_;
};

/// The vectors of one embeddings answer as one contiguous block of floats, row i being input i
/// (by the answer's `index`). Made by embeddings.create_matrix without a JSON tree for the numbers.
class BABYAPI_EXPORT EmbeddingMatrix {
 public:
  EmbeddingMatrix() = default;  ///< an empty matrix: no rows, no answer
  /// How many vectors the matrix holds: one per input.
  std::size_t rows() const noexcept { return rows_; }
  /// The length of every vector (the floats of one row).
  std::size_t dim() const noexcept { return dim_; }
  /// Row i, a view valid while the matrix lives.
  /// \throws BabyAPIError when i >= rows()
  EmbeddingRow row(std::size_t i) const;
  /// Row i, checked as row() is.
  /// \throws BabyAPIError when i >= rows()
  EmbeddingRow operator[](std::size_t i) const { return row(i); }
  /// All rows, row-major: rows() * dim() floats.
  const std::vector<float>& data() const noexcept { return data_; }
  /// Moves data() out of a matrix that is no longer needed (`std::move(matrix).release()`), so
  /// the floats are not copied; read nothing else of the matrix afterwards.
  std::vector<float> release() && noexcept { return std::move(data_); }
  /// The answer's usage object; null when it sent none.
  const Json& usage() const noexcept { return usage_; }
  /// The model the answer names; "" when it named none.
  const std::string& model() const noexcept { return model_; }
  /// The answer's status, headers and request id. Its body is not kept.
  const Response& response() const noexcept { return response_; }

 private:
  friend class Embeddings;
  std::vector<float> data_;
  std::size_t rows_ = 0;
  std::size_t dim_ = 0;
  Json usage_;
  std::string model_;
  Response response_;
};

/// OpenAI-compatible embeddings (POST /v1/embeddings), as `client.embeddings`.
///
/// create() gives the answer as JSON, to read with decode_embedding() whichever encoding_format
/// was asked for; create_matrix() reads every vector straight into one EmbeddingMatrix of floats,
/// without a JSON tree for the numbers. Errors are those of every call (an APIStatusError subclass
/// for an error status, APIConnectionError, ...).
///
/// \code
/// babyapi::Json params = {{"model", "qwen3-embedding"}, {"input", {"First one.", "Second one."}}};
/// babyapi::Response res = client.embeddings.create(params);
/// std::vector<float> first = babyapi::decode_embedding(res["data"][0]);
///
/// babyapi::EmbeddingMatrix matrix = client.embeddings.create_matrix(params);
/// for (std::size_t i = 0; i < matrix.rows(); ++i) std::cout << matrix[i][0] << "\n";
/// \endcode
class BABYAPI_EXPORT Embeddings {
 public:
  /// Made by the Client, which holds one as `client.embeddings`; code of its own uses that member
  /// and has no need to call this.
  explicit Embeddings(CorePtr core) : core_(std::move(core)) {}
  /// params: model, input (a string or a list of strings), and optionally encoding_format
  /// ("float" or "base64"), dimensions, truncate_prompt_tokens. Sent as given.
  Response create(const Json& params, const RequestOptions& request_options = {}) const;
  /// The same call on the Client's engine thread: returns at once; get() gives the Response or
  /// rethrows its typed error. Retries and limits are those of create().
  Future<Response> create_async(const Json& params,
                                const RequestOptions& request_options = {}) const;
  /// One call per params, at most options.max_in_flight at once, on the engine; blocks until all
  /// are done and returns their results in input order. One failed item never stops the batch.
  std::vector<Result<Response>> create_many(std::vector<Json> params,
                                            const BatchOptions& options = {}) const;

  /// The same call, answered as one matrix of floats. Without an encoding_format in params it asks
  /// for "base64" and decodes it straight into the matrix; a float answer (asked for, or sent by a
  /// server that ignores the request) is read too, item by item, either way without a JSON tree
  /// for the numbers. Throws BabyAPIError when the rows differ in length, an index is missing,
  /// repeated or out of range, or an embedding is neither numbers nor base64 float32.
  EmbeddingMatrix create_matrix(const Json& params,
                                const RequestOptions& request_options = {}) const;
  /// create_many's matrix form: one EmbeddingMatrix per params, in input order, each with its own
  /// error. The answers are read on the calling thread, not the engine's.
  std::vector<Result<EmbeddingMatrix>> create_many_matrix(std::vector<Json> params,
                                                          const BatchOptions& options = {}) const;

 private:
  static EmbeddingMatrix matrix_of(Response answer);
  CorePtr core_;
};

/// The vector of one item of res["data"] (or of its "embedding" value itself): a JSON array of
/// numbers, or base64 of little-endian float32 values. Anything else throws BabyAPIError.
BABYAPI_EXPORT std::vector<float> decode_embedding(const Json& item);

BABYAPI_NAMESPACE_END
