// JsonView: checked, read-only access into a JSON answer at any depth.
// `res["choices"][0]["message"]` never reads out of bounds and never inserts: a missing key, an
// index out of range or a wrong type throws JsonAccessError naming the JSON path, with the answer's
// status and request id. A view converts to `const Json&`, to `std::string`, `int`, ... and
// compares with `==`, so code written against plain Json keeps working.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "babyapi/config.hpp"
#include "babyapi/json.hpp"

BABYAPI_NAMESPACE_BEGIN

/// Where a view's values came from, for error messages; shared by every view into one answer.
/// When the view was taken from a temporary Response, it also owns the JSON document.
struct BABYAPI_EXPORT JsonViewOrigin {
  int status = 0;          ///< HTTP status of the answer, carried by every JsonAccessError
  std::string request_id;  ///< x-request-id of the answer, carried by every JsonAccessError
  std::shared_ptr<const Json> document;  ///< set only when the views own the document
};

/// Checked, read-only access to one value of a JSON answer, at any depth.
///
/// A view is what Response::operator[] and Response::view() give. Reading through it never reads
/// out of bounds and never inserts: a missing key, an index out of range or a wrong type throws
/// JsonAccessError naming the JSON path (`/choices/0/message`), with the answer's status and
/// request id. A view converts to `const Json&`, to `std::string`, `int`, ... and compares with
/// `==`, so code written against plain Json keeps working. Json built from a view (`Json copy =
/// res["data"][1];`, `{{"messages", res["choices"]}}`) copies the viewed value.
///
/// A view refers to its answer's JSON: it must not outlive the Response it came from, unless it
/// was taken from a temporary Response, whose document the views then own.
///
/// \code
/// babyapi::Response res = client.chat.completions.create(params);
/// std::string text = res["choices"][0]["message"]["content"];
/// int tokens = res["usage"]["total_tokens"].get<int>();
/// for (const babyapi::JsonView& choice : res["choices"]) {
///   if (choice["finish_reason"] == "length") std::cout << "cut: " << choice["index"] << "\n";
/// }
/// try {
///   res["choices"][7];
/// } catch (const babyapi::JsonAccessError& error) {
///   std::cerr << error.what() << "\n";  // Index 7 is out of range at /choices ...
/// }
/// \endcode
class BABYAPI_EXPORT JsonView {
 public:
  class iterator;

  /// A view of value, which must outlive the view unless origin owns it. path is a JSON pointer.
  /// Response makes views; code of its own rarely needs this.
  /// \param value the viewed JSON value
  /// \param origin the answer's status and request id (and maybe its document), for errors
  /// \param path the JSON pointer of value within the answer ("" for the whole body)
  JsonView(const Json& value, std::shared_ptr<const JsonViewOrigin> origin, std::string path = {});

  /// The member named key of an object; throws JsonAccessError when this is not an object or the
  /// key is absent.
  /// \throws JsonAccessError when this is not an object or has no member named key
  JsonView operator[](std::string_view key) const;
  /// \overload
  JsonView operator[](const char* key) const { return (*this)[std::string_view(key)]; }
  /// The element at index of an array; throws JsonAccessError when this is not an array or the
  /// index is out of range (negative included).
  /// \throws JsonAccessError when this is not an array or index is out of range
  template <class Index,
            std::enable_if_t<std::is_integral_v<Index> && !std::is_same_v<Index, bool>, int> = 0>
  JsonView operator[](Index index) const {
    if (index < 0) throw_index(static_cast<long long>(index));
    return element(static_cast<std::size_t>(index));
  }
  /// The member named key, as operator[](std::string_view) gives it.
  /// \throws JsonAccessError when this is not an object or has no member named key
  JsonView at(std::string_view key) const { return (*this)[key]; }
  /// The element at index, as operator[](Index) gives it.
  /// \throws JsonAccessError when this is not an array or index is out of range
  JsonView at(std::size_t index) const { return element(index); }

  /// The plain value, for code that takes `const Json&`.
  const Json& json() const noexcept { return *node_; }
  /// The plain value, implicitly: a view passes wherever `const Json&` is expected.
  operator const Json&() const noexcept { return *node_; }  // NOLINT(google-explicit-constructor)

  /// The value as T; throws JsonAccessError when it is not convertible (a number as a string).
  /// A number that does not fit T (1e50 as int, -1 as unsigned) is a wrong type too.
  /// \throws JsonAccessError when the value does not convert to T
  template <class T>
  T get() const {
    // nlohmann converts numbers with a plain cast, which is undefined behaviour when the value
    // does not fit (a float of 1e50 as int): such a value is a wrong type here.
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      if (node_->is_number() && !fits<T>())
        throw_type("the number does not fit the requested type");
    }
    try {
      return node_->get<T>();
    } catch (const Json::exception& error) {
      throw_type(error.what());
    }
  }
  /// Stores the value as T in out, as get<T>() converts it.
  /// \throws JsonAccessError when the value does not convert to T (out is then left unchanged)
  template <class T>
  void get_to(T& out) const {
    out = get<T>();
  }
  /// A reference to the stored value, as in get_ref<const std::string&>(); throws JsonAccessError
  /// on a wrong type.
  /// \throws JsonAccessError when the value is not of the referenced type
  template <class Ref>
  Ref get_ref() const {
    static_assert(std::is_reference_v<Ref> && std::is_const_v<std::remove_reference_t<Ref>>,
                  "a view is read-only: use get_ref<const T&>()");
    try {
      return node_->get_ref<Ref>();
    } catch (const Json::exception& error) {
      throw_type(error.what());
    }
  }

  /// Implicit conversion to T, as get<T>() converts: `std::string text =
  /// res["choices"][0]["message"]["content"];`, `int n = res["usage"][...]`.
  /// \throws JsonAccessError when the value does not convert to T
  template <class T,
            std::enable_if_t<
                !std::is_pointer_v<T> && !std::is_same_v<T, Json> && !std::is_same_v<T, JsonView> &&
                    !std::is_same_v<T, std::nullptr_t> && !std::is_same_v<T, std::string_view> &&
                    !std::is_same_v<T, std::initializer_list<char>> && !std::is_same_v<T, char>,
                int> = 0>
  operator T() const {  // NOLINT(google-explicit-constructor)
    return get<T>();
  }

  /// Like Json::value: the member, converted, or default_value when absent. A present member of the
  /// wrong type throws JsonAccessError; a non-object throws too (Json::value does the same).
  /// \throws JsonAccessError when this is not an object, or the member does not convert to T
  template <class T>
  T value(std::string_view key, const T& default_value) const {
    require_object(key);
    const auto found = node_->find(key);
    if (found == node_->end()) return default_value;
    return JsonView(*found, origin_, child_path(key)).get<T>();
  }
  /// \overload
  /// The string form, so that `view.value("name", "")` gives a std::string.
  std::string value(std::string_view key, const char* default_value) const {
    return value<std::string>(key, std::string(default_value));
  }

  /// True when this is an object with a member named key; false for any other value.
  bool contains(std::string_view key) const noexcept {
    return node_->is_object() && node_->contains(key);
  }
  /// The number of elements of an array or members of an object; 0 for null, 1 for any other
  /// value (as Json::size()).
  std::size_t size() const noexcept { return node_->size(); }
  /// True for null and for an empty array or object (as Json::empty()).
  bool empty() const noexcept { return node_->empty(); }
  /// The value serialized as JSON text: compact by default, pretty-printed with indent spaces per
  /// level when indent >= 0 (as Json::dump()).
  std::string dump(int indent = -1) const { return node_->dump(indent); }
  /// The value's JSON type.
  Json::value_t type() const noexcept { return node_->type(); }
  /// The value's JSON type as text ("object", "array", "string", "number", ...).
  const char* type_name() const noexcept { return node_->type_name(); }
  bool is_null() const noexcept { return node_->is_null(); }      ///< True for null.
  bool is_object() const noexcept { return node_->is_object(); }  ///< True for an object.
  bool is_array() const noexcept { return node_->is_array(); }    ///< True for an array.
  bool is_string() const noexcept { return node_->is_string(); }  ///< True for a string.
  bool is_number() const noexcept { return node_->is_number(); }  ///< True for any number.
  /// True for an integer number, signed or unsigned.
  bool is_number_integer() const noexcept { return node_->is_number_integer(); }
  /// True for a floating-point number.
  bool is_number_float() const noexcept { return node_->is_number_float(); }
  bool is_boolean() const noexcept { return node_->is_boolean(); }  ///< True for true and false.
  /// True for null, a string, a number or a boolean.
  bool is_primitive() const noexcept { return node_->is_primitive(); }
  /// True for an object or an array.
  bool is_structured() const noexcept { return node_->is_structured(); }
  /// Key/value pairs of an object (as Json::items()).
  auto items() const { return node_->items(); }

  /// The JSON pointer of this value within the answer ("" for the whole body).
  const std::string& path() const noexcept { return path_; }

  /// Iteration over an array's elements or an object's values, each a checked view.
  iterator begin() const;
  /// The iterator past the last element or member.
  iterator end() const;

  template <class T>
  friend bool operator==(const JsonView& view, const T& other) {
    return view.json() == other;
  }
  template <class T>
  friend bool operator==(const T& other, const JsonView& view) {
    return other == view.json();
  }
  friend bool operator==(const JsonView& a, const JsonView& b) { return a.json() == b.json(); }
  template <class T>
  friend bool operator!=(const JsonView& view, const T& other) {
    return !(view == other);
  }
  template <class T>
  friend bool operator!=(const T& other, const JsonView& view) {
    return !(view == other);
  }
  friend bool operator!=(const JsonView& a, const JsonView& b) { return !(a == b); }
  friend BABYAPI_EXPORT std::ostream& operator<<(std::ostream& out, const JsonView& view);

 private:
  template <class T>
  bool fits() const noexcept {
    using Limits = std::numeric_limits<T>;
    if (node_->is_number_unsigned()) {
      const auto value = node_->get<std::uint64_t>();
      return std::is_floating_point_v<T> || value <= static_cast<std::uint64_t>(Limits::max());
    }
    if (node_->is_number_integer()) {
      const auto value = node_->get<std::int64_t>();
      if constexpr (std::is_floating_point_v<T>) return true;
      if constexpr (std::is_unsigned_v<T>) {
        return value >= 0 && static_cast<std::uint64_t>(value) <= Limits::max();
      } else {
        return value >= static_cast<std::int64_t>(Limits::min()) &&
               value <= static_cast<std::int64_t>(Limits::max());
      }
    }
    const double value = node_->get<double>();
    if constexpr (std::is_floating_point_v<T>) {
      return !(value > static_cast<double>(Limits::max()) ||
               value < -static_cast<double>(Limits::max()));
    } else {
      // The bounds as doubles; a value must be strictly below max + 1 after truncation.
      return value > static_cast<double>(Limits::min()) - 1.0 &&
             value < static_cast<double>(Limits::max()) + 1.0;
    }
  }
  JsonView element(std::size_t index) const;
  void require_object(std::string_view key) const;
  std::string child_path(std::string_view key) const;
  [[noreturn]] void throw_index(long long index) const;
  [[noreturn]] void throw_type(const char* what) const;

  const Json* node_;
  std::shared_ptr<const JsonViewOrigin> origin_;
  std::string path_;
};

/// A forward iterator whose elements are checked views; `for (const Json& x : view)` and
/// `for (auto& x : view)` both work. Each element's path() names its position (`/data/2`, or
/// `/choices/0/message/role` for an object's member).
class BABYAPI_EXPORT JsonView::iterator {
 public:
  using iterator_category = std::forward_iterator_tag;  ///< a multi-pass iterator
  using value_type = JsonView;                          ///< each element is a checked view
  using difference_type = std::ptrdiff_t;               ///< the distance between two positions
  using pointer = const JsonView*;                      ///< what operator->() returns
  using reference = const JsonView&;                    ///< what operator*() returns

  /// Made by JsonView::begin() and end(); code of its own has no need to call it.
  iterator(Json::const_iterator position, std::size_t index, bool in_object,
           std::shared_ptr<const JsonViewOrigin> origin, std::string parent_path)
      : position_(position),
        index_(index),
        in_object_(in_object),
        origin_(std::move(origin)),
        parent_path_(std::move(parent_path)) {}
  /// The view at this position, made at the first call and kept until the iterator moves.
  reference operator*() const;
  /// Member access on the view at this position.
  pointer operator->() const { return &**this; }
  /// Moves to the next element (pre-increment).
  iterator& operator++() {
    ++position_;
    ++index_;
    current_.reset();
    return *this;
  }
  /// Moves to the next element and returns the position before (post-increment).
  iterator operator++(int) {
    iterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const iterator& a, const iterator& b) {
    return a.position_ == b.position_;
  }
  friend bool operator!=(const iterator& a, const iterator& b) { return !(a == b); }

 private:
  Json::const_iterator position_;
  std::size_t index_;
  bool in_object_;
  std::shared_ptr<const JsonViewOrigin> origin_;
  std::string parent_path_;
  mutable std::optional<JsonView> current_;  ///< the view handed out for this position
};

BABYAPI_NAMESPACE_END

/// \cond INTERNAL
/// Json built from a view (`Json copy = res["data"][1];`, `{{"messages", res["choices"]}}`) copies
/// the viewed value. Without this nlohmann would take a view for a string, since it converts to
/// one.
template <>
struct nlohmann::adl_serializer<babyapi::JsonView> {
  static void to_json(babyapi::Json& out, const babyapi::JsonView& view) { out = view.json(); }
};
/// \endcond
