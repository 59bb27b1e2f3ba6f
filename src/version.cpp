// The version compiled into libbabyapi, for babyapi::version() and check_version().
#include "babyapi/version.hpp"

BABYAPI_NAMESPACE_BEGIN

const char* version() noexcept { return BABYAPI_VERSION_STRING; }

Version library_version() noexcept {
  return Version{BABYAPI_VERSION_MAJOR, BABYAPI_VERSION_MINOR, BABYAPI_VERSION_PATCH};
}

BABYAPI_NAMESPACE_END
