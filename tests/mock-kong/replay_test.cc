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

#include "support/test_support.h"

namespace kong::test {
namespace {

std::string Source(const std::string& relative) {
  return std::string(kSourceDir) + "/" + relative;
}

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

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
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

}  // namespace
}  // namespace kong::test
