#include "zip.hpp"

#include <zlib.h>

#include <cstdint>
#include <fstream>

#include "common.hpp"

namespace cli {

namespace {

std::uint32_t read_u16(const std::string& data, std::size_t at) {
  if (at + 2 > data.size()) throw input_error("ZIP answer is truncated");
  return static_cast<std::uint32_t>(static_cast<unsigned char>(data[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + 1])) << 8;
}

std::uint32_t read_u32(const std::string& data, std::size_t at) {
  return read_u16(data, at) | read_u16(data, at + 2) << 16;
}

std::string inflate_raw(const char* data, std::size_t size, std::size_t expected) {
  std::string out(expected, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw input_error("cannot start inflating");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  stream.avail_in = static_cast<uInt>(size);
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = inflate(&stream, Z_FINISH);
  const std::size_t produced = stream.total_out;
  inflateEnd(&stream);
  if (status != Z_STREAM_END || produced != expected)
    throw input_error("ZIP answer holds a damaged entry");
  return out;
}

// Rejects names that are absolute or climb out of the target directory.
std::filesystem::path safe_name(const std::string& name) {
  const std::filesystem::path path(name);
  if (name.empty() || path.is_absolute() || name.find('\\') != std::string::npos)
    throw input_error("ZIP entry with an unsafe name: " + name);
  for (const auto& part : path) {
    if (part == "..") throw input_error("ZIP entry with an unsafe name: " + name);
  }
  return path;
}

}  // namespace

std::vector<std::filesystem::path> unzip(const std::string& archive,
                                         const std::filesystem::path& dir) {
  // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB, at the end.
  if (archive.size() < 22) throw input_error("ZIP answer is too short");
  std::size_t end = std::string::npos;
  const std::size_t lowest = archive.size() > 22 + 65535 ? archive.size() - 22 - 65535 : 0;
  for (std::size_t at = archive.size() - 22 + 1; at-- > lowest;) {
    if (read_u32(archive, at) == 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end == std::string::npos) throw input_error("ZIP answer without a central directory");
  const std::uint32_t entries = read_u16(archive, end + 10);
  std::size_t at = read_u32(archive, end + 16);
  std::vector<std::filesystem::path> written;
  for (std::uint32_t i = 0; i < entries; ++i) {
    if (read_u32(archive, at) != 0x02014b50) throw input_error("ZIP central directory is damaged");
    const std::uint32_t flags = read_u16(archive, at + 8);
    const std::uint32_t method = read_u16(archive, at + 10);
    const std::uint32_t compressed = read_u32(archive, at + 20);
    const std::uint32_t size = read_u32(archive, at + 24);
    const std::uint32_t name_length = read_u16(archive, at + 28);
    const std::uint32_t extra_length = read_u16(archive, at + 30);
    const std::uint32_t comment_length = read_u16(archive, at + 32);
    const std::uint32_t local = read_u32(archive, at + 42);
    if (at + 46 + name_length > archive.size()) throw input_error("ZIP answer is truncated");
    const std::string name = archive.substr(at + 46, name_length);
    at += 46 + name_length + extra_length + comment_length;
    if (compressed == 0xffffffffu || size == 0xffffffffu || local == 0xffffffffu)
      throw input_error("ZIP64 answers are not supported");
    if ((flags & 1u) != 0) throw input_error("encrypted ZIP entries are not supported");
    if (!name.empty() && name.back() == '/') continue;  // a directory
    const std::filesystem::path relative = safe_name(name);

    if (read_u32(archive, local) != 0x04034b50) throw input_error("ZIP local header is damaged");
    const std::size_t data_at =
        local + 30 + read_u16(archive, local + 26) + read_u16(archive, local + 28);
    if (data_at + compressed > archive.size()) throw input_error("ZIP answer is truncated");
    std::string content;
    if (method == 0) {
      content = archive.substr(data_at, compressed);
    } else if (method == 8) {
      content = inflate_raw(archive.data() + data_at, compressed, size);
    } else {
      throw input_error("ZIP entry " + name + " uses an unsupported compression method");
    }
    const std::filesystem::path target = dir / relative;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw input_error("cannot write " + target.string());
    written.push_back(target);
  }
  return written;
}

}  // namespace cli
