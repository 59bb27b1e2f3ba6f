// client.docling's waits and async submits against the emulator: task states, a whole-wait
// deadline that holds while polls hang, pauses through the client's sleeper, and submits that are
// not sent twice when it is unknown whether the first one arrived.
#include <gtest/gtest.h>

#include <thread>

#include "client_core.hpp"
#include "emulator_test.hpp"
#include "options_resolve.hpp"

namespace babyapi {
namespace {

using std::chrono::milliseconds;

// A core over the real transport whose pauses are recorded (and then slept, so loops pace).
struct RecordingDocling {
  explicit RecordingDocling(const ClientOptions& options)
      : core(std::make_shared<detail::ClientCore>(detail::resolve_options(options),
                                                  detail::make_curl_transport({}),
                                                  [this](milliseconds pause) {
                                                    sleeps.push_back(pause);
                                                    std::this_thread::sleep_for(pause);
                                                  })),
        docling(core) {}
  std::vector<milliseconds> sleeps;
  CorePtr core;
  Docling docling;
};

class DoclingWaitTest : public testing::EmulatorTest {};

// Submits a task that behaves as x-emulator-task says; returns {task id, node}.
std::pair<std::string, std::string> submit_task(const Client& client, const std::string& plan) {
  RequestOptions options;
  options.headers = {{"x-emulator-task", plan}};
  Response submitted = client.docling.convert_source_async(
      {{"sources", {{{"kind", "http"}, {"url", "https://example.com/t.pdf"}}}}}, options);
  return {submitted["task_id"], submitted["_babyapi_docling_id"]};
}

TEST_F(DoclingWaitTest, AnUnknownStateThrowsNamingItAtOnce) {
  Client client(emulator().client_options());
  const auto [task, node] = submit_task(client, "state=paused;duration-ms=0");
  int polls = 0;
  try {
    client.docling.wait_for_result(task,
                                   WaitOptions{node, milliseconds(10), std::chrono::seconds(60),
                                               [&polls](const Json&) { ++polls; }});
    FAIL() << "expected BabyAPIError";
  } catch (const APIConnectionError& error) {
    FAIL() << "not a connection error: " << error.what();
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("\"paused\""), std::string::npos) << error.message();
    EXPECT_EQ(Json::parse(error.body())["task_status"], "paused");
  }
  EXPECT_EQ(polls, 1);
}

TEST_F(DoclingWaitTest, PartialSuccessGivesTheResultAndSkippedThrows) {
  Client client(emulator().client_options());
  const auto [partial, partial_node] = submit_task(client, "state=partial_success");
  Response result = client.docling.wait_for_result(partial, WaitOptions{partial_node});
  EXPECT_TRUE(result["document"].contains("md_content"));
  const auto [skipped, skipped_node] = submit_task(client, "state=skipped");
  try {
    client.docling.wait_for_result(skipped, WaitOptions{skipped_node});
    FAIL() << "expected BabyAPIError";
  } catch (const BabyAPIError& error) {
    EXPECT_NE(error.message().find("skipped"), std::string::npos) << error.message();
  }
}

TEST_F(DoclingWaitTest, AHangingPollEndsAtTheWaitTimeout) {
  Client client(emulator().client_options());  // timeout 60 s, two retries
  const auto [task, node] = submit_task(client, "hang=1");
  // Every poll is held 30 s before the emulator answers at all.
  RequestOptions stalled = with_header("x-emulator-fault", "delay-ms=30000;times=0;id=" + unique());
  const auto started = std::chrono::steady_clock::now();
  try {
    client.docling.wait_for_result(
        task, WaitOptions{node, std::chrono::seconds(2), milliseconds(500)}, stalled);
    FAIL() << "expected APITimeoutError";
  } catch (const APITimeoutError& error) {
    EXPECT_NE(error.message().find(task), std::string::npos) << error.message();
  }
  // 500 ms plus scheduling; before, one poll alone waited out the 30 s hold.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST_F(DoclingWaitTest, PausesBetweenPollsGoThroughTheSleeper) {
  RecordingDocling recording(emulator().client_options());
  Client client(emulator().client_options());
  // no-wait: polls answer at once, as from a server without long polling.
  const auto [task, node] = submit_task(client, "hang=1;no-wait=1");
  EXPECT_THROW(recording.docling.wait_for_result(
                   task, WaitOptions{node, milliseconds(40), milliseconds(200)}),
               APITimeoutError);
  ASSERT_FALSE(recording.sleeps.empty());
  for (const milliseconds pause : recording.sleeps) {
    EXPECT_GT(pause.count(), 0);
    EXPECT_LE(pause, milliseconds(40));
  }
}

TEST_F(DoclingWaitTest, AsyncSubmitsAreNotRepeatedAfterAnAmbiguousFailure) {
  Client client(emulator().client_options());
  const Json body = {{"sources", {{{"kind", "http"}, {"url", "https://example.com/once.pdf"}}}}};
  // The connection closes after the request went out: the task may exist. Not sent again.
  const std::string dropped = "drop=1;times=1;id=" + unique();
  EXPECT_THROW(client.docling.convert_source_async(body, with_header("x-emulator-fault", dropped)),
               APIConnectionError);
  EXPECT_EQ(logged(dropped, "x-emulator-fault").size(), 1u);
  const File file = File::from_bytes("# Once\n", "once.md", "text/markdown");
  const std::string file_dropped = "drop=1;times=1;id=" + unique();
  EXPECT_THROW(client.docling.convert_file_async(file, Json::object(),
                                                 with_header("x-emulator-fault", file_dropped)),
               APIConnectionError);
  EXPECT_EQ(logged(file_dropped, "x-emulator-fault").size(), 1u);
  const std::string failed = "status=500;times=1;id=" + unique();
  EXPECT_THROW(
      client.docling.chunk.hybrid_source_async(body, with_header("x-emulator-fault", failed)),
      InternalServerError);
  EXPECT_EQ(logged(failed, "x-emulator-fault").size(), 1u);
  // 503 says nothing was done: retried. So is the same drop on the sync call.
  const std::string unavailable = "status=503;times=1;id=" + unique();
  EXPECT_NO_THROW(
      client.docling.convert_source_async(body, with_header("x-emulator-fault", unavailable)));
  EXPECT_EQ(logged(unavailable, "x-emulator-fault").size(), 2u);
  const std::string sync_dropped = "drop=1;times=1;id=" + unique();
  EXPECT_NO_THROW(
      client.docling.convert_source(body, with_header("x-emulator-fault", sync_dropped)));
  EXPECT_EQ(logged(sync_dropped, "x-emulator-fault").size(), 2u);
}

}  // namespace
}  // namespace babyapi
