// The job lifecycle through the HTTP API: cancel, fail, continue, retry,
// delete, idempotent submission, documents, providers and metrics.
#include <map>
#include <thread>

#include "tests/e2e/host_fixture.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

class LifecycleTest : public HostTest {};

TEST_F(LifecycleTest, CancelKeepsThePartialAndContinueCompletesItExactly) {
  std::string id = SubmitOffline(port(), Document(4), 150);
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  ASSERT_TRUE(viewer.ReadUntil(
      [](const SseEvent& e) { return e.event == "token" && std::stoll(e.id) > 120; }));

  HttpResponse cancel = Http(port(), "POST", "/api/jobs/" + id + "/cancel");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  nlohmann::json job = cancel.Json();
  EXPECT_EQ(job["state"], "cancelled");
  int64_t kept = job["output_bytes"];
  EXPECT_GT(kept, 120);
  ASSERT_TRUE(viewer.ReadToEnd());
  EXPECT_EQ(viewer.events().back().event, "cancelled");
  EXPECT_EQ(viewer.events().back().id, std::to_string(kept));

  std::string script = Script(4);
  std::string partial = Output(id);
  EXPECT_EQ(static_cast<int64_t>(partial.size()), kept);
  EXPECT_EQ(partial, script.substr(0, partial.size()));
  EXPECT_EQ(viewer.Text(), partial);

  // Cancelling again: it already finished.
  EXPECT_EQ(Http(port(), "POST", "/api/jobs/" + id + "/cancel").status, 409);
  // The plugin stopped: no generation runs any more, and no byte was added.
  bool stopped = false;
  for (int i = 0; i < 250 && !stopped; ++i) {
    stopped = Http(port(), "GET", "/metrics").body.find("scribe_generations_running 0\n") !=
              std::string::npos;
    if (!stopped) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(stopped);
  EXPECT_EQ(Http(port(), "GET", "/api/jobs/" + id).Json()["output_bytes"], kept);

  HttpResponse resumed = Http(port(), "POST", "/api/jobs/" + id + "/continue");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  // A viewer resuming at the partial's end sees the rest, no restart.
  SseClient rest;
  ASSERT_TRUE(rest.Open(port(), "/api/jobs/" + id + "/events", std::to_string(kept)));
  ASSERT_TRUE(rest.ReadToEnd());
  EXPECT_EQ(rest.events().back().event, "complete");
  EXPECT_EQ(partial + rest.Text(), script);
  EXPECT_EQ(Output(id), script);

  nlohmann::json done = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(done["attempts"], 2);
  ASSERT_EQ(done["history"]["attempts"].size(), 2u);
  EXPECT_EQ(done["history"]["attempts"][0]["state"], "cancelled");
  EXPECT_EQ(done["history"]["attempts"][1]["start_offset"], kept);
}

TEST_F(LifecycleTest, ARetryableFailureAfterTheFirstBytesIsContinuedAutomatically) {
  // Paced, so that the viewer watches the switch to the second attempt.
  std::string id = SubmitOffline(port(), Document(3), 400, {{"fail_after_bytes", 300}});
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  ASSERT_TRUE(viewer.ReadToEnd());
  EXPECT_EQ(viewer.events().back().event, "complete");
  EXPECT_EQ(viewer.Text(), Script(3));
  bool saw_second_attempt = false;
  for (const SseEvent& e : viewer.events()) {
    if (e.event == "status" && e.Json()["attempt"] == 2) saw_second_attempt = true;
  }
  EXPECT_TRUE(saw_second_attempt);
  nlohmann::json job = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_EQ(job["state"], "succeeded");
  ASSERT_EQ(job["history"]["attempts"].size(), 2u);
  EXPECT_EQ(job["history"]["attempts"][0]["state"], "failed");
  EXPECT_EQ(job["history"]["attempts"][0]["error"]["code"], "provider_unavailable");
  EXPECT_GE(job["history"]["attempts"][1]["start_offset"].get<int64_t>(), 300);
  EXPECT_EQ(Output(id), Script(3));
}

class NoAutoContinueTest : public HostTest {
 protected:
  std::vector<std::string> HostArgs() override { return {"--auto-continues", "0"}; }
};

TEST_F(NoAutoContinueTest, AFailedJobKeepsItsTextAndContinueFinishesIt) {
  std::string id = SubmitOffline(port(), Document(3), 0, {{"fail_after_bytes", 300}});
  SseClient viewer;
  ASSERT_TRUE(viewer.Open(port(), "/api/jobs/" + id + "/events"));
  ASSERT_TRUE(viewer.ReadToEnd());
  const SseEvent& error = viewer.events().back();
  ASSERT_EQ(error.event, "error");
  nlohmann::json data = error.Json();
  EXPECT_EQ(data["type"], "error");
  EXPECT_EQ(data["code"], "provider_unavailable");
  EXPECT_EQ(data["retryable"], true);
  EXPECT_EQ(data["partial"], true);
  EXPECT_FALSE(data["message"].get<std::string>().empty());

  nlohmann::json job = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_EQ(job["state"], "failed");
  EXPECT_EQ(job["error"]["code"], "provider_unavailable");
  EXPECT_EQ(job["error"]["detail"], "simulated_failure");
  std::string script = Script(3);
  std::string partial = Output(id);
  EXPECT_GE(partial.size(), 300u);
  EXPECT_EQ(partial, script.substr(0, partial.size()));
  EXPECT_EQ(viewer.Text(), partial);

  ASSERT_EQ(Http(port(), "POST", "/api/jobs/" + id + "/continue").status, 200);
  nlohmann::json done = WaitForState(port(), id, {"succeeded", "failed"});
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(done["error"], nullptr);
  EXPECT_EQ(Output(id), script);
  EXPECT_EQ(Http(port(), "POST", "/api/jobs/" + id + "/continue").status, 409);
}

TEST_F(LifecycleTest, ASecondHostOnTheSameDatabaseRefusesToStart) {
  ProcessResult second =
      RunProcess({BinDir() + "/scribed", "--listen", "127.0.0.1:0", "--db", dir_.File("scribe.db"),
                  "--plugins", PluginDir(), "--auth", "off"},
                 "", {}, 15);
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("is in use by another scribed"), std::string::npos) << second.err;
  EXPECT_EQ(Http(port(), "GET", "/healthz").status, 200) << "the first host is untouched";
}

TEST_F(LifecycleTest, RetryCreatesANewJobLinkedToItsParent) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  HttpResponse retry = Http(port(), "POST", "/api/jobs/" + id + "/retry");
  ASSERT_EQ(retry.status, 201) << retry.body;
  std::string child = retry.Json()["id"];
  EXPECT_NE(child, id);
  EXPECT_EQ(retry.Json()["parent_id"], id);
  WaitForState(port(), child, {"succeeded"});
  EXPECT_EQ(Output(child), Output(id));
  nlohmann::json parent = Http(port(), "GET", "/api/jobs/" + id).Json();
  EXPECT_EQ(parent["history"]["children"], nlohmann::json::array({child}));
}

TEST_F(LifecycleTest, AnIdempotencyKeyMakesARetriedSubmitReturnTheSameJob) {
  nlohmann::json body = {{"content", "Same request."}, {"params", {{"chunks_per_second", 0}}}};
  HttpResponse first = Http(port(), "POST", "/api/jobs", body.dump(), "application/json",
                            {{"Idempotency-Key", "abc-123"}});
  ASSERT_EQ(first.status, 201);
  HttpResponse again = Http(port(), "POST", "/api/jobs", body.dump(), "application/json",
                            {{"Idempotency-Key", "abc-123"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(again.Json()["id"], first.Json()["id"]);
  body["content"] = "A different request.";
  HttpResponse other = Http(port(), "POST", "/api/jobs", body.dump(), "application/json",
                            {{"Idempotency-Key", "abc-123"}});
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(other.Json()["error"]["code"], "idempotency_key_reused");
  EXPECT_EQ(Http(port(), "GET", "/api/jobs").Json()["jobs"].size(), 1u);
}

TEST_F(LifecycleTest, DeletingAFinishedJobRemovesItAndItsLog) {
  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  EXPECT_EQ(Http(port(), "DELETE", "/api/jobs/" + id).status, 204);
  EXPECT_EQ(Http(port(), "GET", "/api/jobs/" + id).status, 404);
  EXPECT_EQ(Http(port(), "GET", "/api/jobs/" + id + "/output").status, 404);
  EXPECT_EQ(Http(port(), "DELETE", "/api/jobs/" + id).status, 404);
}

TEST_F(LifecycleTest, DocumentsAreStoredListedUsedAndDeleted) {
  HttpResponse json_doc = Http(port(), "POST", "/api/documents",
                               nlohmann::json{{"title", "Cells"}, {"content", Document(1)}}.dump());
  ASSERT_EQ(json_doc.status, 201) << json_doc.body;
  std::string doc_id = json_doc.Json()["id"];
  EXPECT_EQ(json_doc.Header("location"), "/api/documents/" + doc_id);
  HttpResponse text_doc = Http(port(), "POST", "/api/documents?title=Notes",
                               "Plain *markdown* text.", "text/markdown; charset=utf-8");
  ASSERT_EQ(text_doc.status, 201) << text_doc.body;
  EXPECT_EQ(text_doc.Json()["title"], "Notes");

  nlohmann::json list = Http(port(), "GET", "/api/documents").Json();
  ASSERT_EQ(list["documents"].size(), 2u);
  EXPECT_EQ(list["documents"][0]["id"], text_doc.Json()["id"]);  // newest first
  nlohmann::json full = Http(port(), "GET", "/api/documents/" + doc_id).Json();
  EXPECT_EQ(full["content"], Document(1));

  HttpResponse job =
      Http(port(), "POST", "/api/jobs",
           nlohmann::json{{"document_id", doc_id}, {"params", {{"chunks_per_second", 0}}}}.dump());
  ASSERT_EQ(job.status, 201) << job.body;
  EXPECT_EQ(job.Json()["document_id"], doc_id);
  EXPECT_EQ(job.Json()["title"], "Cells");
  std::string job_id = job.Json()["id"];
  WaitForState(port(), job_id, {"succeeded"});
  EXPECT_EQ(Output(job_id), offline::Narrate("Cells", Document(1)));

  EXPECT_EQ(Http(port(), "DELETE", "/api/documents/" + doc_id).status, 204);
  EXPECT_EQ(Http(port(), "GET", "/api/documents/" + doc_id).status, 404);
  // The job copied its input: it still has its output and can be retried.
  EXPECT_EQ(Http(port(), "POST", "/api/jobs/" + job_id + "/retry").status, 201);
}

TEST_F(LifecycleTest, ListingFiltersByStateAndPaginates) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(SubmitOffline(port(), "Doc " + std::to_string(i), 0));
  for (const std::string& id : ids) WaitForState(port(), id, {"succeeded"});
  nlohmann::json page = Http(port(), "GET", "/api/jobs?limit=3&state=succeeded").Json();
  ASSERT_EQ(page["jobs"].size(), 3u);
  EXPECT_EQ(page["jobs"][0]["id"], ids[4]);
  std::string cursor = page["next_cursor"];
  nlohmann::json next =
      Http(port(), "GET", "/api/jobs?limit=3&state=succeeded&cursor=" + cursor).Json();
  ASSERT_EQ(next["jobs"].size(), 2u);
  EXPECT_EQ(next["jobs"][1]["id"], ids[0]);
  EXPECT_EQ(next["next_cursor"], nullptr);
  EXPECT_TRUE(Http(port(), "GET", "/api/jobs?state=failed").Json()["jobs"].empty());
  EXPECT_EQ(Http(port(), "GET", "/api/jobs?provider=offline").Json()["jobs"].size(), 5u);
}

TEST_F(LifecycleTest, ProvidersHealthAndMetricsDescribeTheHost) {
  nlohmann::json providers = Http(port(), "GET", "/api/providers").Json();
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& p : providers["providers"]) by_name[p["name"]] = p;
  ASSERT_TRUE(by_name.count("offline"));
  EXPECT_EQ(by_name["offline"]["configured"], true);
  EXPECT_EQ(by_name["offline"]["default_model"], "narrator");
  ASSERT_TRUE(by_name.count("gemini"));
  EXPECT_EQ(by_name["gemini"]["configured"], false);  // no key in the test environment
  EXPECT_EQ(by_name["gemini"]["configuration_hint"], "set GOOGLE_API_KEY");
  EXPECT_EQ(Http(port(), "GET", "/healthz").Json()["status"], "ok");
  HttpResponse openapi = Http(port(), "GET", "/api/openapi.json");
  EXPECT_EQ(openapi.Header("content-type"), "application/json");
  EXPECT_EQ(openapi.Json()["openapi"], "3.1.0");

  std::string id = SubmitOffline(port(), Document(1), 0);
  WaitForState(port(), id, {"succeeded"});
  HttpResponse metrics = Http(port(), "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.Header("content-type").find("text/plain"), std::string::npos);
  for (const char* line : {"scribe_jobs{state=\"succeeded\"} 1", "scribe_sse_viewers ",
                           "scribe_chunks_appended_total ", "scribe_bytes_appended_total ",
                           "scribe_commit_latency_seconds_bucket{le=\"+Inf\"}"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << "\n" << metrics.body;
  }
  EXPECT_NE(metrics.body.find("scribe_bytes_appended_total " + std::to_string(Script(1).size())),
            std::string::npos);
}

}  // namespace
}  // namespace scribe::testing
