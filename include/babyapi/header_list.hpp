// HeaderList: the headers of an HTTP answer in the order they arrived, names as sent. Lookups
// compare names without regard to case, as HTTP requires.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "babyapi/config.hpp"

BABYAPI_NAMESPACE_BEGIN

/// An answer's headers as (name, value) pairs in the order they came; names keep the server's
/// case, and a name may repeat. Look one up with find_header (any case).
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// The first header of that name (any case), or nullptr when absent.
BABYAPI_EXPORT const std::string* find_header(const HeaderList& headers,
                                              std::string_view name) noexcept;

BABYAPI_NAMESPACE_END
