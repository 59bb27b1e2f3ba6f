#include "http/form.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "babyapi/errors.hpp"

namespace babyapi::detail {
namespace {

std::string field_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();  // numbers as JSON writes them; objects and nested lists as JSON text
}

void add_field(Form& form, std::string name, const Json& value) {
  FormPart part;
  part.name = std::move(name);
  part.value = field_text(value);
  form.push_back(std::move(part));
}

// What a file that is not a regular one is, in words a user recognises.
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "is a socket";
  if (S_ISCHR(mode)) return "is a character device";
  if (S_ISBLK(mode)) return "is a block device";
  return "is not a regular file";
}

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw BabyAPIError("Cannot upload \"" + path + "\": it " + why +
                     "; only regular files can be uploaded");
}

}  // namespace

UploadFile open_upload_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) refuse(path, "does not exist");
    throw BabyAPIError("Cannot upload \"" + path + "\": it cannot be read (" +
                       std::strerror(error) + ")");
  }
  if (!S_ISREG(info.st_mode)) refuse(path, kind_of(info.st_mode));
  // O_NONBLOCK so that a FIFO swapped in after the stat cannot block the open; fstat then checks
  // what was really opened.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    throw BabyAPIError("Cannot upload \"" + path + "\": it cannot be read (" +
                       std::strerror(errno) + ")");
  }
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    refuse(path, kind_of(info.st_mode));
  }
  (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::FILE* file = ::fdopen(fd, "rb");
  if (file == nullptr) {
    ::close(fd);
    throw std::bad_alloc();
  }
  return UploadFile{file, info.st_size > 0 ? static_cast<long long>(info.st_size) : -1};
}

void check_upload_file(const std::string& path) { std::fclose(open_upload_file(path).file); }

void append_option_fields(Form& form, const Json& options, std::string_view prefix) {
  if (options.is_null()) return;
  if (!options.is_object()) throw BabyAPIError("Form options must be a JSON object");
  for (const auto& [key, value] : options.items()) {
    const std::string name = std::string(prefix) + key;
    if (value.is_null()) continue;
    if (value.is_array()) {
      for (const Json& element : value) {
        if (!element.is_null()) add_field(form, name, element);
      }
    } else {
      add_field(form, name, value);
    }
  }
}

}  // namespace babyapi::detail
