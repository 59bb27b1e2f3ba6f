// Fuzz target for the checked access path: a Response over a fuzzed JSON body, walked by fuzzed
// steps (keys, indexes, conversions, iteration) through JsonView. Every step must agree with
// nlohmann's own reading of the value: it succeeds exactly when the value is there and of that
// type, and fails only with JsonAccessError (naming the path, carrying status and request id).
// Anything else, a crash or another exception, is a bug. Built with -DBABYAPI_FUZZ_STANDALONE it
// replays built-in seeds and any files named on its command line.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "babyapi/errors.hpp"
#include "babyapi/json_view.hpp"
#include "babyapi/response.hpp"

namespace {

using babyapi::Json;
using babyapi::JsonAccessError;
using babyapi::JsonView;
using babyapi::Response;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "json_view_fuzz: %s\n", what);
  std::abort();
}

const char* const kKeys[] = {"choices", "message", "content", "data", "a", "", "0", "~/"};

std::string pointer_token(std::string_view key) {
  std::string token = "/";
  for (char c : key) token += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return token;
}

void check_error(const JsonAccessError& error, const JsonView& at) {
  if (error.status() != 200 || error.request_id() != "req_fuzz") fail("error lost the origin");
  const std::string shown = at.path().empty() ? "/" : at.path();
  if (error.message().find(shown) == std::string::npos) fail("error does not name the path");
}

// Runs one conversion both ways: through the view and through nlohmann directly.
template <class T>
void check_get(const JsonView& view) {
  std::optional<T> expected;
  try {
    expected = view.json().get<T>();
  } catch (const Json::exception&) {
  }
  try {
    const T got = view.get<T>();
    if (!expected || !(got == *expected)) fail("get<T> disagrees with nlohmann");
  } catch (const JsonAccessError& error) {
    if (expected) fail("get<T> threw on a convertible value");
    check_error(error, view);
  }
}

// Whether a number fits int, decided here independently of JsonView. nlohmann's own get<int>
// wraps a 64-bit integer silently and is undefined behaviour for a float out of range, so the
// reference only converts numbers that fit: integers within int's range, and floats whose
// truncation toward zero lands there.
bool fits_int(const Json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>() <= 2147483647u;
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    return number >= -2147483648LL && number <= 2147483647LL;
  }
  if (!value.is_number_float()) return !value.is_number();
  const double number = value.get<double>();
  return number > -2147483649.0 && number < 2147483648.0;
}

// One step from view; returns the view to continue from.
JsonView step(const JsonView& view, unsigned op, unsigned arg) {
  const Json& node = view.json();
  switch (op % 8) {
    case 0: {  // a key: an existing one (high bit set) or one from the dictionary
      std::string key = kKeys[arg % std::size(kKeys)];
      if ((arg & 0x80) && node.is_object() && !node.empty()) {
        auto it = node.begin();
        std::advance(it, (arg & 0x7f) % node.size());
        key = it.key();
      }
      const bool present = node.is_object() && node.contains(key);
      try {
        const JsonView child = (arg & 0x40) ? view.at(key) : view[key];
        if (!present || &child.json() != &*node.find(key)) fail("a key read the wrong value");
        if (child.path() != view.path() + pointer_token(key)) fail("wrong path after a key");
        return child;
      } catch (const JsonAccessError& error) {
        if (present) fail("a present key threw");
        check_error(error, view);
        return view;
      }
    }
    case 1: {  // an index, negative ones included
      const int index = static_cast<int>(static_cast<std::int8_t>(arg));
      const bool present =
          node.is_array() && index >= 0 && static_cast<size_t>(index) < node.size();
      try {
        const JsonView child = view[index];
        if (!present || &child.json() != &node[static_cast<size_t>(index)]) {
          fail("an index read the wrong value");
        }
        if (child.path() != view.path() + "/" + std::to_string(index)) fail("wrong index path");
        return child;
      } catch (const JsonAccessError& error) {
        if (present) fail("an index in range threw");
        check_error(error, view);
        return view;
      }
    }
    case 2:
      switch (arg % 6) {
        case 0:
          check_get<std::string>(view);
          break;
        case 1:
          if (fits_int(node)) {
            check_get<int>(view);
          } else if (node.is_number()) {
            try {
              (void)view.get<int>();
              fail("get<int> converted a number that does not fit");
            } catch (const JsonAccessError& error) {
              check_error(error, view);
            }
          }
          break;
        case 2:
          check_get<double>(view);
          break;
        case 3:
          check_get<bool>(view);
          break;
        case 4:
          check_get<std::vector<Json>>(view);
          break;
        default:
          check_get<std::map<std::string, Json>>(view);
          break;
      }
      return view;
    case 3: {  // value(key, default)
      const std::string key = kKeys[arg % std::size(kKeys)];
      try {
        const std::string got = view.value(key, "fallback");
        if (!node.is_object()) fail("value() on a non-object did not throw");
        const auto found = node.find(key);
        if (found == node.end() ? got != "fallback" : *found != got) fail("value() is wrong");
      } catch (const JsonAccessError& error) {
        const auto found = node.is_object() ? node.find(key) : node.end();
        if (node.is_object() && (found == node.end() || found->is_string())) {
          fail("value() threw on a readable member");
        }
        (void)error;
      }
      return view;
    }
    case 4: {  // iteration, continuing from the chosen element
      size_t count = 0;
      std::optional<JsonView> chosen;
      for (const JsonView& element : view) {
        if (count == arg % (node.size() + 1)) chosen = element;
        ++count;
      }
      if (node.is_structured() && count != node.size()) fail("iteration missed elements");
      if (chosen && chosen->path().compare(0, view.path().size(), view.path()) != 0) {
        fail("an element's path does not extend its parent's");
      }
      return chosen ? *chosen : view;
    }
    case 5: {  // the Json-like surface
      if (view.size() != node.size() || view.empty() != node.empty()) fail("size() differs");
      if (view.type() != node.type() || view.is_object() != node.is_object()) fail("type differs");
      if (!(view == node) || view != node) fail("comparison differs");
      if (view.contains(kKeys[arg % std::size(kKeys)]) !=
          (node.is_object() && node.contains(kKeys[arg % std::size(kKeys)]))) {
        fail("contains() differs");
      }
      if (node.is_string()) {
        const std::string& ref = view.get_ref<const std::string&>();
        const std::string copy = view;
        if (&ref != &node.get_ref<const std::string&>() || copy != ref) fail("string access");
      }
      if (node.size() < 64 && view.dump() != node.dump()) fail("dump() differs");
      return view;
    }
    default:  // back to the start of the walk
      return view;
  }
}

void fuzz_one(std::string_view input) {
  // First byte: how many of the following bytes are steps; the rest is the JSON body.
  const size_t steps =
      input.empty() ? 0 : std::min<size_t>(input.size() - 1, static_cast<unsigned char>(input[0]));
  const std::string_view script = input.substr(std::min<size_t>(1, input.size()), steps);
  const std::string body(input.substr(std::min(input.size(), 1 + steps)));
  std::optional<Response> res;
  try {
    res.emplace(
        200,
        babyapi::HeaderList{{"content-type", "application/json"}, {"x-request-id", "req_fuzz"}},
        body);
  } catch (const babyapi::BabyAPIError&) {
    if (!Json::accept(body)) return;  // malformed JSON is refused, as it must be
    fail("valid JSON was refused");
  }
  try {
    // Odd first step byte: walk a view that owns the document (from a temporary Response).
    const bool owning = !script.empty() && (script[0] & 1);
    const JsonView root = owning ? Response(*res).view() : res->view();
    JsonView at = root;
    for (size_t i = 0; i + 1 < script.size(); i += 2) {
      const auto op = static_cast<unsigned char>(script[i]);
      at = op % 8 == 7 ? root : step(at, op, static_cast<unsigned char>(script[i + 1]));
    }
    // Response's own first level, on an lvalue and a temporary.
    const Response& r = *res;
    const Json& doc = r.json();
    for (const char* key : kKeys) {
      const bool present = doc.is_object() && doc.contains(key);
      try {
        const JsonView member = r[key];
        if (!present) fail("Response[] on an absent key did not throw");
        if (&member.json() != &*doc.find(key)) fail("Response[] read the wrong value");
        if (Response(r)[key] != *doc.find(key)) fail("temporary Response[] differs");
      } catch (const JsonAccessError& error) {
        if (present) fail("Response[] threw on a present key");
        check_error(error, r.view());
      }
      if (r.contains(key) != present) fail("Response::contains differs");
      if (present ? r.get(key) != *doc.find(key) : !r.get(key).is_null()) {
        fail("Response::get differs");
      }
    }
  } catch (const JsonAccessError&) {
    fail("an unexpected JsonAccessError");
  } catch (const babyapi::BabyAPIError&) {
    // Another SDK error is allowed by contract, though no step above should cause one.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

#if defined(BABYAPI_FUZZ_STANDALONE)
#include "seed_replay.hpp"

namespace {

// A script of (op, arg) byte pairs, then a body.
std::string seed(const std::string& script, const std::string& body) {
  return std::string(1, static_cast<char>(script.size())) + script + body;
}

std::vector<std::string> builtin_seeds() {
  const std::string answer =
      R"({"choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}],)"
      R"("data":[1,2.5,-3,true,null,"s",[],{}],"a":{"~/":{"0":1e300}},"":"empty"})";
  std::vector<std::string> seeds;
  seeds.emplace_back();
  // choices / 0 / message / content, then each conversion
  seeds.push_back(
      seed(std::string("\x00\x00\x01\x00\x00\x01\x00\x02\x02\x00\x02\x01", 12), answer));
  // data, iterate to each element and convert
  seeds.push_back(
      seed(std::string("\x00\x03\x04\x03\x02\x02\x02\x01\x07\x00\x00\x83", 12), answer));
  // out of range, negative, missing keys, wrong types
  seeds.push_back(
      seed(std::string("\x00\x00\x01\x05\x01\xff\x00\x04\x01\x00\x03\x02", 12), answer));
  seeds.push_back(seed(std::string("\x01\x00\x00\x07\x00\x07\x00\x06\x05\x00", 10), answer));
  seeds.push_back(seed("", R"({"choices":[]})"));
  seeds.push_back(seed(std::string("\x00\x00\x01\x00", 4), R"({"choices":[]})"));
  seeds.push_back(seed(std::string("\x01\x00", 2), "[[[[[[[[[[[[1]]]]]]]]]]]]"));
  seeds.push_back(seed("", "{not json"));
  seeds.push_back(seed(std::string("\x05\x00", 2), "\"text\""));
  // get<int> at the edges of int: 64-bit integers that nlohmann would wrap, and floats that
  // truncate just inside or just outside the range (CI found the first of these)
  for (const char* number : {"4294967296", "2147483648", "-2147483649", "-2147483648.5",
                             "2147483647.9", "2147483648.0", "-9223372036854775808"}) {
    seeds.push_back(seed(std::string("\x02\x01", 2), number));
  }
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  return babyapi::fuzz::replay_seeds(argc, argv, "json_view_fuzz", builtin_seeds(),
                                     [](const std::string& input) { fuzz_one(input); });
}
#endif
