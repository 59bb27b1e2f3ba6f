#include "babyapi/json_view.hpp"

#include <ostream>

#include "babyapi/errors.hpp"

BABYAPI_NAMESPACE_BEGIN
namespace {

// RFC 6901: "~" and "/" inside a key are written "~0" and "~1".
void append_pointer_token(std::string& path, std::string_view token) {
  path += '/';
  for (const char c : token) {
    if (c == '~') {
      path += "~0";
    } else if (c == '/') {
      path += "~1";
    } else {
      path += c;
    }
  }
}

std::string shown_path(const std::string& path) { return path.empty() ? "/" : path; }

[[noreturn]] void throw_access(const std::string& message, const JsonViewOrigin* origin) {
  ErrorDetails details;
  if (origin != nullptr) {
    details.status = origin->status;
    details.request_id = origin->request_id;
  }
  throw JsonAccessError(message, std::move(details));
}

}  // namespace

JsonView::JsonView(const Json& value, std::shared_ptr<const JsonViewOrigin> origin,
                   std::string path)
    : node_(&value), origin_(std::move(origin)), path_(std::move(path)) {}

std::string JsonView::child_path(std::string_view key) const {
  std::string path = path_;
  append_pointer_token(path, key);
  return path;
}

void JsonView::require_object(std::string_view key) const {
  if (!node_->is_object()) {
    throw_access("Expected a JSON object at " + shown_path(path_) + " to read \"" +
                     std::string(key) + "\", found " + node_->type_name(),
                 origin_.get());
  }
}

JsonView JsonView::operator[](std::string_view key) const {
  require_object(key);
  const auto found = node_->find(key);
  if (found == node_->end()) {
    throw_access("No key \"" + std::string(key) + "\" in the JSON object at " + shown_path(path_),
                 origin_.get());
  }
  return JsonView(*found, origin_, child_path(key));
}

JsonView JsonView::element(std::size_t index) const {
  if (!node_->is_array()) {
    throw_access("Expected a JSON array at " + shown_path(path_) + " to read element " +
                     std::to_string(index) + ", found " + node_->type_name(),
                 origin_.get());
  }
  if (index >= node_->size()) throw_index(static_cast<long long>(index));
  return JsonView((*node_)[index], origin_, path_ + '/' + std::to_string(index));
}

void JsonView::throw_index(long long index) const {
  if (!node_->is_array()) {
    throw_access("Expected a JSON array at " + shown_path(path_) + " to read element " +
                     std::to_string(index) + ", found " + node_->type_name(),
                 origin_.get());
  }
  throw_access("Index " + std::to_string(index) + " is out of range at " + shown_path(path_) +
                   " (the array has " + std::to_string(node_->size()) + " elements)",
               origin_.get());
}

void JsonView::throw_type(const char* what) const {
  throw_access("Wrong JSON type at " + shown_path(path_) + ": found " + node_->type_name() + " (" +
                   what + ")",
               origin_.get());
}

JsonView::iterator JsonView::begin() const {
  return iterator(node_->cbegin(), 0, node_->is_object(), origin_, path_);
}

JsonView::iterator JsonView::end() const {
  return iterator(node_->cend(), node_->size(), node_->is_object(), origin_, path_);
}

const JsonView& JsonView::iterator::operator*() const {
  if (!current_) {
    std::string path = parent_path_;
    if (in_object_) {
      append_pointer_token(path, position_.key());
    } else {
      path += '/';
      path += std::to_string(index_);
    }
    current_.emplace(*position_, origin_, std::move(path));
  }
  return *current_;
}

std::ostream& operator<<(std::ostream& out, const JsonView& view) { return out << view.json(); }

BABYAPI_NAMESPACE_END
