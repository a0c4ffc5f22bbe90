// mock-kong --bench against real plugin servers: the figures it reports,
// the load shapes, the answers it checks, and the gate's verdicts and exit
// statuses. Nothing here depends on how fast the machine is: the gate's own
// timing tests are in bench_gate_test.cc.
#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace kong::test {
namespace {

class Bench : public ::testing::Test {
 protected:
  CommandResult RunBench(const std::string& options, const std::string& fixture,
                         const std::string& plugin = kHelloBin) {
    return RunCommand(
        std::string(kMockKongBin) + " --bench " + fixture + " " + options + " " + plugin,
        std::chrono::minutes(3));
  }
  nlohmann::json ReadJson(const std::string& file) { return nlohmann::json::parse(ReadFile(file)); }
  std::string hello_ = Source("examples/hello/fixtures/hello.json");
  ScratchDir dir_;
};

TEST_F(Bench, ReportsEveryFigureOfEachCaseAndOverallAsTextAndJson) {
  const std::string json = dir_.file("bench.json");
  const auto run = RunBench("--events 300 --warmup 0 --json " + json, hello_);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  for (const char* heading : {"events/s", "p50", "p90", "p99", "p99.9", "max", "server CPU/ev",
                              "mock-kong CPU/ev", "PDK calls/ev", "server RSS:"})
    EXPECT_NE(run.out.find(heading), std::string::npos) << heading << "\n" << run.out;
  EXPECT_NE(run.out.find("\noverall "), std::string::npos) << run.out;

  const auto report = ReadJson(json);
  EXPECT_EQ(report["format"], "mock-kong-bench/1");
  EXPECT_EQ(report["plugin"], "hello");
  EXPECT_EQ(report["protocol"], "MsgPack:1");
  ASSERT_EQ(report["cases"].size(), 4u);
  for (const auto& c : report["cases"]) {
    const auto& t = c["trials"].at(0);
    EXPECT_EQ(t["events"], 300) << c["name"];
    // hello asks for the host, then sets its header: two PDK calls an event.
    EXPECT_EQ(t["pdk_calls_per_event"], 2.0) << c["name"];
    EXPECT_GT(t["events_per_second"].get<double>(), 0) << c["name"];
    EXPECT_GT(t["server_cpu_us_per_event"].get<double>(), 0) << c["name"];
    EXPECT_GT(t["mock_kong_cpu_us_per_event"].get<double>(), 0) << c["name"];
    EXPECT_GT(t["server_rss_kib"]["peak"].get<double>(), 0) << c["name"];
    const double p50 = t["p50_us"], p90 = t["p90_us"], p99 = t["p99_us"], p999 = t["p99.9_us"],
                 max = t["max_us"];
    EXPECT_LE(p50, p90);
    EXPECT_LE(p90, p99);
    EXPECT_LE(p99, p999);
    EXPECT_LE(p999, max);
  }
  EXPECT_EQ(report["overall"]["trials"][0]["events"], 1200);
}

TEST_F(Bench, AnOpenLoopStartsExactlyTheEventsItsRateSchedules) {
  const std::string json = dir_.file("bench.json");
  const auto run = RunBench("--rate 400 --duration 0.5 --warmup 0 --concurrency 8 --json " + json +
                                " --case 'greets the host named in the Host header'",
                            hello_);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("open loop at 400 events/s"), std::string::npos) << run.out;
  EXPECT_EQ(ReadJson(json)["cases"][0]["trials"][0]["events"], 200) << run.out;
}

TEST_F(Bench, RepeatedTrialsAreEachKeptInTheReport) {
  const std::string json = dir_.file("bench.json");
  const auto run = RunBench("--events 50 --warmup 0 --repeat 3 --json " + json, hello_);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto report = ReadJson(json);
  for (const auto& c : report["cases"])
    EXPECT_EQ(c["trials"].size(), 3u) << c["name"];
  EXPECT_EQ(report["overall"]["trials"].size(), 3u);
}

TEST_F(Bench, AWrongAnswerUnderLoadFailsTheBenchmarkNamingTheCase) {
  auto fixture = nlohmann::json::parse(ReadFile(hello_));
  fixture["cases"][1]["expect"]["response"]["headers"]["X-Hello-From-Cpp"] = "C++ says bye";
  const std::string file = dir_.file("wrong.json");
  WriteFile(file, fixture.dump());
  const auto run = RunBench("--events 100 --warmup 0", file);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("FAIL takes the host from the URL when no Host header is sent "
                         "(cases[1])"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("expected \"C++ says bye\", got \"C++ says hi to api.internal:8000\""),
            std::string::npos)
      << run.out;
}

TEST_F(Bench, APluginThatCrashesFailsTheBenchmarkNamingTheCaseAndTheSignalOnce) {
  auto fixture = nlohmann::json::parse(ReadFile(Source("tests/plugins/planted-bugs.json")));
  auto crashing = fixture["cases"][0];
  crashing["name"] = "crashes on a long note";
  crashing["request"]["headers"]["X-Note"] = std::string(80, 'x');
  fixture["cases"] = nlohmann::json::array({crashing});
  const std::string file = dir_.file("crash.json");
  WriteFile(file, fixture.dump());
  const auto run = RunBench("--events 100 --warmup 0", file, kPlantedBugsBin);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("FAIL crashes on a long note (cases[0])"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("was killed by signal 11 (SIGSEGV) in the access phase"),
            std::string::npos)
      << run.out;
  // The fault's report carries the server's last output: not twice.
  EXPECT_EQ(run.out.find("the plugin's last output"), std::string::npos) << run.out;
}

TEST_F(Bench, RunsAPluginOverProtobuf) {
  const auto run = RunBench("--events 200 --warmup 0 --concurrency 3", hello_,
                            std::string(kHelloBin) + " -protocol ProtoBuf:1");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("(ProtoBuf:1)"), std::string::npos) << run.out;
}

TEST_F(Bench, AGateAgainstABaselineOfAnotherPluginNamesTheCasesItCannotCompare) {
  const std::string baseline = dir_.file("baseline.json");
  auto first = RunBench("--events 50 --warmup 0 --repeat 2 --save-baseline " + baseline +
                            " --case 'greets the host named in the Host header'",
                        hello_);
  ASSERT_EQ(first.exit_code, 0) << first.out;
  const auto gate = RunBench(
      "--events 50 --warmup 0 --repeat 2 --baseline " + baseline + " --case 'takes the host*'",
      hello_);
  EXPECT_EQ(gate.exit_code, 0) << gate.out;
  EXPECT_NE(gate.out.find("note: takes the host from the URL when no Host header is sent: not in "
                          "the baseline, not compared"),
            std::string::npos)
      << gate.out;
  EXPECT_NE(gate.out.find("note: greets the host named in the Host header: in the baseline "
                          "only, not measured now"),
            std::string::npos)
      << gate.out;
}

TEST_F(Bench, TheGateTableHasAVerdictForEachGatedFigure) {
  const std::string baseline = dir_.file("baseline.json");
  const std::string one_case = " --case 'greets the host named in the Host header'";
  ASSERT_EQ(
      RunBench("--events 100 --warmup 0 --repeat 4 --save-baseline " + baseline + one_case, hello_)
          .exit_code,
      0);
  const auto gate = RunBench("--events 100 --warmup 0 --repeat 4 --baseline " + baseline +
                                 " --max-regression cpu=1000%,p99=1000%,calls=0%" + one_case,
                             hello_);
  ASSERT_EQ(gate.exit_code, 0) << gate.out;
  EXPECT_NE(gate.out.find("case  "), std::string::npos) << gate.out;
  for (const char* column : {"metric", "baseline", "now", "change", "p-value", "verdict"})
    EXPECT_NE(gate.out.find(column), std::string::npos) << column << "\n" << gate.out;
  for (const char* row : {"cpu ±1000%", "p99 ±1000%", "calls ±0%"})
    EXPECT_NE(gate.out.find(row), std::string::npos) << row << "\n" << gate.out;
  // Two PDK calls an event, before and now: the same, whatever the noise.
  EXPECT_TRUE(std::regex_search(
      gate.out, std::regex("calls ±0% +2\\.0 +2\\.0 +\\+0\\.0% +1\\.000 +no change")))
      << gate.out;
  EXPECT_NE(gate.out.find("mock-kong: no regression"), std::string::npos) << gate.out;
}

TEST_F(Bench, ABaselineThatCannotBeReadStopsTheRunBeforeThePluginStarts) {
  const std::string bad = dir_.file("bad.json");
  WriteFile(bad, "{\"format\": \"something else\"}");
  const auto run = RunBench("--events 10 --baseline " + bad, hello_);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find(bad + ": not a mock-kong --bench report"), std::string::npos) << run.out;
  const auto missing = RunBench("--events 10 --baseline " + dir_.file("none.json"), hello_);
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.out.find("cannot read the baseline"), std::string::npos) << missing.out;
}

TEST_F(Bench, AMaxRegressionItCannotReadNamesTheMetricsThereAre) {
  const auto run = RunBench(
      "--events 10 --baseline " + dir_.file("none.json") + " --max-regression cpu=5%,latency=5%",
      hello_);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("--max-regression: latency=5%: no metric latency (the metrics: eps, p50, "
                         "p90, p99, p99.9, cpu, calls, instructions)"),
            std::string::npos)
      << run.out;
}

TEST_F(Bench, InstructionsPerEventOfTheCppHelloRepeatWithinOnePercentOverThreeRuns) {
  if (kSlowdown > 1)
    GTEST_SKIP() << "Valgrind cannot run a sanitizer build's plugin";
  std::vector<double> counts;
  for (int run = 0; run < 3; ++run) {
    const std::string json = dir_.file("count" + std::to_string(run) + ".json");
    const auto bench = RunBench("--events 10 --warmup 0 --instructions --json " + json +
                                    " --case 'greets the host named in the Host header'",
                                hello_);
    ASSERT_EQ(bench.exit_code, 0) << bench.out;
    EXPECT_NE(bench.out.find("instructions/ev"), std::string::npos) << bench.out;
    const auto report = ReadJson(json);
    counts.push_back(report["cases"][0]["instructions_per_event"].get<double>());
    EXPECT_EQ(report["overall"]["instructions_per_event"], counts.back());
  }
  const auto [least, most] = std::minmax_element(counts.begin(), counts.end());
  // An access event of hello: decoding, the handler, two PDK calls, encoding.
  EXPECT_GT(*least, 1000);
  EXPECT_LT(*most / *least - 1, 0.01) << *least << " to " << *most;
}

TEST_F(Bench, AGateHoldsInstructionCountsToTheirLimitWithoutATest) {
  if (kSlowdown > 1)
    GTEST_SKIP() << "Valgrind cannot run a sanitizer build's plugin";
  const std::string baseline = dir_.file("baseline.json");
  const std::string options =
      " --events 20 --warmup 0 --repeat 2 --instructions --instructions-events 20,60"
      " --case 'greets the host named in the Host header'";
  ASSERT_EQ(RunBench("--save-baseline " + baseline + options, hello_).exit_code, 0);
  const auto gate =
      RunBench("--baseline " + baseline + " --max-regression instructions=2%" + options, hello_);
  EXPECT_EQ(gate.exit_code, 0) << gate.out;
  EXPECT_NE(gate.out.find("instructions ±2%"), std::string::npos) << gate.out;
  EXPECT_NE(gate.out.find("exact  no change"), std::string::npos) << gate.out;
}

TEST_F(Bench, BenchOptionsOutsideBenchAreRefused) {
  const auto run = RunCommand(std::string(kMockKongBin) + " --replay " + hello_ +
                              " --concurrency 4 " + kHelloBin);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("--concurrency is an option of --bench"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace kong::test
