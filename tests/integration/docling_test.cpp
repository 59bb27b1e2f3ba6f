// client.docling against the emulator's simulated Docling nodes: conversions,
// multipart bodies as the server received them, async tasks pinned to their
// node, chunking, progress and memory.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "emulator_test.hpp"
#include "fnv.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;
using testing::EmulatorProcess;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "babyapi_docling_" + std::to_string(::getpid()) + "_" + name;
}

std::string write_file(const std::string& name, const std::string& bytes) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// kB of VmHWM (peak resident memory) or VmRSS of this process.
long proc_status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return -1;
}

std::uint32_t zip_crc32(const std::string& bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// name -> content of a ZIP whose entries are stored, read the way unzip does: from the end
// record to the central directory to each local header; sizes and CRCs must agree.
std::map<std::string, std::string> zip_entries(const std::string& zip) {
  const auto u16 = [&zip](std::size_t at) -> std::uint32_t {
    if (at + 2 > zip.size()) throw std::runtime_error("zip: truncated");
    return static_cast<unsigned char>(zip[at]) | static_cast<unsigned char>(zip[at + 1]) << 8;
  };
  const auto u32 = [&u16](std::size_t at) { return u16(at) | u16(at + 2) << 16; };
  if (zip.size() < 22 || u32(zip.size() - 22) != 0x06054b50u)
    throw std::runtime_error("zip: no end record");
  const std::size_t end = zip.size() - 22;
  std::size_t at = u32(end + 16);
  std::map<std::string, std::string> entries;
  for (std::uint32_t i = 0, n = u16(end + 10); i < n; ++i) {
    if (u32(at) != 0x02014b50u) throw std::runtime_error("zip: bad directory record");
    if (u16(at + 10) != 0) throw std::runtime_error("zip: entry not stored");
    const std::uint32_t crc = u32(at + 16), size = u32(at + 24), name_len = u16(at + 28);
    const std::size_t local = u32(at + 42);
    const std::string name = zip.substr(at + 46, name_len);
    if (u32(local) != 0x04034b50u || zip.compare(local + 30, name_len, name) != 0)
      throw std::runtime_error("zip: bad local header for " + name);
    const std::string content = zip.substr(local + 30 + name_len + u16(local + 28), size);
    if (content.size() != size || zip_crc32(content) != crc)
      throw std::runtime_error("zip: bad content for " + name);
    entries[name] = content;
    at += 46 + name_len + u16(at + 30) + u16(at + 32);
  }
  return entries;
}

std::vector<std::string> names_of(const std::map<std::string, std::string>& entries) {
  std::vector<std::string> names;
  for (const auto& entry : entries) names.push_back(entry.first);
  return names;
}

class DoclingTest : public testing::EmulatorTest {
 protected:
  // name=value pairs of a logged multipart request's plain fields, in order.
  static std::vector<std::pair<std::string, std::string>> form_fields(const Json& entry) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (const Json& field : entry.at("form").at("fields")) fields.emplace_back(field[0], field[1]);
    return fields;
  }
};

TEST_F(DoclingTest, HealthReadyVersion) {
  Client client(emulator().client_options());
  EXPECT_EQ(client.docling.health()["status"], "ok");
  EXPECT_EQ(client.docling.ready().status(), 200);
  EXPECT_TRUE(client.docling.version().json().is_object());
}

TEST_F(DoclingTest, ConvertSourceFromUrl) {
  Client client(emulator().client_options());
  Response res = client.docling.convert_source({
      {"sources", {{{"kind", "http"}, {"url", "https://arxiv.org/pdf/2408.09869"}}}},
      {"options", {{"to_formats", {"md"}}, {"do_ocr", false}, {"page_range", {1, 10}}}},
  });
  EXPECT_NE(
      res["document"]["md_content"].get<std::string>().find("https://arxiv.org/pdf/2408.09869"),
      std::string::npos);
}

TEST_F(DoclingTest, MissingSourcesIsUnprocessableWithTheFieldNamed) {
  Client client(emulator().client_options());
  try {
    client.docling.convert_source({{"options", Json::object()}});
    FAIL() << "expected UnprocessableEntityError";
  } catch (const UnprocessableEntityError& error) {
    EXPECT_NE(error.message().find("sources"), std::string::npos) << error.message();
  }
}

TEST_F(DoclingTest, ConvertFileStreamsTheFileAndConverts) {
  Client client(emulator().client_options());
  const std::string markdown = "# Invoice\n\nTotal: 42 EUR\n";
  const std::string path = write_file("invoice.md", markdown);
  std::string tag;
  Response res = client.docling.convert_file(path, Json::object(), tagged(tag));
  EXPECT_EQ(res["document"]["md_content"].get<std::string>().find("# Invoice"), 0u);
  const std::vector<Json> sent = logged(tag);
  ASSERT_EQ(sent.size(), 1u);
  const Json& files = sent[0]["form"]["files"];
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0]["name"], "files");
  EXPECT_EQ(files[0]["filename"], path.substr(path.rfind('/') + 1));
  EXPECT_EQ(files[0]["content_type"], "text/markdown");
  EXPECT_EQ(files[0]["size"], markdown.size());
  EXPECT_EQ(files[0]["fnv1a64"], testing::fnv1a64_hex(markdown));
}

TEST_F(DoclingTest, HtmlLosesItsTags) {
  Client client(emulator().client_options());
  const std::string path =
      write_file("page.html", "<html><body><h1>Title</h1><p>Body text</p></body></html>");
  const std::string md = client.docling.convert_file(path)["document"]["md_content"];
  EXPECT_NE(md.find("Title"), std::string::npos);
  EXPECT_NE(md.find("Body text"), std::string::npos);
  EXPECT_EQ(md.find("<p>"), std::string::npos);
}

TEST_F(DoclingTest, SeveralFilesAndEveryOptionKindArriveAsFormFields) {
  Client client(emulator().client_options());
  const std::string a = write_file("a.md", "# A\n");
  const std::string b = write_file("b.txt", "plain words\n\nsecond paragraph\n");
  std::string tag;
  client.docling.convert_file({a, b},
                              {{"to_formats", {"md", "json"}},
                               {"do_ocr", false},
                               {"page_range", {1, 10}},
                               {"images_scale", 2},
                               {"table_mode", "fast"},
                               {"picture_description_local", {{"repo_id", "x"}}}},
                              tagged(tag));
  const std::vector<Json> sent = logged(tag);
  ASSERT_EQ(sent.size(), 1u);
  const Json& files = sent[0]["form"]["files"];
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]["content_type"], "text/markdown");
  EXPECT_EQ(files[1]["content_type"], "text/plain");
  EXPECT_EQ(files[1]["size"], 30);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"do_ocr", "false"},
      {"images_scale", "2"},
      {"page_range", "1"},
      {"page_range", "10"},
      {"picture_description_local", R"({"repo_id":"x"})"},
      {"table_mode", "fast"},
      {"to_formats", "md"},
      {"to_formats", "json"}};
  EXPECT_EQ(form_fields(sent[0]), expected);
}

TEST_F(DoclingTest, SeveralFilesAnswerAZipWithAFilePerDocumentAndFormat) {
  Client client(emulator().client_options());
  const std::string a = write_file("zip-a.md", "# A\n");
  const std::string b = write_file("zip-b.txt", "plain words\n");
  Response res = client.docling.convert_file({a, b}, {{"to_formats", {"md", "json"}}});
  ASSERT_EQ(res.content_type(), "application/zip");
  EXPECT_EQ(res.header("content-disposition"), "attachment; filename=\"converted_docs.zip\"");
  EXPECT_TRUE(res.json().is_null());
  const std::string stem_a = a.substr(a.rfind('/') + 1, a.size() - a.rfind('/') - 4);
  const std::string stem_b = b.substr(b.rfind('/') + 1, b.size() - b.rfind('/') - 5);
  const auto entries = zip_entries(res.text());
  const std::vector<std::string> expected = {stem_a + ".json", stem_a + ".md", stem_b + ".json",
                                             stem_b + ".md"};
  EXPECT_EQ(names_of(entries), expected);
  EXPECT_EQ(entries.at(stem_a + ".md"), "# A\n");
  EXPECT_EQ(entries.at(stem_b + ".md"), "plain words\n");
  EXPECT_EQ(Json::parse(entries.at(stem_a + ".json"))["schema_name"], "DoclingDocument");

  // The bytes as they came are the archive: written out, they read back the same.
  const std::string saved = temp_path("converted_docs.zip");
  std::ofstream(saved, std::ios::binary) << res.text();
  std::stringstream back;
  back << std::ifstream(saved, std::ios::binary).rdbuf();
  EXPECT_EQ(zip_entries(back.str()), entries);
  ::unlink(saved.c_str());
}

TEST_F(DoclingTest, TheZipTargetGivesAZipForOneDocumentAndInBodyGivesJson) {
  Client client(emulator().client_options());
  const Json http = {{"kind", "http"}, {"url", "https://example.com/one.pdf"}};
  Response zipped = client.docling.convert_source(
      {{"sources", {http}}, {"target", {{"kind", "zip"}}}, {"options", {{"to_formats", "text"}}}});
  ASSERT_EQ(zipped.content_type(), "application/zip");
  EXPECT_EQ(names_of(zip_entries(zipped.text())), std::vector<std::string>{"one.txt"});
  Response in_body = client.docling.convert_source({{"sources", {http}}});
  EXPECT_EQ(in_body.content_type(), "application/json");
  EXPECT_EQ(in_body["document"]["filename"], "one.pdf");
  const std::string path = write_file("target.md", "# T\n");
  Response file_zip = client.docling.convert_file(path, {{"target_type", "zip"}});
  EXPECT_EQ(file_zip.content_type(), "application/zip");
  EXPECT_THROW(client.docling.convert_source({{"sources", {http}}, {"target", {{"kind", "s3"}}}}),
               UnprocessableEntityError);
  // Chunking answers JSON for several documents as long as the target is in-body.
  Response chunks = client.docling.chunk.hybrid_source({{"sources", {http, http}}});
  EXPECT_EQ(chunks["documents"].size(), 2u);
}

TEST_F(DoclingTest, AnAsyncTaskOfSeveralSourcesEndsInAZip) {
  Client client(emulator().client_options());
  Response submitted = client.docling.convert_source_async(
      {{"sources",
        {{{"kind", "http"}, {"url", "https://example.com/x.pdf"}},
         {{"kind", "http"}, {"url", "https://example.com/y.pdf"}}}}});
  Response result = client.docling.wait_for_result(submitted["task_id"].get<std::string>(),
                                                   WaitOptions{submitted["_babyapi_docling_id"]});
  ASSERT_EQ(result.content_type(), "application/zip");
  EXPECT_EQ(names_of(zip_entries(result.text())), (std::vector<std::string>{"x.md", "y.md"}));
}

// docling-serve's archives are deflated (shutil.make_archive); x-emulator-zip: deflate says so.
TEST_F(DoclingTest, TheEmulatorDeflatesArchivesOnRequest) {
  Client client(emulator().client_options());
  const Json body = {
      {"sources", {{{"kind", "http"}, {"url", "https://example.com/a.pdf"}}}},
      {"options", {{"to_formats", {"md", "text"}}}},
      {"target", {{"kind", "zip"}}},
  };
  const Response stored = client.docling.convert_source(body);
  const Response deflated =
      client.docling.convert_source(body, with_header("x-emulator-zip", "deflate"));
  const std::string& zip = deflated.text();
  ASSERT_GT(zip.size(), 30u);
  EXPECT_EQ(zip.compare(0, 4, "PK\x03\x04"), 0);
  EXPECT_EQ(static_cast<unsigned char>(zip[8]), 8u) << "method 8: deflate";
  EXPECT_EQ(static_cast<unsigned char>(stored.text()[8]), 0u) << "stored by default";
  EXPECT_THROW(client.docling.convert_source(body, with_header("x-emulator-zip", "brotli")),
               BadRequestError);
}

TEST_F(DoclingTest, RawBytesUploadWithTheirNameAndType) {
  Client client(emulator().client_options());
  std::string bytes = "%PDF-1.7\n";
  bytes += std::string("\0\xFF\r\n", 4);
  std::string tag;
  Response res = client.docling.convert_file(
      File::from_bytes(bytes, "report.pdf", "application/pdf"), Json::object(), tagged(tag));
  EXPECT_TRUE(res["document"].contains("md_content"));
  const Json file = logged(tag).at(0)["form"]["files"][0];
  EXPECT_EQ(file["filename"], "report.pdf");
  EXPECT_EQ(file["content_type"], "application/pdf");
  EXPECT_EQ(file["size"], bytes.size());
  EXPECT_EQ(file["fnv1a64"], testing::fnv1a64_hex(bytes));
}

TEST_F(DoclingTest, MissingFileFailsBeforeSending) {
  Client client(emulator().client_options());
  std::string tag;
  EXPECT_THROW(
      client.docling.convert_file(temp_path("does-not-exist.pdf"), Json::object(), tagged(tag)),
      BabyAPIError);
  EXPECT_THROW(client.docling.convert_file(::testing::TempDir(), Json::object(), tagged(tag)),
               BabyAPIError);  // a directory is not a file
  EXPECT_TRUE(logged(tag).empty());
}

TEST_F(DoclingTest, RetriesSendTheWholeBodyAgain) {
  Client client(emulator().client_options());
  const std::string content(300000, 'r');
  const std::string path = write_file("retry.txt", content);
  std::string tag;
  RequestOptions options = tagged(tag);
  options.headers["x-emulator-fault"] = "status=503;times=1;id=" + tag;
  client.docling.convert_file(path, Json::object(), options);
  const std::vector<Json> sent = logged(tag);
  ASSERT_EQ(sent.size(), 2u);
  for (const Json& entry : sent) {
    EXPECT_EQ(entry["form"]["files"][0]["size"], content.size());
    EXPECT_EQ(entry["form"]["files"][0]["fnv1a64"], testing::fnv1a64_hex(content));
  }
}

TEST_F(DoclingTest, AsyncFileWithWaitForResultIsPinnedToItsNode) {
  Client client(emulator().client_options());
  const std::string path = write_file("big.md", "# Big\n\nA large document.\n");
  Response submitted = client.docling.convert_file_async(path);
  const std::string task_id = submitted["task_id"];
  const std::string node = submitted["_babyapi_docling_id"];
  EXPECT_FALSE(node.empty());
  EXPECT_EQ(submitted.docling_id(), node);

  std::vector<std::string> states;
  Response result = client.docling.wait_for_result(
      task_id,
      WaitOptions{node, milliseconds(200), std::chrono::seconds(60),
                  [&states](const Json& status) { states.push_back(status["task_status"]); }});
  EXPECT_EQ(result["document"]["md_content"].get<std::string>().find("# Big"), 0u);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), "success");

  // Whichever node a task lands on, and however the round-robin stands, the pinned wait succeeds:
  // several polls and the result fetch per task, none of them meeting the wrong node.
  for (int i = 0; i < 5; ++i) {
    Response again = client.docling.convert_file_async(path);
    Response done =
        client.docling.wait_for_result(again["task_id"].get<std::string>(),
                                       WaitOptions{again["_babyapi_docling_id"], milliseconds(5)});
    EXPECT_EQ(done["document"]["md_content"].get<std::string>().find("# Big"), 0u) << i;
  }
}

TEST_F(DoclingTest, UnpinnedPollsMeetTheWrongNode) {
  Client client(emulator().client_options());
  Response submitted = client.docling.convert_source_async(
      {{"sources", {{{"kind", "http"}, {"url", "https://example.com/a.pdf"}}}}});
  const std::string task_id = submitted["task_id"];
  int not_found = 0;
  int answered = 0;
  for (int i = 0; i < 2; ++i) {  // round-robin over two nodes: one of two polls lands elsewhere
    try {
      client.docling.poll_status(task_id);
      ++answered;
    } catch (const NotFoundError& error) {
      ++not_found;
      EXPECT_FALSE(error.message().empty());
    }
  }
  EXPECT_EQ(not_found, 1);
  EXPECT_EQ(answered, 1);
}

TEST_F(DoclingTest, LowLevelPollLoopWithThePinHeader) {
  Client client(emulator().client_options());
  Response submitted = client.docling.convert_source_async(
      {{"sources", {{{"kind", "http"}, {"url", "https://arxiv.org/pdf/2408.09869"}}}}});
  const std::string task_id = submitted["task_id"];
  RequestOptions pinned;
  pinned.headers = {{"x-babyapi-docling-id", submitted["_babyapi_docling_id"].get<std::string>()}};
  std::string state;
  for (int polls = 0; polls < 1000; ++polls) {
    // wait=5 asks the emulator to answer once the task ends (up to 5 s): no
    // sleeping here.
    Response status = client.get("/docling/v1/status/poll/" + task_id + "?wait=5", pinned);
    state = status["task_status"];
    EXPECT_EQ(status["status"],
              state);  // BabyAPI's proxy mirrors it as "status"
    if (state == "success" || state == "failure" || state == "error") break;
  }
  ASSERT_EQ(state, "success");
  Response result = client.docling.get_result(task_id, pinned);
  EXPECT_TRUE(result["document"].contains("md_content"));
}

TEST_F(DoclingTest, FailedTaskThrowsWithItsStatus) {
  Client client(emulator().client_options());
  RequestOptions fail;
  fail.headers = {{"x-emulator-task", "fail=1"}};
  Response submitted = client.docling.convert_source_async(
      {{"sources", {{{"kind", "http"}, {"url", "https://example.com/broken.pdf"}}}}}, fail);
  try {
    client.docling.wait_for_result(
        submitted["task_id"].get<std::string>(),
        WaitOptions{submitted["_babyapi_docling_id"], milliseconds(100)});
    FAIL() << "expected BabyAPIError";
  } catch (const APIConnectionError&) {
    FAIL() << "a failed task is not a connection error";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("Injected task failure"), std::string::npos) << error.message();
    const Json status = Json::parse(error.body());
    EXPECT_EQ(status["task_status"], "failure");
    EXPECT_EQ(status["task_id"], submitted["task_id"]);
  }
}

TEST_F(DoclingTest, WaitTimesOut) {
  Client client(emulator().client_options());
  RequestOptions hang;
  hang.headers = {{"x-emulator-task", "hang=1"}};
  Response submitted = client.docling.convert_source_async(
      {{"sources", {{{"kind", "http"}, {"url", "https://example.com/slow.pdf"}}}}}, hang);
  int polls = 0;
  EXPECT_THROW(client.docling.wait_for_result(
                   submitted["task_id"].get<std::string>(),
                   WaitOptions{submitted["_babyapi_docling_id"], milliseconds(100),
                               milliseconds(300), [&polls](const Json&) { ++polls; }}),
               APITimeoutError);
  EXPECT_GE(polls, 1);
}

TEST_F(DoclingTest, ChunkingFromSourceAndFile) {
  Client client(emulator().client_options());
  Response hybrid = client.docling.chunk.hybrid_source(
      {{"sources", {{{"kind", "http"}, {"url", "https://arxiv.org/pdf/2408.09869"}}}}});
  ASSERT_TRUE(hybrid["chunks"].is_array());
  EXPECT_FALSE(hybrid["chunks"].empty());

  const std::string path = write_file("handbook.md",
                                      "# Handbook\n\nWelcome.\n\n## Leave\n\nTake "
                                      "time off.\n\n## Pay\n\nMonthly.\n");
  std::string tag;
  Response hierarchical = client.docling.chunk.hierarchical_file(
      path, {{"convert_options", {{"do_ocr", false}}}, {"chunking_options", {{"max_tokens", 64}}}},
      tagged(tag));
  const Json& chunks = hierarchical["chunks"];
  ASSERT_GE(chunks.size(), 3u);
  bool leave = false;
  for (const Json& chunk : chunks) {
    if (chunk["text"].get<std::string>().find("Take time off.") != std::string::npos) {
      leave = true;
      EXPECT_NE(chunk["headings"].dump().find("Leave"), std::string::npos);
    }
  }
  EXPECT_TRUE(leave);
  // Options go out in the JSON object's (sorted) key order.
  const std::vector<std::pair<std::string, std::string>> expected = {{"chunking_max_tokens", "64"},
                                                                     {"convert_do_ocr", "false"}};
  EXPECT_EQ(form_fields(logged(tag).at(0)), expected);
}

TEST_F(DoclingTest, AsyncChunkingWithWait) {
  Client client(emulator().client_options());
  const std::string path = write_file("notes.md", "# Notes\n\nOne.\n\n# More\n\nTwo.\n");
  Response submitted = client.docling.chunk.hybrid_file_async(path);
  Response result = client.docling.wait_for_result(submitted["task_id"].get<std::string>(),
                                                   WaitOptions{submitted["_babyapi_docling_id"]});
  EXPECT_FALSE(result["chunks"].empty());
}

// The conversions as Futures: all in flight at once on the engine, each with the answer its
// blocking twin gives; a submit's Future carries the pin, and a bad file fails before sending.
TEST_F(DoclingTest, ConversionsAndChunkingAsFutures) {
  Client client(emulator().client_options());
  const std::string path = write_file("future.md", "# Future\n\nPart one.\n\n# Two\n\nMore.\n");
  const Json source = {{"sources", {{{"kind", "http"}, {"url", "https://example.com/a.pdf"}}}}};
  std::string tag;
  Future<Response> from_url = client.docling.convert_source_future(source);
  Future<Response> from_file =
      client.docling.convert_file_future(path, Json::object(), tagged(tag));
  Future<Response> submit = client.docling.convert_file_async_future(path);
  Future<Response> submit_url = client.docling.convert_source_async_future(source);
  Future<Response> chunks = client.docling.chunk.hierarchical_file_future(path);
  Future<Response> chunks_url = client.docling.chunk.hybrid_source_future(source);
  Future<Response> chunk_submit = client.docling.chunk.hybrid_file_async_future(path);

  EXPECT_NE(from_url.get()["document"]["md_content"].get<std::string>().find("example.com"),
            std::string::npos);
  EXPECT_EQ(from_file.get()["document"]["md_content"].get<std::string>().find("# Future"), 0u);
  EXPECT_EQ(logged(tag).at(0)["form"]["files"][0]["fnv1a64"],
            testing::fnv1a64_hex("# Future\n\nPart one.\n\n# Two\n\nMore.\n"));
  EXPECT_GE(chunks.get()["chunks"].size(), 2u);
  EXPECT_FALSE(chunks_url.get()["chunks"].empty());
  for (Future<Response>* task : {&submit, &submit_url, &chunk_submit}) {
    Response submitted = task->get();
    const std::string node = submitted["_babyapi_docling_id"];
    EXPECT_FALSE(node.empty());
    Response done = client.docling.wait_for_result(submitted["task_id"].get<std::string>(),
                                                   WaitOptions{node, milliseconds(5)});
    EXPECT_TRUE(done.contains("document") || done.contains("chunks")) << done.json().dump();
  }
  EXPECT_THROW(client.docling.convert_file_future(temp_path("absent.pdf")), BabyAPIError);
  EXPECT_THROW(client.docling.chunk.hybrid_file_future(path, Json::array()), BabyAPIError);
}

TEST_F(DoclingTest, UploadProgressArrivesAndEndsAtTheBodySize) {
  Client client(emulator().client_options());
  const std::string content(4 << 20, 'p');
  const std::string path = write_file("progress.txt", content);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  RequestOptions options;
  options.on_upload_progress = [&calls](std::uint64_t sent, std::uint64_t total) {
    calls.emplace_back(sent, total);
  };
  client.docling.convert_file(path, Json::object(), options);
  ASSERT_GE(calls.size(), 2u);
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].first, calls[i - 1].first);
  EXPECT_GE(calls.back().second,
            content.size());  // the multipart body: the file plus its framing
  EXPECT_LT(calls.back().second, content.size() + 4096);
  EXPECT_EQ(calls.back().first, calls.back().second);
}

TEST_F(DoclingTest, LargeUploadKeepsMemoryFlat) {
  Client client(emulator().client_options());
  const std::string path = temp_path("large.bin");
  constexpr off_t kSize = off_t{512} << 20;
  { std::ofstream create(path, std::ios::binary); }
  ASSERT_EQ(::truncate(path.c_str(), kSize), 0);  // sparse: costs no disk
  const long before = proc_status_kb("VmHWM:");
  std::string tag;
  RequestOptions options = tagged(tag);
  // Far shorter than this upload takes: for uploads the timeout bounds stalls, not the whole body.
  options.timeout = std::chrono::milliseconds(1500);
  Response res = client.docling.convert_file(path, Json::object(), options);
  const long after = proc_status_kb("VmHWM:");
  ::unlink(path.c_str());
  EXPECT_EQ(logged(tag).at(0)["form"]["files"][0]["size"], kSize);
  RecordProperty("peak_rss_growth_kb", static_cast<int>(after - before));
  // Reading the whole file into memory would add 512 MiB; streaming adds next to nothing.
  EXPECT_LT(after - before, 32 * 1024) << "peak RSS grew by " << (after - before) << " kB";
}

}  // namespace
}  // namespace babyapi
