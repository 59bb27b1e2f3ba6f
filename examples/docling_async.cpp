// Docling: convert asynchronously (recommended for large documents), pinned to the node that owns
// the task, with an upload progress line and a status line per poll.
// Usage: docling_async FILE
#include <babyapi/babyapi.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: docling_async FILE\n";
    return 2;
  }
  babyapi::Client client;

  babyapi::RequestOptions upload;
  upload.on_upload_progress = [](std::uint64_t sent, std::uint64_t total) {
    std::cerr << "\ruploaded " << sent << " of " << total << " bytes" << std::flush;
  };
  babyapi::Response submitted = client.docling.convert_file_async(argv[1], {}, upload);
  std::cerr << "\n";
  std::string task_id = submitted["task_id"];
  // submitted["_babyapi_docling_id"] identifies the node that accepted the job.

  // Easiest: poll + fetch in one call, pinned to the right node.
  babyapi::Response result = client.docling.wait_for_result(
      task_id,
      babyapi::WaitOptions{
          submitted["_babyapi_docling_id"],  // pin to the right node
          std::chrono::seconds(2),           // interval
          std::chrono::seconds(600),         // timeout
          [](const babyapi::Json& s) { std::cout << "status: " << s["task_status"] << "\n"; },
      });

  std::cout << result["document"]["md_content"].get<std::string>() << "\n";
}
