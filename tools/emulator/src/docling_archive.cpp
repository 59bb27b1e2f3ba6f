// docling-serve's archive answers. Which answers are archives, and their layout, follow
// docling-jobkit (the library docling-serve runs its conversions with):
// - docling_jobkit/convert/results.py (process_export_results): the in-body JSON answer is
//   given only when exactly one document was converted AND the target is InBodyTarget; any
//   other case (several documents, or the zip target) writes files to a directory and answers
//   shutil.make_archive(..., "zip") of it as ZipArchiveResult.
// - docling_jobkit/convert/export.py (_materialize_document_exports): the files are
//   <file stem>.json, .html, .txt (text), .md and .doctags, one per requested format, written
//   only for documents that converted (success or partial_success).
// - docling_jobkit/convert/chunking.py: chunking keeps JSON for the in-body target whatever the
//   number of documents; the zip target archives chunked_result.json.
// - docling_serve/response_preparation.py (prepare_response): a ZipArchiveResult is answered as
//   application/zip with Content-Disposition: attachment; filename="converted_docs.zip".
// make_archive deflates and walks the directory in sorted order; the emulator stores (see
// zip_writer.hpp) in the same sorted order, and deflates when asked (x-emulator-zip: deflate).
#include <map>

#include "docling.hpp"
#include "zip_writer.hpp"

namespace emu {
namespace {

// Python's PurePath(name).stem: the last path segment without its last suffix; a leading dot
// is not a suffix (".env" stays ".env").
std::string file_stem(const std::string& filename) {
  const std::string base = filename.substr(filename.find_last_of('/') + 1);
  const auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

DoclingAnswer zip_answer(const std::map<std::string, std::string>& files, bool deflate) {
  return DoclingAnswer{zip_archive({files.begin(), files.end()}, deflate), "application/zip"};
}

}  // namespace

DoclingAnswer archive_documents(const std::vector<DoclingDoc>& docs,
                                const std::vector<std::string>& formats, bool deflate) {
  // Keyed by name: two documents with one stem overwrite each other, as they do on disk there.
  std::map<std::string, std::string> files;
  static const std::pair<const char*, const char*> kFiles[] = {
      {"json_content", ".json"}, {"html_content", ".html"},       {"text_content", ".txt"},
      {"md_content", ".md"},     {"doctags_content", ".doctags"},
  };
  for (const DoclingDoc& doc : docs) {
    const OJson exported = export_document(doc, formats);
    const std::string stem = file_stem(doc.filename);
    for (const auto& [member, extension] : kFiles) {
      const OJson& value = exported[member];
      if (value.is_null()) continue;
      files[stem + extension] = value.is_string()
                                    ? value.get<std::string>()
                                    : value.dump(2, ' ', false, OJson::error_handler_t::replace);
    }
  }
  return zip_answer(files, deflate);
}

DoclingAnswer archive_chunks(const OJson& chunked, bool deflate) {
  return zip_answer(
      {{"chunked_result.json", chunked.dump(2, ' ', false, OJson::error_handler_t::replace)}},
      deflate);
}

void send_answer(httplib::Response& res, const DoclingAnswer& answer) {
  res.status = 200;
  if (answer.content_type == "application/zip") {
    res.set_header("Content-Disposition", "attachment; filename=\"converted_docs.zip\"");
  }
  res.set_content(answer.body, answer.content_type.c_str());
}

}  // namespace emu
