// Every fault and error shape the emulator can produce (tools/emulator/README.md), met by the SDK
// over loopback: each answer shape maps to its error class with the server's words, each way of
// cutting a connection is an APIConnectionError (never a silent success), and the emulator's own
// header checks answer 400. Faults the other suites already use (retry-after*, should-retry,
// delay-ms, drop=1, x-emulator-stream, fail=1, hang=1) are tested where they matter.
#include <gtest/gtest.h>

#include <stdexcept>
#include <typeinfo>

#include "emulator_test.hpp"

namespace babyapi {
namespace {

// The error a call throws, for its fields to be checked; a test failure when it throws none.
template <class Error, class Call>
Error thrown(Call&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "expected " << typeid(Error).name();
  throw std::logic_error("the call threw nothing");
}

class EmulatorFaultsTest : public testing::EmulatorTest {
 protected:
  // A fault header value with a counter of its own.
  static std::string fault(const std::string& spec) { return spec + ";id=" + unique(); }
  static RequestOptions faulted(const std::string& value, int max_retries = 2) {
    RequestOptions options = with_header("x-emulator-fault", value);
    options.max_retries = max_retries;
    return options;
  }
  static Response chat(const Client& client, const RequestOptions& options) {
    return client.chat.completions.create(chat_params("x"), options);
  }
  static int sent(const std::string& value) {
    return static_cast<int>(logged(value, "x-emulator-fault").size());
  }
};

TEST_F(EmulatorFaultsTest, TheOpenAIBodyGivesMessageTypeAndCode) {
  Client client(emulator().client_options());
  const auto error = thrown<BadRequestError>([&] { chat(client, faulted(fault("status=400"))); });
  EXPECT_EQ(error.message(), "Injected fault: status 400");
  EXPECT_EQ(error.type(), "server_error");
  EXPECT_EQ(error.code(), "emulator_fault");
  const auto custom = thrown<PermissionDeniedError>([&] {
    chat(client,
         faulted(fault("status=403;body=openai;message=Not yours;type=access;code=denied")));
  });
  EXPECT_EQ(custom.message(), "Not yours");
  EXPECT_EQ(custom.type(), "access");
  EXPECT_EQ(custom.code(), "denied");
}

TEST_F(EmulatorFaultsTest, AnIntegerCodeAndTheFlatVllmBodyAreRead) {
  Client client(emulator().client_options());
  const auto int_code = thrown<ConflictError>(
      [&] { chat(client, faulted(fault("status=409;body=openai-int-code"), 0)); });
  EXPECT_EQ(int_code.message(), "Injected fault: status 409");
  EXPECT_EQ(int_code.code(), "409");
  const auto flat = thrown<UnprocessableEntityError>([&] {
    chat(client, faulted(fault("status=422;body=flat;message=bad prompt;type=BadRequest")));
  });
  EXPECT_EQ(flat.message(), "bad prompt");
  EXPECT_EQ(flat.type(), "BadRequest");
  EXPECT_EQ(flat.code(), "422");
}

TEST_F(EmulatorFaultsTest, FastAPIDetailBodiesGiveTheirMessage) {
  Client client(emulator().client_options());
  const auto detail = thrown<NotFoundError>(
      [&] { chat(client, faulted(fault("status=404;body=detail;message=No such thing"))); });
  EXPECT_EQ(detail.message(), "No such thing");
  const auto list = thrown<UnprocessableEntityError>(
      [&] { chat(client, faulted(fault("status=422;body=detail-list;message=x is wrong"))); });
  EXPECT_NE(list.message().find("x is wrong"), std::string::npos) << list.message();
}

TEST_F(EmulatorFaultsTest, TextAndHtmlBodiesGiveReadableMessages) {
  Client client(emulator().client_options());
  const auto text = thrown<InternalServerError>(
      [&] { chat(client, faulted(fault("status=502;body=text;message=upstream down"), 0)); });
  EXPECT_EQ(text.status(), 502);
  EXPECT_NE(text.message().find("upstream down"), std::string::npos) << text.message();
  const auto html = thrown<InternalServerError>(
      [&] { chat(client, faulted(fault("status=504;body=html;message=gateway <slow>"), 0)); });
  EXPECT_NE(html.message().find("504 Error"), std::string::npos) << html.message();
  EXPECT_EQ(html.message().find("<title>"), std::string::npos) << html.message();
  EXPECT_NE(html.body().find("gateway &lt;slow&gt;"), std::string::npos) << html.body();
}

TEST_F(EmulatorFaultsTest, TimesZeroFaultsEveryRequest) {
  Client client(emulator().client_options());
  const std::string always = fault("status=503;times=0");
  EXPECT_THROW(chat(client, faulted(always)), InternalServerError);
  EXPECT_THROW(chat(client, faulted(always)), InternalServerError);
  EXPECT_EQ(sent(always), 6);  // two calls of three attempts each, none served
}

TEST_F(EmulatorFaultsTest, DropCloseIsAnEmptyReplyAndIsRetried) {
  Client client(emulator().client_options());
  const std::string once = fault("drop=close;times=1");
  EXPECT_EQ(chat(client, faulted(once))["choices"][0]["message"]["content"], "x");
  EXPECT_EQ(sent(once), 2);
  const auto error =
      thrown<APIConnectionError>([&] { chat(client, faulted(fault("drop=close;times=0"), 0)); });
  EXPECT_EQ(error.status(), 0);
}

TEST_F(EmulatorFaultsTest, AnAnswerCutAfterItsHeadersIsNeverASuccess) {
  Client client(emulator().client_options());
  EXPECT_THROW(chat(client, faulted(fault("drop=headers;times=0"), 0)), APIConnectionError);
  const std::string once = fault("drop=headers;times=1");
  EXPECT_EQ(chat(client, faulted(once))["choices"][0]["message"]["content"], "x");
  EXPECT_EQ(sent(once), 2);
}

TEST_F(EmulatorFaultsTest, AnAnswerShorterThanItsContentLengthIsNeverASuccess) {
  Client client(emulator().client_options());
  EXPECT_THROW(chat(client, faulted(fault("drop=partial;times=0"), 0)), APIConnectionError);
  const std::string once = fault("drop=partial;times=1");
  EXPECT_EQ(chat(client, faulted(once))["choices"][0]["message"]["content"], "x");
  EXPECT_EQ(sent(once), 2);
}

TEST_F(EmulatorFaultsTest, MalformedEmulatorHeadersAreBadRequests) {
  Client client(emulator().client_options());
  EXPECT_EQ(thrown<BadRequestError>([&] { chat(client, faulted("bogus=1")); }).code(),
            "emulator_bad_fault");
  EXPECT_EQ(thrown<BadRequestError>([&] {
              client.chat.completions.stream(chat_params("x"),
                                             with_header("x-emulator-stream", "bogus=1"));
            }).code(),
            "emulator_bad_stream");
  EXPECT_EQ(thrown<BadRequestError>([&] {
              client.docling.convert_source_async(
                  {{"sources", {{{"kind", "http"}, {"url", "https://example.com/a.pdf"}}}}},
                  with_header("x-emulator-task", "duration-ms=-1"));
            }).code(),
            "emulator_bad_task");
}

TEST_F(EmulatorFaultsTest, OpenAIValidationErrorsNameTheirParameter) {
  Client client(emulator().client_options());
  const auto not_object = thrown<BadRequestError>([&] {
    client.post("/v1/chat/completions", Json::array({1, 2}));
  });
  EXPECT_EQ(not_object.code(), "invalid_json");
  const auto missing = thrown<BadRequestError>([&] {
    client.chat.completions.create({{"messages", {{{"role", "user"}, {"content", "x"}}}}});
  });
  EXPECT_EQ(missing.code(), "missing_required_parameter");
  EXPECT_EQ(missing.param(), "model");
  const auto wrong_type = thrown<BadRequestError>([&] {
    client.chat.completions.create(
        {{"model", 5}, {"messages", {{{"role", "user"}, {"content", "x"}}}}});
  });
  EXPECT_EQ(wrong_type.code(), "invalid_type");
  EXPECT_EQ(wrong_type.param(), "model");
  const auto bad_value = thrown<BadRequestError>([&] {
    client.embeddings.create({{"model", "qwen3-embedding"}, {"input", "x"}, {"dimensions", 0}});
  });
  EXPECT_EQ(bad_value.code(), "invalid_value");
  EXPECT_EQ(bad_value.param(), "dimensions");
  const auto empty = thrown<BadRequestError>([&] {
    client.chat.completions.create({{"model", "mistral"}, {"messages", Json::array()}});
  });
  EXPECT_EQ(empty.code(), "empty_array");
  EXPECT_EQ(thrown<NotFoundError>([&] { client.get("/v1/no-such-route"); }).code(), "not_found");
}

TEST_F(EmulatorFaultsTest, AWrongKeyIsInvalidApiKey) {
  ClientOptions options = emulator().client_options();
  options.api_key = "sk-wrong-key-for-this-emulator";
  Client client(options);
  const auto error = thrown<AuthenticationError>([&] { client.get("/v1/models"); });
  EXPECT_EQ(error.code(), "invalid_api_key");
  EXPECT_EQ(error.type(), "invalid_request_error");
}

TEST_F(EmulatorFaultsTest, DoclingErrorShapes) {
  Client client(emulator().client_options());
  const auto unknown_node = thrown<NotFoundError>(
      [&] { client.docling.health(with_header("x-babyapi-docling-id", "docling-node-99")); });
  EXPECT_EQ(unknown_node.message(), "Unknown docling node: docling-node-99");
  const auto wrong_method =
      thrown<APIStatusError>([&] { client.post("/docling/health", Json::object()); });
  EXPECT_EQ(wrong_method.status(), 405);
  EXPECT_EQ(wrong_method.message(), "Method Not Allowed");
  EXPECT_EQ(thrown<NotFoundError>([&] { client.get("/docling/v1/nothing-here"); }).message(),
            "Not Found");
  const auto bad_kind = thrown<UnprocessableEntityError>([&] {
    client.docling.convert_source({{"sources", {{{"kind", "ftp"}, {"url", "ftp://x/y"}}}}});
  });
  EXPECT_NE(bad_kind.message().find("'ftp'"), std::string::npos) << bad_kind.message();
  const auto bad_wait = thrown<UnprocessableEntityError>(
      [&] { client.get("/docling/v1/status/poll/some-task?wait=soon"); });
  EXPECT_NE(bad_wait.message().find("valid number"), std::string::npos) << bad_wait.message();
  const auto no_task = thrown<NotFoundError>([&] { client.docling.poll_status("no-such-task"); });
  EXPECT_EQ(no_task.message(), "Task not found.");
}

TEST_F(EmulatorFaultsTest, DoclingTaskPlans) {
  Client client(emulator().client_options());
  const Json body = {{"sources", {{{"kind", "http"}, {"url", "https://example.com/p.pdf"}}}}};
  // duration-ms=0: the task has already ended when the submit answers.
  Response instant =
      client.docling.convert_source_async(body, with_header("x-emulator-task", "duration-ms=0"));
  EXPECT_EQ(instant["task_status"], "success");

  // A failed task: its poll carries docling-serve's failure object, and its result is a 200
  // TaskFailureResult, not a 404.
  Response failed = client.docling.convert_source_async(
      body, with_header("x-emulator-task", "fail=1;duration-ms=0"));
  RequestOptions pinned =
      with_header("x-babyapi-docling-id", failed["_babyapi_docling_id"].get<std::string>());
  const std::string id = failed["task_id"];
  Response status = client.docling.poll_status(id, pinned);
  EXPECT_EQ(status["task_status"], "failure");
  EXPECT_EQ(status["failure"]["message"], "Injected task failure");
  Response result = client.docling.get_result(id, pinned);
  EXPECT_EQ(result["kind"], "TaskFailureResult");
  EXPECT_EQ(result["failure"]["retryable"], false);

  // A task still running has no result yet.
  Response running =
      client.docling.convert_source_async(body, with_header("x-emulator-task", "hang=1"));
  const auto early = thrown<NotFoundError>([&] {
    client.docling.get_result(
        running["task_id"].get<std::string>(),
        with_header("x-babyapi-docling-id", running["_babyapi_docling_id"].get<std::string>()));
  });
  EXPECT_NE(early.message().find("Please wait"), std::string::npos) << early.message();
}

}  // namespace
}  // namespace babyapi
