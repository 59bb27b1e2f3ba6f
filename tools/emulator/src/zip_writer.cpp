// ZIP: per file a local header and the bytes (stored, or raw deflate), then the central
// directory (one record per file pointing back at its local header) and the
// end-of-central-directory record. Layout from PKWARE's APPNOTE.TXT, sections 4.3.7 (local
// header), 4.3.12 (central directory), 4.3.16 (end record) and 4.4.5 (method 8, deflate).
#include "zip_writer.hpp"

#include <zlib.h>

#include <array>
#include <stdexcept>

namespace emu {
namespace {

constexpr std::uint16_t kVersion = 20;          // 2.0: the oldest reader that handles our entries
constexpr std::uint16_t kUtf8Names = 1u << 11;  // general purpose flag bit 11
constexpr std::uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01, the DOS epoch

void put16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}

void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

std::uint32_t checked32(std::size_t n) {
  if (n > 0xFFFFFFFFu) throw std::length_error("zip entry or archive over 4 GiB");
  return static_cast<std::uint32_t>(n);
}

// The fields the local header and the central record share, from "version needed" to the
// extra field length.
void put_common(std::string& out, bool deflated, std::uint32_t crc, std::uint32_t packed,
                std::uint32_t size, std::size_t name_len) {
  put16(out, kVersion);
  put16(out, kUtf8Names);
  put16(out, deflated ? 8 : 0);  // method: deflate or stored
  put16(out, 0);                 // time 00:00:00
  put16(out, kDosDate);
  put32(out, crc);
  put32(out, packed);  // compressed size
  put32(out, size);
  if (name_len > 0xFFFF) throw std::length_error("zip entry name too long");
  put16(out, static_cast<std::uint32_t>(name_len));
  put16(out, 0);  // no extra field
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char ch : bytes) c = table[(c ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// Raw deflate (no zlib header), as ZIP's method 8 holds it.
std::string raw_deflate(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  return zip_archive(files, false);
}

std::string zip_archive(const std::vector<std::pair<std::string, std::string>>& files,
                        bool deflate) {
  if (files.size() > 0xFFFF) throw std::length_error("too many zip entries");
  std::string out;
  std::string directory;
  for (const auto& [name, content] : files) {
    const std::uint32_t offset = checked32(out.size());
    const std::uint32_t crc = crc32(content);
    const std::uint32_t size = checked32(content.size());
    const std::string packed = deflate ? raw_deflate(content) : std::string();
    const std::uint32_t packed_size = deflate ? checked32(packed.size()) : size;

    put32(out, 0x04034b50);  // local file header
    put_common(out, deflate, crc, packed_size, size, name.size());
    out += name;
    out += deflate ? packed : content;

    put32(directory, 0x02014b50);  // central directory record
    put16(directory, kVersion);    // made by: MS-DOS attributes, version 2.0
    put_common(directory, deflate, crc, packed_size, size, name.size());
    put16(directory, 0);  // no comment
    put16(directory, 0);  // disk number
    put16(directory, 0);  // internal attributes
    put32(directory, 0);  // external attributes
    put32(directory, offset);
    directory += name;
  }
  const std::uint32_t directory_offset = checked32(out.size());
  const std::uint32_t directory_size = checked32(directory.size());
  out += directory;
  put32(out, 0x06054b50);  // end of central directory
  put16(out, 0);           // this disk
  put16(out, 0);           // disk with the directory
  put16(out, static_cast<std::uint32_t>(files.size()));
  put16(out, static_cast<std::uint32_t>(files.size()));
  put32(out, directory_size);
  put32(out, directory_offset);
  put16(out, 0);  // no archive comment
  checked32(out.size());
  return out;
}

}  // namespace emu
