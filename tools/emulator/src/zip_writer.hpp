// A minimal ZIP archive writer for docling-serve's archive answers: entries are stored by default,
// so any unzip tool (or a test) can read them back; deflated on request, as docling-serve's
// shutil.make_archive writes them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emu {

// CRC-32 (the IEEE polynomial ZIP uses) of bytes.
std::uint32_t crc32(std::string_view bytes);

// The bytes of a ZIP archive holding the files (name, content) in the order given. Every entry
// is stored (method 0) with a fixed 1980-01-01 timestamp, so equal input gives equal bytes, and
// names are flagged as UTF-8. No ZIP64: every size and offset must stay below 4 GiB.
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& files);
// The same with each entry stored, or (deflate) compressed with raw deflate (method 8).
std::string zip_archive(const std::vector<std::pair<std::string, std::string>>& files,
                        bool deflate);

}  // namespace emu
