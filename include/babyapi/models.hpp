// client.models: the models BabyAPI serves (GET /v1/models, GET /v1/models/{id}).
#pragma once

#include <string_view>

#include "babyapi/config.hpp"
#include "babyapi/core_fwd.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"

BABYAPI_NAMESPACE_BEGIN

/// The models BabyAPI serves (GET /v1/models, GET /v1/models/{id}), as `client.models`.
///
/// \code
/// for (const babyapi::Json& model : client.models.list()["data"]) {
///   std::cout << model["id"] << "\n";
/// }
/// babyapi::Response mistral = client.models.retrieve("mistral");  // NotFoundError if unknown
/// \endcode
class BABYAPI_EXPORT Models {
 public:
  /// Made by the Client, which holds one as `client.models`; code of its own uses that member and
  /// has no need to call this.
  explicit Models(CorePtr core) : core_(std::move(core)) {}
  /// res["data"] lists {"id", "object", "created", "owned_by"} entries.
  Response list(const RequestOptions& request_options = {}) const;
  /// One model; an unknown id throws NotFoundError. The id is percent-encoded into the path.
  Response retrieve(std::string_view id, const RequestOptions& request_options = {}) const;

 private:
  CorePtr core_;
};

BABYAPI_NAMESPACE_END
