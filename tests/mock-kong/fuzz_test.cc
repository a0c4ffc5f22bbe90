// mock-kong --fuzz against real plugin servers: it finds the bugs planted in
// tests/plugins/planted_bugs.cc and, on Kong's JavaScript PDK, in
// tests/js/plugins/planted-bugs, and what it writes replays them.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace kong::test {
namespace {

// A bound on each call short enough for the planted hang to cost little,
// long enough for every other handler on a busy machine.
std::string CallTimeout() {
  return " --call-timeout " + std::to_string(300 * kSlowdown);
}

class Fuzz : public ::testing::Test {
 protected:
  CommandResult FuzzPlantedBugs(const std::string& options, const std::string& out) {
    return RunCommand(std::string(kMockKongBin) + " --fuzz " +
                          Source("tests/plugins/planted-bugs.json") + " " + options +
                          CallTimeout() + " --out " + out + " " + kPlantedBugsBin,
                      std::chrono::minutes(5));
  }
  CommandResult Replay(const std::string& fixture, const std::string& plugin) {
    return RunCommand(std::string(kMockKongBin) + " --replay " + fixture + " " + plugin);
  }
  ScratchDir dir_;
};

TEST_F(Fuzz, FindsTheCrashHangAndFailurePlantedInAPluginAndEachFindingReplays) {
  const std::string out = dir_.file("findings");
  const auto run = FuzzPlantedBugs("--seed 1 --runs 2000", out);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  const std::vector<std::string> expected = {
      "crash-in-access-after-kong.request.get-header.json",
      "handler-failure-in-access-after-kong.request.get-raw-body.json",
      "hang-in-access-after-kong.request.get-raw-query.json"};
  ASSERT_EQ(FilesIn(out), expected) << run.out;
  EXPECT_NE(run.out.find("FOUND crash in access after kong.request.get_header\n"
                         "      the plugin server was killed by signal 11 (SIGSEGV)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("3 findings in " + out), std::string::npos) << run.out;

  const auto crash = Replay(out + "/" + expected[0], kPlantedBugsBin);
  EXPECT_EQ(crash.exit_code, 1) << crash.out;
  EXPECT_NE(crash.out.find("plugin server: was killed by signal 11 (SIGSEGV) in the access phase"),
            std::string::npos)
      << crash.out;
  const auto failure = Replay(out + "/" + expected[1], kPlantedBugsBin);
  EXPECT_EQ(failure.exit_code, 1) << failure.out;
  EXPECT_NE(failure.out.find("kong error log: expected no errors, got access handler failed"),
            std::string::npos)
      << failure.out;
  const auto hang = Replay(out + "/" + expected[2] + CallTimeout(), kPlantedBugsBin);
  EXPECT_EQ(hang.exit_code, 1) << hang.out;
  EXPECT_NE(hang.out.find("plugin server: hung in the access phase, while its handler ran after "
                          "PDK call 2 (kong.request.get_raw_query)"),
            std::string::npos)
      << hang.out;

  // Shrunk: the crash needs one header, long enough, and nothing else.
  const auto crash_fixture = nlohmann::json::parse(ReadFile(out + "/" + expected[0]));
  const auto& request = crash_fixture["cases"][0]["request"];
  ASSERT_EQ(request["headers"].size(), 1u) << request.dump();
  EXPECT_GT(request["headers"]["X-Note"].get<std::string>().size(), 64u);
  EXPECT_FALSE(request.contains("body")) << request.dump();
}

TEST_F(Fuzz, APluginBuiltForCoverageGuidesTheRunWithItsEdges) {
  const auto run =
      RunCommand(std::string(kMockKongBin) + " --fuzz " +
                     Source("tests/plugins/planted-bugs.json") + " --seed 2 --runs 150" +
                     CallTimeout() + " --out " + dir_.file("guided") + " " + kPlantedBugsGuidedBin,
                 std::chrono::minutes(5));
  const std::string summary = "mock-kong: guided by the plugin's coverage: ";
  const auto at = run.out.find(summary);
  ASSERT_NE(at, std::string::npos) << run.out;
  // "N edges, corpus M cases": the seeds and more.
  const auto corpus = run.out.find("corpus ", at);
  ASSERT_NE(corpus, std::string::npos) << run.out;
  EXPECT_GT(std::stoi(run.out.substr(at + summary.size())), 100) << run.out;
  EXPECT_GT(std::stoi(run.out.substr(corpus + 7)), 2) << run.out;
}

// A search measured in thousands of cases: in a normal build only. Under
// the sanitizers the guided path runs in the test above.
#if KONG_TEST_SLOWDOWN == 1
TEST_F(Fuzz, ABugBehindFourNestedComparisonsIsFoundWithCoverageGuidanceAndNotWithout) {
  const std::string options = "--seed 1 --runs 3000" + CallTimeout();
  const std::string bug = "handler-failure-in-access-after-kong.request.get-header.json";
  const auto fuzz = [&](const std::string& plugin, const std::string& out) {
    return RunCommand(std::string(kMockKongBin) + " --fuzz " +
                          Source("tests/plugins/planted-bugs.json") + " " + options + " --out " +
                          out + " " + plugin,
                      std::chrono::minutes(5));
  };
  const auto guided = fuzz(kPlantedBugsGuidedBin, dir_.file("guided"));
  EXPECT_NE(guided.out.find("mock-kong: guided by the plugin's coverage: "), std::string::npos)
      << guided.out;
  const auto found = FilesIn(dir_.file("guided"));
  ASSERT_NE(std::find(found.begin(), found.end(), bug), found.end()) << guided.out;
  const auto replay = Replay(dir_.file("guided/" + bug), kPlantedBugsBin);
  EXPECT_EQ(replay.exit_code, 1) << replay.out;
  EXPECT_NE(replay.out.find("planted: the X-Key comparisons all held"), std::string::npos)
      << replay.out;

  const auto blind = fuzz(kPlantedBugsBin, dir_.file("blind"));
  EXPECT_NE(blind.out.find("mock-kong: blind: the plugin shares no coverage"), std::string::npos)
      << blind.out;
  const auto missed = FilesIn(dir_.file("blind"));
  EXPECT_EQ(std::find(missed.begin(), missed.end(), bug), missed.end()) << blind.out;
}
#endif

TEST_F(Fuzz, FindsTheBugsPlantedInAPluginOnKongsJavaScriptPdkAndEachFindingReplays) {
  if (!std::filesystem::exists(kJsServer))
    GTEST_SKIP() << "Kong's JavaScript PDK is not installed (scripts/test runs npm ci in tests/js)";
  // What it checks is Kong's JavaScript server's faults; mock-kong's side of
  // --fuzz runs under the sanitizers with the C++ plugins above.
  if (kSlowdown > 1)
    GTEST_SKIP() << "the sanitizer build checks --fuzz against the C++ planted bugs";
  const std::string js = std::string(kJsServer) + " -d " + Source("tests/js/plugins/planted-bugs");
  const std::string plugin = "--query-cmd '" + js + " --dump-all-plugins' --start-cmd '" + js +
                             " --kong-prefix $KONG_PREFIX' --socket js_pluginserver.sock";
  const std::string out = dir_.file("js");
  // The server is node's, not sanitized: its bound need not scale.
  const auto run =
      RunCommand(std::string(kMockKongBin) + " --fuzz " + Source("tests/js/js-planted-bugs.json") +
                     " --seed 1 --runs 2000 --call-timeout 1000 --out " + out + " " + plugin,
                 std::chrono::minutes(5));
  EXPECT_EQ(run.exit_code, 1) << run.out;
  const std::vector<std::string> expected = {"crash-in-access-after-kong.request.get-header.json",
                                             "hang-in-access-after-kong.request.get-raw-query.json",
                                             "invariant-response-headers.x-planted-broken.json"};
  ASSERT_EQ(FilesIn(out), expected) << run.out;

  const auto replay = [&](const std::string& file) {
    return RunCommand(std::string(kMockKongBin) + " --replay " + out + "/" + file +
                      " --call-timeout 1000 " + plugin);
  };
  const auto crash = replay(expected[0]);
  EXPECT_EQ(crash.exit_code, 1) << crash.out;
  EXPECT_NE(crash.out.find("plugin server: was killed by signal 6 (SIGABRT) in the access phase"),
            std::string::npos)
      << crash.out;
  const auto hang = replay(expected[1]);
  EXPECT_EQ(hang.exit_code, 1) << hang.out;
  EXPECT_NE(hang.out.find("plugin server: hung in the access phase"), std::string::npos)
      << hang.out;
  // Kong's JavaScript PDK logs a handler's exception and lets the request
  // go on: the invariant is what shows it, on an empty JSON body.
  const auto thrown = replay(expected[2]);
  EXPECT_EQ(thrown.exit_code, 1) << thrown.out;
  EXPECT_NE(thrown.out.find("fuzz.invariants.response_headers"), std::string::npos) << thrown.out;
  const auto fixture = nlohmann::json::parse(ReadFile(out + "/" + expected[2]));
  const auto& request = fixture["cases"][0]["request"];
  EXPECT_EQ(request["headers"]["Content-Type"], "application/json") << request.dump();
  EXPECT_FALSE(request.contains("body")) << request.dump();
}

TEST_F(Fuzz, AFindingItsCaseDoesNotBringBackOnItsOwnIsNamedFlakyAndNotWritten) {
  // The planted `tick` flag fails every second request that has it: the
  // case that met the failure passes when run again.
  WriteFile(dir_.file("tick.json"),
            R"({"cases": [{"name": "a tick", "request": {"url": "http://api.test/items?tick"}}]})");
  const std::string out = dir_.file("flaky");
  const auto run =
      RunCommand(std::string(kMockKongBin) + " --fuzz " + dir_.file("tick.json") +
                 " --seed 1 --runs 40" + CallTimeout() + " --out " + out + " " + kPlantedBugsBin);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("mock-kong: flaky, not written: handler failure in access after "
                         "kong.request.get_raw_query: met 3 times, gone each time its case ran "
                         "again on its own\n"),
            std::string::npos)
      << run.out;
  EXPECT_TRUE(run.out.ends_with("\n1 flaky finding, none that replays\n")) << run.out;
  EXPECT_TRUE(FilesIn(out).empty()) << run.out;
}

TEST_F(Fuzz, TheSameSeedWritesTheSameFindings) {
  const auto first = FuzzPlantedBugs("--seed 9 --runs 300", dir_.file("a"));
  const auto second = FuzzPlantedBugs("--seed 9 --runs 300", dir_.file("b"));
  EXPECT_EQ(first.exit_code, second.exit_code);
  const auto files = FilesIn(dir_.file("a"));
  ASSERT_FALSE(files.empty()) << first.out;
  ASSERT_EQ(files, FilesIn(dir_.file("b")));
  for (const auto& file : files)
    EXPECT_EQ(ReadFile(dir_.file("a/" + file)), ReadFile(dir_.file("b/" + file))) << file;
}

TEST_F(Fuzz, APluginWithoutBugsHasNoFindingsAndExitsZero) {
  const auto run = RunCommand(std::string(kMockKongBin) + " --fuzz " +
                              Source("examples/hello/fixtures/hello.json") +
                              " --seed 3 --runs 1000 --out " + dir_.file("none") + " " + kHelloBin);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("mock-kong: fuzzed hello with 1000 cases in "), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(", seed 3\n"), std::string::npos) << run.out;
  EXPECT_TRUE(run.out.ends_with("\nno findings\n")) << run.out;
  EXPECT_TRUE(FilesIn(dir_.file("none")).empty());
}

TEST_F(Fuzz, ABrokenInvariantIsAFindingAndReplaysAsAFailure) {
  auto fixture = nlohmann::json::parse(ReadFile(Source("examples/hello/fixtures/hello.json")));
  fixture["fuzz"] = {{"invariants", {{"response_headers", {"X-Hello-From-Cpp", "X-Never-Set"}}}}};
  WriteFile(dir_.file("hello.json"), fixture.dump());
  const std::string out = dir_.file("inv");
  const auto run = RunCommand(std::string(kMockKongBin) + " --fuzz " + dir_.file("hello.json") +
                              " --seed 1 --runs 50 --out " + out + " " + kHelloBin);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  ASSERT_EQ(FilesIn(out),
            std::vector<std::string>{"invariant-response-headers.x-never-set-broken.json"})
      << run.out;
  const auto replay =
      Replay(out + "/invariant-response-headers.x-never-set-broken.json", kHelloBin);
  EXPECT_EQ(replay.exit_code, 1) << replay.out;
  EXPECT_NE(
      replay.out.find("fuzz.invariants.response_headers.X-Never-Set: expected present, got absent"),
      std::string::npos)
      << replay.out;
}

TEST(FuzzOptions, FuzzOnlyOptionsWithoutFuzzAreRefused) {
  const auto run =
      RunCommand(std::string(kMockKongBin) + " --replay " +
                 Source("examples/hello/fixtures/hello.json") + " --seed 1 " + kHelloBin);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("mock-kong: --seed is an option of --fuzz"), std::string::npos) << run.out;
  const auto both =
      RunCommand(std::string(kMockKongBin) + " --replay a.json --fuzz a.json " + kHelloBin);
  EXPECT_EQ(both.exit_code, 2) << both.out;
  EXPECT_NE(
      both.out.find(
          "--replay, --fuzz, --fuzz-wire, --bench, --record and --from-har are modes: give one"),
      std::string::npos)
      << both.out;
}

}  // namespace
}  // namespace kong::test
