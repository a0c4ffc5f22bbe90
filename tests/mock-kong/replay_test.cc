// mock-kong end to end: the real executable replaying fixtures against real
// plugin servers over their sockets.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace kong::test {
namespace {

std::string ReplayCommand(const std::string& fixture, const std::string& plugin) {
  return std::string(kMockKongBin) + " --replay " + fixture + " " + plugin;
}

// Whether `pid` is alive: a killed orphan may stay a zombie until init reaps it.
bool IsRunning(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state))
    return false;
  return state != "Z";
}

TEST(ReplayHello, PassesEveryCaseOfTheHelloFixture) {
  const auto result =
      RunCommand(ReplayCommand(Source("examples/hello/fixtures/hello.json"), kHelloBin));
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("PASS  greets the host named in the Host header"), std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("FAIL"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("4 cases: 4 passed, 0 failed"), std::string::npos) << result.out;
}

TEST(ReplayHello, FailsAndPrintsPathExpectedAndActualWhenAnExpectationIsWrong) {
  ScratchDir dir;
  WriteFile(dir.file("wrong.json"), R"({
    "config": {"message": "hi"},
    "cases": [
      {"name": "right", "request": {"url": "http://example.com/"},
       "expect": {"response": {"headers": {"x-hello-from-cpp": "C++ says hi to example.com"}}}},
      {"name": "wrong", "request": {"url": "http://example.com/"},
       "expect": {"response": {"status": 201, "headers": {"x-hello-from-cpp": "C++ says bye to example.com"}}}}
    ]})");
  const auto result = RunCommand(ReplayCommand(dir.file("wrong.json"), kHelloBin));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("PASS  right"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("FAIL  wrong"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("expect.response.status: expected 201, got 200"), std::string::npos)
      << result.out;
  EXPECT_NE(
      result.out.find(
          "expect.response.headers.x-hello-from-cpp: expected \"C++ says bye to example.com\", "
          "got \"C++ says hi to example.com\""),
      std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("2 cases: 1 passed, 1 failed"), std::string::npos) << result.out;
}

TEST(ReplayHello, RefusesAConfigThatDoesNotMatchThePluginSchema) {
  ScratchDir dir;
  WriteFile(
      dir.file("bad-config.json"),
      R"({"config": {"message": 42}, "cases": [{"name": "x", "request": {"url": "http://a/"}}]})");
  const auto result = RunCommand(ReplayCommand(dir.file("bad-config.json"), kHelloBin));
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.out.find(dir.file("bad-config.json") +
                            ": config.message: expected string, got number 42"),
            std::string::npos)
      << result.out;
}

TEST(ReplayHello, NamesTheFileAndPathOfABadFixture) {
  ScratchDir dir;
  WriteFile(dir.file("bad.json"), R"({"cases": [{"name": "x", "requets": {}}]})");
  const auto result = RunCommand(ReplayCommand(dir.file("bad.json"), kHelloBin));
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.out.find(dir.file("bad.json") + ": cases[0]"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("requets"), std::string::npos) << result.out;
}

TEST(ReplayHello, ACaseKongCouldNotBeSentStopsTheRunBeforeThePluginStarts) {
  ScratchDir dir;
  WriteFile(dir.file("bad-url.json"), R"({"config": {"message": "hi"}, "cases": [
      {"name": "fine", "request": {"url": "http://a/"}},
      {"name": "bad", "request": {"url": "http://user:pw@a/"}}]})");
  const auto result = RunCommand(ReplayCommand(dir.file("bad-url.json"), kHelloBin));
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.out.find(dir.file("bad-url.json") + ": cases[1].request.url: \"user:pw@\" is "
                                                       "not part of a request nginx receives"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("[hello:"), std::string::npos) << "the plugin started:\n" << result.out;
}

TEST(ReplayHello, ShowsTheExitStatusAndOutputOfAServerThatDiesBeforeListening) {
  const std::string command =
      std::string(kMockKongBin) + " --replay " + Source("examples/hello/fixtures/hello.json") +
      " --query-cmd '" + kHelloBin + " -dump' --start-cmd \"sh -c 'echo cannot bind; exit 3'\"";
  const auto result = RunCommand(command);
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.out.find("status 3"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("cannot bind"), std::string::npos) << result.out;
}

TEST(ReplayHello, StopsThePluginAndRemovesItsPrefixOnCtrlC) {
  ScratchDir dir;
  const std::string marker = dir.file("started");
  // A server that records its prefix and pid, then never listens. Kong runs
  // `exec <start_cmd>`, so a script needs a shell of its own.
  const std::string start = "sh -c 'echo $KONG_PREFIX $$ > " + marker + "; exec sleep 60'";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string query = std::string(kHelloBin) + " -dump";
    ::execl(kMockKongBin, kMockKongBin, "--replay",
            Source("examples/hello/fixtures/hello.json").c_str(), "--query-cmd", query.c_str(),
            "--start-cmd", start.c_str(), "--start-timeout", "60000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string prefix;
  pid_t plugin = 0;
  for (int i = 0; i < 2000 && plugin == 0; ++i) {  // up to 10 s
    std::ifstream in(marker);
    if (!(in >> prefix >> plugin)) {
      plugin = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ASSERT_NE(plugin, 0) << "the start command never ran";
  ASSERT_TRUE(std::filesystem::exists(prefix));
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << "status " << status;
  EXPECT_FALSE(std::filesystem::exists(prefix)) << prefix;
  EXPECT_FALSE(IsRunning(plugin)) << "plugin " << plugin << " still runs";
}

TEST(ReplayHello, WritesTheFunctionsThatPassingCasesCalledToTheCoverageFile) {
  ScratchDir dir;
  WriteFile(dir.file("one-fails.json"), R"({
    "config": {"message": "hi"},
    "cases": [
      {"name": "passes", "request": {"url": "http://example.com/"}},
      {"name": "fails", "request": {"url": "http://example.com/"},
       "expect": {"response": {"status": 599}}}
    ]})");
  const auto passing =
      RunCommand(std::string(kMockKongBin) + " --replay " + dir.file("one-fails.json") +
                 " --coverage " + dir.file("calls.json") + " " + kHelloBin);
  EXPECT_EQ(passing.exit_code, 1) << passing.out;
  std::ifstream calls(dir.file("calls.json"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(calls), {}),
            "[\n  \"kong.request.get_header\",\n  \"kong.response.set_header\"\n]\n");

  WriteFile(dir.file("all-fail.json"), R"({"config": {"message": "hi"}, "cases": [
      {"name": "fails", "request": {"url": "http://a/"}, "expect": {"response": {"status": 599}}}]})");
  const auto failing =
      RunCommand(std::string(kMockKongBin) + " --replay " + dir.file("all-fail.json") +
                 " --coverage " + dir.file("none.json") + " " + kHelloBin);
  EXPECT_EQ(failing.exit_code, 1) << failing.out;
  std::ifstream none(dir.file("none.json"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(none), {}), "[]\n");
}

std::string Hello() {
  return Source("examples/hello/fixtures/hello.json");
}

std::string MockKong(const std::string& args) {
  return std::string(kMockKongBin) + " " + args;
}

TEST(MockKongCommandLine, ListsTheCaseNamesOfAFixtureOnePerLineWithoutAPlugin) {
  const auto result = RunCommand(MockKong("--replay " + Hello() + " --list"));
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_EQ(result.out,
            "greets the host named in the Host header\n"
            "takes the host from the URL when no Host header is sent\n"
            "leaves the upstream request and an echoed body untouched\n"
            "greets even when the upstream fails\n");
}

TEST(MockKongCommandLine, RunsOnlyTheCasesItsCaseOptionsNameOrMatch) {
  const auto result = RunCommand(MockKong("--replay " + Hello() +
                                          " --case 'greets even when the upstream fails'"
                                          " --case 'takes*' " +
                                          kHelloBin));
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("2 cases from"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("PASS  takes the host from the URL"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("PASS  greets even when the upstream fails"), std::string::npos);
  EXPECT_EQ(result.out.find("greets the host named"), std::string::npos) << result.out;
}

TEST(MockKongCommandLine, RefusesACasePatternThatSelectsNothing) {
  const auto result = RunCommand(MockKong("--replay " + Hello() + " --case 'gret*' " + kHelloBin));
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.out.find(Hello() + ": no case matches --case gret*"), std::string::npos)
      << result.out;
}

TEST(MockKongCommandLine, CountsOneCaseInTheSingular) {
  const auto result =
      RunCommand(MockKong("--replay " + Hello() + " --case 'greets the*' " + kHelloBin));
  EXPECT_NE(result.out.find("): 1 case from"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("1 case: 1 passed, 0 failed"), std::string::npos) << result.out;
}

TEST(MockKongCommandLine, VerbosePrintsEveryCallAndTheFinalResponse) {
  const auto result =
      RunCommand(MockKong("-v --replay " + Hello() + " --case 'greets the*' " + kHelloBin));
  EXPECT_NE(result.out.find("access   kong.request.get_header([\"host\"]) -> \"example.com\""),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("response 200 (service), headers [\"x-hello-from-cpp: C++ says hi to "
                            "example.com\",\"Content-Type: text/plain\","),
            std::string::npos)
      << result.out;
}

TEST(MockKongCommandLine, PrintsItsVersion) {
  const auto result = RunCommand(MockKong("--version"));
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.rfind("mock-kong 0.", 0), 0u) << result.out;
}

TEST(MockKongCommandLine, EveryCommandLineErrorExitsWithTwoAndSaysWhat) {
  ScratchDir dir;
  const struct {
    std::string args;
    std::string says;
  } cases[] = {
      {"", "--replay FIXTURE, --bench FIXTURE, --fuzz FIXTURE or --fuzz-wire FIXTURE is required"},
      {"--replay " + dir.path() + " " + kHelloBin, dir.path() + ": cannot read: Is a directory"},
      {"--replay " + dir.file("missing.json") + " " + kHelloBin,
       dir.file("missing.json") + ": cannot open: No such file or directory"},
      {"--replay " + Hello() + " --call-timeout -5 " + kHelloBin,
       "--call-timeout: Value -5 not in range 1 to 3600000"},
      {"--replay " + Hello() + " --call-timeout soon " + kHelloBin, "--call-timeout"},
      {"--replay " + Hello(),
       "give a PLUGIN command, or a query command (with a start command, unless the server is "
       "started outside mock-kong)"},
      {"--repaly " + Hello() + " " + kHelloBin, "unknown option --repaly; did you mean --replay?"},
      {"--replay " + Hello() + " --junt x " + kHelloBin,
       "unknown option --junt; did you mean --junit?"},
      {"--replay " + Hello() + " --junit /nonexistent/report.xml " + kHelloBin,
       "cannot write the JUnit report /nonexistent/report.xml: No such file or directory"},
  };
  for (const auto& c : cases) {
    const auto result = RunCommand(MockKong(c.args));
    EXPECT_EQ(result.exit_code, 2) << c.args << "\n" << result.out;
    EXPECT_NE(result.out.find(c.says), std::string::npos) << c.args << "\n" << result.out;
  }
}

TEST(MockKongCommandLine, WritesAJsonReportWithEveryCasesOutcomeMismatchesAndCalls) {
  ScratchDir dir;
  WriteFile(dir.file("two.json"), R"({"config": {"message": "hi"}, "cases": [
      {"name": "passes", "request": {"url": "http://a.test/"}},
      {"name": "fails", "request": {"url": "http://a.test/"},
       "expect": {"response": {"status": 599}}}]})");
  const auto result = RunCommand(MockKong("--replay " + dir.file("two.json") + " --json " +
                                          dir.file("r.json") + " " + kHelloBin));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  std::ifstream in(dir.file("r.json"));
  const auto report = nlohmann::json::parse(in);
  EXPECT_EQ(report["format"], "mock-kong report 1");
  EXPECT_EQ(report["plugin"]["name"], "hello");
  EXPECT_EQ(report["summary"]["cases"], 2);
  EXPECT_EQ(report["summary"]["passed"], 1);
  EXPECT_EQ(report["summary"]["failed"], 1);
  const auto& fails = report["cases"][1];
  EXPECT_EQ(fails["name"], "fails");
  EXPECT_EQ(fails["outcome"], "failed");
  EXPECT_EQ(
      fails["mismatches"][0],
      nlohmann::json({{"path", "expect.response.status"}, {"expected", "599"}, {"actual", "200"}}));
  EXPECT_EQ(fails["calls"][0]["method"], "kong.request.get_header");
  EXPECT_EQ(fails["calls"][0]["args"], nlohmann::json::array({"host"}));
  EXPECT_EQ(fails["calls"][0]["result"], "a.test");
  EXPECT_EQ(fails["response"]["status"], 200);
  EXPECT_GE(fails["time_ms"].get<double>(), 0.0);
}

}  // namespace
}  // namespace kong::test
