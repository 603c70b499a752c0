#include "gemini_protocol.h"

#include <gtest/gtest.h>

namespace scribe::gemini {
namespace {

TEST(GeminiProtocolTest, TheRequestCarriesPromptDocumentAndConfig) {
  GenerationRequest request;
  request.document = "Doc text";
  request.max_output_tokens = 100;
  request.thinking_budget = 0;
  nlohmann::json body = nlohmann::json::parse(BuildRequestBody(request, ""));
  EXPECT_EQ(body["systemInstruction"]["parts"][0]["text"], kDefaultScriptPrompt);
  ASSERT_EQ(body["contents"].size(), 1u);
  EXPECT_EQ(body["contents"][0]["parts"][0]["text"], "Doc text");
  EXPECT_DOUBLE_EQ(body["generationConfig"]["temperature"].get<double>(), 0.7);
  EXPECT_EQ(body["generationConfig"]["maxOutputTokens"], 100);
  EXPECT_EQ(body["generationConfig"]["thinkingConfig"]["thinkingBudget"], 0);
}

TEST(GeminiProtocolTest, AContinuationReplaysThePartialAsTheModelsTurn) {
  GenerationRequest request;
  request.document = "Doc";
  request.prompt = "Custom.";
  nlohmann::json body = nlohmann::json::parse(BuildRequestBody(request, "So far ✓"));
  ASSERT_EQ(body["contents"].size(), 3u);
  EXPECT_EQ(body["contents"][1]["role"], "model");
  EXPECT_EQ(body["contents"][1]["parts"][0]["text"], "So far ✓");
  EXPECT_EQ(body["contents"][2]["parts"][0]["text"], kContinuePrompt);
  EXPECT_EQ(body["systemInstruction"]["parts"][0]["text"], "Custom.");
}

TEST(GeminiProtocolTest, ThoughtPartsAreNeverScriptText) {
  Chunk chunk = InterpretChunk(nlohmann::json::parse(R"({"candidates":[{"content":{"parts":[
      {"text":"thinking...","thought":true},{"text":"Hello"},{"text":"","thoughtSignature":"abc"}]},
      "index":0}],"usageMetadata":{"promptTokenCount":9,"thoughtsTokenCount":31},
      "modelVersion":"gemini-2.5-flash"})"));
  EXPECT_EQ(chunk.text, "Hello");
  EXPECT_EQ(chunk.prompt_tokens, 9);
  EXPECT_EQ(chunk.output_tokens, -1);  // absent counts stay unknown
  EXPECT_EQ(chunk.thinking_tokens, 31);
  EXPECT_EQ(chunk.model_version, "gemini-2.5-flash");
}

TEST(GeminiProtocolTest, ChunksWithoutCandidatesOrContentAreFine) {
  EXPECT_EQ(InterpretChunk(nlohmann::json::parse(R"({"usageMetadata":{}})")).text, "");
  Chunk finish = InterpretChunk(nlohmann::json::parse(
      R"({"candidates":[{"finishReason":"MALFORMED_FUNCTION_CALL","index":0,"finishMessage":"bad call"}]})"));
  EXPECT_EQ(finish.finish_reason, "MALFORMED_FUNCTION_CALL");
  EXPECT_EQ(finish.finish_message, "bad call");
  Chunk blocked =
      InterpretChunk(nlohmann::json::parse(R"({"promptFeedback":{"blockReason":"SAFETY"}})"));
  EXPECT_EQ(blocked.block_reason, "SAFETY");
}

TEST(GeminiProtocolTest, HttpErrorsMapToTheClassesTheHostActsOn) {
  auto classify = [](int status, const std::string& body) {
    return ClassifyHttpError(status, body);
  };
  EXPECT_EQ(
      classify(400,
               R"({"error":{"code":400,"status":"INVALID_ARGUMENT","message":"API key not valid.",
      "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}})")
          .error_class,
      SCRIBE_ERROR_AUTH);
  EXPECT_EQ(
      classify(400, R"({"error":{"code":400,"status":"INVALID_ARGUMENT","message":"too long"}})")
          .error_class,
      SCRIBE_ERROR_BAD_REQUEST);
  EXPECT_EQ(classify(403, R"({"error":{"code":403}})").error_class, SCRIBE_ERROR_AUTH);
  EXPECT_EQ(classify(404, R"({"error":{"code":404}})").error_class, SCRIBE_ERROR_MODEL_NOT_FOUND);
  Failure wait =
      classify(429, R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"quota",
      "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"47s"}]}})");
  EXPECT_EQ(wait.error_class, SCRIBE_ERROR_RATE_LIMITED);
  EXPECT_EQ(wait.retry_after_ms, 47000);
  EXPECT_EQ(classify(429, R"({"error":{"code":429,"message":"credits depleted"}})").error_class,
            SCRIBE_ERROR_QUOTA);
  EXPECT_EQ(classify(500, "").error_class, SCRIBE_ERROR_UNAVAILABLE);
  EXPECT_EQ(classify(503, R"([{"error":{"code":503,"status":"UNAVAILABLE"}}])").code,
            "UNAVAILABLE");
  EXPECT_EQ(classify(504, "").error_class, SCRIBE_ERROR_TIMEOUT);
}

TEST(GeminiProtocolTest, FinishReasonsEndTheJobWithTheirReason) {
  EXPECT_EQ(ClassifyFinishReason("MAX_TOKENS", "").error_class, SCRIBE_ERROR_INCOMPLETE);
  Failure safety = ClassifyFinishReason("SAFETY", "");
  EXPECT_EQ(safety.error_class, SCRIBE_ERROR_BLOCKED);
  EXPECT_EQ(safety.code, "SAFETY");
  EXPECT_EQ(ClassifyFinishReason("RECITATION", "").error_class, SCRIBE_ERROR_BLOCKED);
}

TEST(GeminiProtocolTest, ParsesRetryDelays) {
  EXPECT_EQ(ParseDuration("47s"), 47000);
  EXPECT_EQ(ParseDuration("1.5s"), 1500);
  EXPECT_EQ(ParseDuration("0.0001s"), 1);
  EXPECT_EQ(ParseDuration("47"), -1);
  EXPECT_EQ(ParseDuration("-1s"), -1);
  EXPECT_EQ(ParseDuration("abc"), -1);
}

}  // namespace
}  // namespace scribe::gemini

namespace scribe::gemini {
namespace {

// Found by fuzz_provider_events: fields of the wrong type, absurd delays.
TEST(GeminiProtocolTest, MalformedErrorsAreClassifiedNotThrown) {
  Failure failure = ClassifyHttpError(
      429,
      R"({"error":{"code":429,"message":["not","a","string"],"status":7,"details":[1,{"@type":5}]}})");
  EXPECT_EQ(failure.message, "the Gemini API answered HTTP 429");
  EXPECT_EQ(ParseDuration("1e300s"), -1);
  EXPECT_EQ(ParseDuration("-1s"), -1);
  EXPECT_EQ(ParseDuration("1.5s"), 1500);
}

}  // namespace
}  // namespace scribe::gemini
