// Helpers for OpenAI-style vision content: a local image as a data: URL for an image_url part.
#pragma once

#include <string>

#include "babyapi/config.hpp"

BABYAPI_NAMESPACE_BEGIN

/// "data:image/png;base64,..." for a PNG, JPEG, WebP or GIF file; the type comes from the file's
/// magic bytes, not its name. Throws BabyAPIError for an unreadable file or any other format.
BABYAPI_EXPORT std::string image_data_url(const std::string& path);

BABYAPI_NAMESPACE_END
