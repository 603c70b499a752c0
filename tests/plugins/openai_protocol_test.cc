#include "openai_protocol.h"

#include <gtest/gtest.h>

namespace scribe::openai {
namespace {

TEST(OpenAiProtocolTest, TheRequestStreamsWithUsage) {
  ChatRequest request;
  request.model = "gpt-x";
  request.document = "Doc";
  nlohmann::json body = nlohmann::json::parse(BuildRequestBody(request, "So far"));
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
  EXPECT_FALSE(body.contains("max_tokens"));
  ASSERT_EQ(body["messages"].size(), 4u);
  EXPECT_EQ(body["messages"][2]["role"], "assistant");
  EXPECT_EQ(body["messages"][2]["content"], "So far");
}

TEST(OpenAiProtocolTest, DeltasGiveTextButNeverReasoning) {
  Delta role = InterpretData(
      R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})");
  EXPECT_EQ(role.text, "");
  EXPECT_FALSE(role.has_usage);
  Delta thinking =
      InterpretData(R"({"choices":[{"index":0,"delta":{"reasoning_content":"hmm"}}]})");
  EXPECT_EQ(thinking.text, "");
  Delta text = InterpretData(R"({"model":"m","choices":[{"index":0,"delta":{"content":"Hi ✓"}}]})");
  EXPECT_EQ(text.text, "Hi ✓");
  EXPECT_EQ(text.model, "m");
  Delta finish = InterpretData(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})");
  EXPECT_EQ(finish.finish_reason, "stop");
  Delta usage = InterpretData(R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5,
      "completion_tokens_details":{"reasoning_tokens":3}}})");
  EXPECT_TRUE(usage.has_usage);
  EXPECT_EQ(usage.prompt_tokens, 12);
  EXPECT_EQ(usage.reasoning_tokens, 3);
  EXPECT_TRUE(InterpretData("[DONE]").done);
}

TEST(OpenAiProtocolTest, InBandErrorsInEveryDialect) {
  Delta openai = InterpretData(R"({"error":{"message":"boom","type":"server_error","code":503}})");
  ASSERT_TRUE(openai.error);
  EXPECT_EQ(openai.error->error_class, SCRIBE_ERROR_UNAVAILABLE);
  Delta vllm_old =
      InterpretData(R"({"object":"error","message":"bad","type":"BadRequestError","code":400})");
  ASSERT_TRUE(vllm_old.error);
  EXPECT_EQ(vllm_old.error->error_class, SCRIBE_ERROR_BAD_REQUEST);
  EXPECT_TRUE(InterpretData("not json").error);
}

TEST(OpenAiProtocolTest, HttpErrorsMapToTheClassesTheHostActsOn) {
  EXPECT_EQ(
      ClassifyHttpError(401, R"({"error":{"message":"bad key","code":"invalid_api_key"}})", "", "")
          .error_class,
      SCRIBE_ERROR_AUTH);
  EXPECT_EQ(ClassifyHttpError(404, R"({"error":"model 'x' not found"})", "", "").message,
            "model 'x' not found");
  Failure quota =
      ClassifyHttpError(429, R"({"error":{"code":"insufficient_quota","message":"q"}})", "", "");
  EXPECT_EQ(quota.error_class, SCRIBE_ERROR_QUOTA);
  Failure limited = ClassifyHttpError(429, R"({"error":{"code":"rate_limit_exceeded"}})", "2", "");
  EXPECT_EQ(limited.error_class, SCRIBE_ERROR_RATE_LIMITED);
  EXPECT_EQ(limited.retry_after_ms, 2000);
  EXPECT_EQ(ClassifyHttpError(429, "{}", "2", "350").retry_after_ms, 350);
  EXPECT_EQ(ClassifyHttpError(500, "", "", "").error_class, SCRIBE_ERROR_UNAVAILABLE);
  EXPECT_EQ(
      ClassifyHttpError(400, R"({"error":{"message":"context too long"}})", "", "").error_class,
      SCRIBE_ERROR_BAD_REQUEST);
}

}  // namespace
}  // namespace scribe::openai

namespace scribe::openai {
namespace {

// Found by fuzz_provider_events: a Retry-After no server means.
TEST(OpenAiProtocolTest, AbsurdRetryAfterValuesAreIgnored) {
  EXPECT_EQ(ClassifyHttpError(429, "{}", "1e43", "").retry_after_ms, -1);
  EXPECT_EQ(ClassifyHttpError(429, "{}", "", "-5").retry_after_ms, -1);
  EXPECT_EQ(ClassifyHttpError(429, "{}", "2", "").retry_after_ms, 2000);
}

}  // namespace
}  // namespace scribe::openai
