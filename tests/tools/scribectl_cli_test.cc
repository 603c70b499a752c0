// scribectl's pieces that need no host: argument parsing, durations, the
// human formats, metrics parsing and how failures become exit codes.
#include <gtest/gtest.h>

#include <sstream>

#include "tools/scribectl/cli.h"
#include "tools/scribectl/host_client.h"
#include "tools/scribectl/render.h"
#include "tools/scribectl/source.h"

namespace scribe::ctl {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"follow", 'f', false}, {"from", 0, true}, {"param", 0, true}, {"json", 0, false}};

TEST(ArgsTest, TakesOptionsAnywhereInEveryForm) {
  Result<Args> args = Args::Parse(
      {"job_1", "-f", "--from", "-20", "--param=a=1", "--param", "b=2", "--json"}, kSpecs);
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_EQ(args->positional(), std::vector<std::string>{"job_1"});
  EXPECT_TRUE(args->Has("follow"));
  EXPECT_EQ(args->Value("from"), "-20") << "a value may start with a dash";
  EXPECT_EQ(args->Values("param"), (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_FALSE(args->Value("missing").has_value());
}

TEST(ArgsTest, RefusesUnknownOptionsAndMissingValues) {
  EXPECT_EQ(Args::Parse({"--nope"}, kSpecs).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Args::Parse({"--from"}, kSpecs).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Args::Parse({"--follow=yes"}, kSpecs).status().code(), Code::kInvalidArgument);
  Result<Args> dashed = Args::Parse({"--", "--json", "-"}, kSpecs);
  ASSERT_TRUE(dashed.ok());
  EXPECT_EQ(dashed->positional(), (std::vector<std::string>{"--json", "-"}));
}

TEST(DurationTest, ParsesUnitsAndRefusesTheRest) {
  EXPECT_EQ(*ParseDuration("45s"), 45'000);
  EXPECT_EQ(*ParseDuration("30d"), 30LL * 86'400'000);
  EXPECT_EQ(*ParseDuration("2w"), 14LL * 86'400'000);
  EXPECT_EQ(*ParseDuration("500ms"), 500);
  EXPECT_EQ(*ParseDuration("0s"), 0);
  for (const char* bad : {"", "d", "10", "-5m", "1.5h", "3 days", "99999999999999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
  EXPECT_EQ(*ParseSince("2h", 10'000'000), 10'000'000 - 7'200'000);
  EXPECT_EQ(*ParseSince("1970-01-01T00:00:01Z", 0), 1000);
  EXPECT_FALSE(ParseSince("yesterday", 0).ok());
}

TEST(RenderTest, FormatsSizesAgesAndDurations) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(5 * 1024 * 1024), "5.0 MiB");
  EXPECT_EQ(FormatAge(59'000), "59s");
  EXPECT_EQ(FormatAge(30 * 60'000), "30m");
  EXPECT_EQ(FormatAge(5 * 3'600'000), "5h");
  EXPECT_EQ(FormatAge(3 * 86'400'000LL), "3d");
  EXPECT_EQ(FormatAge(-5), "0s") << "clock skew never shows a negative age";
  EXPECT_EQ(FormatDuration(1234), "1.2 s");
  EXPECT_EQ(FormatDuration(245'000), "4m05s");
  EXPECT_EQ(FormatDuration(7'800'000), "2h10m");
}

TEST(RenderTest, AbbreviatesByCharactersNotBytes) {
  EXPECT_EQ(Abbreviate("short", 10), "short");
  EXPECT_EQ(Abbreviate("Ünïcödé text", 5), "Ünïc…");
  EXPECT_EQ(Abbreviate("two\nlines", 20), "two lines");
}

TEST(RenderTest, TablesAlignByVisibleWidthEvenWithColour) {
  Table table({"ID", "STATE", "NOTE"});
  table.Add({"job_1", "\033[32msucceeded\033[0m", "ünï"});
  table.Add({"job_22", "failed", ""});
  std::ostringstream out;
  table.Print(out, Style());
  EXPECT_EQ(out.str(),
            "ID      STATE      NOTE\n"
            "job_1   \033[32msucceeded\033[0m  ünï\n"
            "job_22  failed\n");
}

TEST(MetricsTest, ReadsTheHostsPrometheusText) {
  Stats stats = ParseMetrics(
      "# HELP scribe_jobs Jobs.\n# TYPE scribe_jobs gauge\n"
      "scribe_jobs{state=\"queued\"} 2\nscribe_jobs{state=\"succeeded\"} 40\n"
      "scribe_provider_attempts_total{provider=\"offline\"} 41\n"
      "scribe_provider_tokens_total{provider=\"offline\",kind=\"output\"} 900\n"
      "scribe_bytes_appended_total 123456\nscribe_chunks_appended_total 789\n"
      "scribe_generations_running 1\nscribe_sse_viewers 3\n"
      "scribe_commit_latency_seconds_sum 0.5\nscribe_commit_latency_seconds_count 100\n");
  EXPECT_EQ(stats.jobs_by_state["queued"], 2);
  EXPECT_EQ(stats.jobs_by_state["succeeded"], 40);
  EXPECT_EQ(stats.provider_attempts["offline"], 41);
  EXPECT_EQ(stats.provider_tokens["offline"]["output"], 900);
  EXPECT_EQ(stats.bytes_appended, 123456);
  EXPECT_EQ(stats.chunks_appended, 789);
  EXPECT_EQ(stats.generations_running, 1);
  EXPECT_EQ(stats.sse_viewers, 3);
  EXPECT_EQ(stats.commits, 100);
  EXPECT_DOUBLE_EQ(*stats.commit_seconds, 0.5);
}

TEST(ExitCodeTest, HostAnswersBecomeDocumentedExitCodes) {
  auto code_of = [](int status, const std::string& body) {
    return ExitCodeFor(StatusFromResponse(HostResponse{status, {}, body}));
  };
  EXPECT_EQ(code_of(200, ""), kExitOk);
  EXPECT_EQ(code_of(400, R"({"error":{"code":"invalid_state","message":"bad"}})"), kExitUsage);
  EXPECT_EQ(code_of(404, ""), kExitNotFound);
  EXPECT_EQ(code_of(409, ""), kExitConflict);
  EXPECT_EQ(code_of(416, ""), kExitUsage);
  EXPECT_EQ(code_of(503, ""), kExitUnavailable);
  EXPECT_EQ(code_of(500, "not json"), kExitError);
  Status status = StatusFromResponse(
      HostResponse{404, {}, R"({"error":{"code":"job_not_found","message":"no job"}})"});
  EXPECT_EQ(status.reason(), "job_not_found");
  EXPECT_EQ(status.message(), "no job");
  EXPECT_EQ(ExitCodeFor(Unavailable("host_unreachable", "x")), kExitUnavailable);
}

}  // namespace
}  // namespace scribe::ctl
