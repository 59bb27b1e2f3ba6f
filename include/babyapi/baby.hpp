// client.baby: BabyAPI's text-in, text-out convenience endpoint (POST /infer).
#pragma once

#include <string_view>

#include "babyapi/config.hpp"
#include "babyapi/core_fwd.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/options.hpp"
#include "babyapi/response.hpp"

BABYAPI_NAMESPACE_BEGIN

/// BabyAPI's own text-in, text-out endpoint (POST /infer), as `client.baby`.
///
/// \code
/// babyapi::Response out = client.baby.infer("Explain BabyAPI in one sentence.");  // default model
/// std::cout << out["output"].get<std::string>() << "\n";
/// \endcode
class BABYAPI_EXPORT Baby {
 public:
  /// Made by the Client, which holds one as `client.baby`; code of its own uses that member and
  /// has no need to call this.
  explicit Baby(CorePtr core) : core_(std::move(core)) {}

  /// params: prompt, optionally model (else ClientOptions::default_model) and generation options,
  /// at the top level or inside "options", in snake_case or camelCase (maxTokens, topP, topK,
  /// presencePenalty, frequencyPenalty). The SDK sends one canonical body: model, prompt and every
  /// option in snake_case at the top level. res["output"] holds the text, res["usage"] the counts.
  Response infer(const Json& params, const RequestOptions& request_options = {}) const;
  /// A bare prompt with the default model.
  Response infer(std::string_view prompt, const RequestOptions& request_options = {}) const;
  /// So that infer("a literal") means a prompt rather than being ambiguous with Json.
  Response infer(const char* prompt, const RequestOptions& request_options = {}) const {
    return infer(std::string_view(prompt), request_options);
  }
  /// infer() on the Client's engine thread (see Future). params is checked and normalized first,
  /// on this thread.
  /// \throws BabyAPIError at once, before any Future is made, for params
  ///         normalize_infer_params() refuses
  Future<Response> infer_async(const Json& params,
                               const RequestOptions& request_options = {}) const;
  /// A bare prompt with the default model, on the Client's engine thread.
  Future<Response> infer_async(std::string_view prompt,
                               const RequestOptions& request_options = {}) const;
  /// So that infer_async("a literal") means a prompt rather than being ambiguous with Json.
  Future<Response> infer_async(const char* prompt,
                               const RequestOptions& request_options = {}) const {
    return infer_async(std::string_view(prompt), request_options);
  }

 private:
  CorePtr core_;
};

/// The canonical /infer body for params (exposed for tests and for callers who want to see it).
/// Throws BabyAPIError when params is not an object, has no prompt, or names no model and
/// default_model is empty.
BABYAPI_EXPORT Json normalize_infer_params(const Json& params, const std::string& default_model);

BABYAPI_NAMESPACE_END
