#include "form_reader.hpp"

#include <algorithm>
#include <cstdio>

#include "textutil.hpp"

namespace emu {
namespace {

constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t fnv_update(std::uint64_t h, const char* data, std::size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  const auto* end = p + n;
  for (; p != end; ++p) {
    h ^= *p;
    h *= kFnvPrime;
  }
  return h;
}

void append_capped(std::string& out, const char* data, std::size_t n, std::size_t cap) {
  if (out.size() < cap) out.append(data, std::min(n, cap - out.size()));
}

// Where the bytes of the part being read go.
struct PartRef {
  bool file = false;
  std::size_t index = 0;
};

OJson form_json(const FormBody& form) {
  OJson fields = OJson::array();
  for (const auto& f : form.fields) fields.push_back(OJson::array({f.name, f.value}));
  OJson files = OJson::array();
  for (const auto& f : form.files) {
    files.push_back(OJson{{"name", f.name},
                          {"filename", f.filename},
                          {"content_type", f.content_type},
                          {"size", f.size},
                          {"fnv1a64", hex64(f.fnv1a64)}});
  }
  return OJson{{"fields", std::move(fields)}, {"files", std::move(files)}};
}

OJson parts_json(const FormBody& form, const std::vector<PartRef>& order) {
  OJson parts = OJson::array();
  for (const PartRef& ref : order) {
    OJson p;
    if (ref.file) {
      const FormFile& f = form.files[ref.index];
      p["name"] = f.name;
      p["filename"] = f.filename;
      p["content_type"] = f.content_type;
      p["size"] = f.size;
      add_part_content(p, f.head, f.size);
    } else {
      const FormField& f = form.fields[ref.index];
      p["name"] = f.name;
      p["filename"] = "";
      p["content_type"] = "";
      p["size"] = f.size;
      add_part_content(p, f.value, f.size);
    }
    parts.push_back(std::move(p));
  }
  return parts;
}

}  // namespace

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

FormBody read_form(Call& call) {
  FormBody form;
  const httplib::Request& req = call.req;
  form.multipart = req.is_multipart_form_data();
  std::uint64_t read_bytes = 0;
  std::string raw;  // a body that is not multipart: its first kLogBodyCap bytes
  std::vector<PartRef> order;

  if (call.reader && !call.body_consumed) {
    call.body_consumed = true;
    if (form.multipart) {
      form.ok = (*call.reader)(
          [&](const httplib::MultipartFormData& part) {
            const bool is_file = !part.filename.empty() || part.name == "files";
            if (is_file) {
              FormFile f;
              f.name = part.name;
              f.filename = part.filename;
              f.content_type = part.content_type;
              form.files.push_back(std::move(f));
              order.push_back(PartRef{true, form.files.size() - 1});
            } else {
              form.fields.push_back(FormField{part.name, {}, 0});
              order.push_back(PartRef{false, form.fields.size() - 1});
            }
            return true;
          },
          [&](const char* data, std::size_t n) {
            if (order.empty()) return true;
            read_bytes += n;
            const PartRef& ref = order.back();
            if (ref.file) {
              FormFile& f = form.files[ref.index];
              f.size += n;
              f.fnv1a64 = fnv_update(f.fnv1a64, data, n);
              append_capped(f.head, data, n, kFormKeepBytes);
            } else {
              FormField& f = form.fields[ref.index];
              f.size += n;
              append_capped(f.value, data, n, kFormFieldCap);
            }
            return true;
          });
    } else {
      form.ok = (*call.reader)([&](const char* data, std::size_t n) {
        read_bytes += n;
        append_capped(raw, data, n, kLogBodyCap + 1);
        return true;
      });
    }
  }

  form.bytes = read_bytes;
  long long declared = 0;
  if (req.has_header("Content-Length") &&
      parse_long(req.get_header_value("Content-Length"), declared) && declared > 0 &&
      static_cast<std::uint64_t>(declared) > read_bytes) {
    form.bytes = static_cast<std::uint64_t>(declared);
  }

  call.emu.log_update(call.log, [&](LogEntry& e) {
    OJson& r = e.record;
    r["body_size"] = form.bytes;
    if (form.multipart) {
      r["form"] = form_json(form);
      r["parts"] = parts_json(form, order);
    } else {
      r["body_truncated"] = raw.size() > kLogBodyCap;
      r["body"] = raw.substr(0, kLogBodyCap);
      OJson parsed = raw.empty() || raw.size() > kLogBodyCap ? OJson(nullptr)
                                                             : OJson::parse(raw, nullptr, false);
      r["json"] = parsed.is_discarded() ? OJson(nullptr) : std::move(parsed);
    }
  });
  return form;
}

}  // namespace emu
