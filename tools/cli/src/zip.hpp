// Unpacks a ZIP archive held in memory (stored or deflated entries; no ZIP64, no encryption).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cli {

// Writes every file entry under dir (created as needed) and returns the paths written. Throws a
// CliError (bad input) on a malformed archive or an entry whose name would leave dir.
std::vector<std::filesystem::path> unzip(const std::string& archive,
                                         const std::filesystem::path& dir);

}  // namespace cli
