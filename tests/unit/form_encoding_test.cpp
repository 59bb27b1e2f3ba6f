#include <gtest/gtest.h>

#include "babyapi/errors.hpp"
#include "babyapi/files.hpp"
#include "http/form.hpp"

namespace babyapi::detail {
namespace {

std::vector<std::pair<std::string, std::string>> fields(const Form& form) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const FormPart& part : form) {
    EXPECT_FALSE(part.is_file);
    out.emplace_back(part.name, part.value);
  }
  return out;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(FormEncodingTest, EachOptionKind) {
  Form form;
  append_option_fields(form, {{"to_formats", {"md", "json"}},
                              {"do_ocr", false},
                              {"force_ocr", true},
                              {"page_range", {1, 10}},
                              {"images_scale", 2.5},
                              {"table_mode", "fast"},
                              {"picture_description_api", {{"url", "http://x"}, {"timeout", 20}}},
                              {"skipped", nullptr}});
  // nlohmann::json objects iterate in key order.
  EXPECT_EQ(fields(form), (Fields{{"do_ocr", "false"},
                                  {"force_ocr", "true"},
                                  {"images_scale", "2.5"},
                                  {"page_range", "1"},
                                  {"page_range", "10"},
                                  {"picture_description_api", R"({"timeout":20,"url":"http://x"})"},
                                  {"table_mode", "fast"},
                                  {"to_formats", "md"},
                                  {"to_formats", "json"}}));
}

TEST(FormEncodingTest, PrefixAndNestedLists) {
  Form form;
  append_option_fields(form, {{"max_tokens", 512}, {"pairs", {{1, 2}, {3}}}}, "chunking_");
  EXPECT_EQ(fields(form), (Fields{{"chunking_max_tokens", "512"},
                                  {"chunking_pairs", "[1,2]"},
                                  {"chunking_pairs", "[3]"}}));
}

TEST(FormEncodingTest, NullAndEmptyOptionsAddNothingAndNonObjectsAreRefused) {
  Form form;
  append_option_fields(form, nullptr);
  append_option_fields(form, Json::object());
  append_option_fields(form, {{"to_formats", Json::array()}});
  EXPECT_TRUE(form.empty());
  EXPECT_THROW(append_option_fields(form, Json::array({1})), BabyAPIError);
  EXPECT_THROW(append_option_fields(form, "md"), BabyAPIError);
}

TEST(FilesTest, ContentTypesComeFromExtensions) {
  EXPECT_EQ(File("./invoice.pdf").content_type(), "application/pdf");
  EXPECT_EQ(File("dir/Report.DOCX").content_type(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(File("page.html").content_type(), "text/html");
  EXPECT_EQ(File("notes.md").content_type(), "text/markdown");
  EXPECT_EQ(File("scan.jpeg").content_type(), "image/jpeg");
  EXPECT_EQ(File("blob.bin").content_type(), "application/octet-stream");
  EXPECT_EQ(File("noext").content_type(), "application/octet-stream");
  EXPECT_EQ(File("x.pdf", "application/x-custom").content_type(), "application/x-custom");
}

TEST(FilesTest, PathsAndBytes) {
  const File disk("./docs/a.pdf");
  EXPECT_TRUE(disk.from_disk());
  EXPECT_EQ(disk.path(), "./docs/a.pdf");
  EXPECT_EQ(disk.filename(), "a.pdf");
  const File memory = File::from_bytes("%PDF-1.7", "report.pdf");
  EXPECT_FALSE(memory.from_disk());
  EXPECT_EQ(memory.bytes(), "%PDF-1.7");
  EXPECT_EQ(memory.filename(), "report.pdf");
  EXPECT_EQ(memory.content_type(), "application/pdf");
}

TEST(FilesTest, FilesConvertFromOneOrMany) {
  const Files one = "./invoice.pdf";
  EXPECT_EQ(one.size(), 1u);
  const Files many = {"./a.pdf", "./b.docx"};
  ASSERT_EQ(many.size(), 2u);
  EXPECT_EQ(many.items()[1].filename(), "b.docx");
  const Files from_file = File::from_bytes("x", "x.txt");
  EXPECT_EQ(from_file.items()[0].content_type(), "text/plain");
  const Files from_string = std::string("c.md");
  EXPECT_EQ(from_string.items()[0].filename(), "c.md");
}

}  // namespace
}  // namespace babyapi::detail
