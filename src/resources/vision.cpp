#include "babyapi/vision.hpp"

#include <fstream>
#include <iterator>

#include "babyapi/errors.hpp"
#include "util/base64.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

const char* image_type(const std::string& bytes) {
  auto starts = [&bytes](std::string_view magic, size_t at = 0) {
    return bytes.size() >= at + magic.size() &&
           std::string_view(bytes).substr(at, magic.size()) == magic;
  };
  if (starts("\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (starts("RIFF") && starts("WEBP", 8)) return "image/webp";
  return nullptr;
}

}  // namespace

std::string image_data_url(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BabyAPIError("image_data_url: cannot open \"" + path + "\"");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw BabyAPIError("image_data_url: cannot read \"" + path + "\"");
  const char* type = image_type(bytes);
  if (type == nullptr) {
    throw BabyAPIError("image_data_url: \"" + path +
                       "\" is not a PNG, JPEG, WebP or GIF image (judged by its first bytes)");
  }
  return std::string("data:") + type + ";base64," + detail::base64_encode(bytes);
}

BABYAPI_NAMESPACE_END
