// Plugins that crash, hang and misbehave, and signals mock-kong receives:
// every fault named, survived, and cleaned up after (the real mock-kong
// against tests/plugins/planted_bugs.cc).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace kong::test {
namespace {

using namespace std::chrono_literals;

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// A fixture of `n` plain cases, each passing against planted-bugs.
std::string PlainCases(int n) {
  nlohmann::json cases = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    cases.push_back({{"name", "case " + std::to_string(i)},
                     {"request", {{"url", "http://a.test/"}}},
                     {"expect", {{"response", {{"headers", {{"x-planted", "ok"}}}}}}}});
  }
  return nlohmann::json{{"cases", cases}}.dump();
}

// The planted bugs around plain cases: a crash, a hang, then plain again.
constexpr const char* kCrashThenHang = R"({"cases": [
  {"name": "plain before", "request": {"url": "http://a.test/"}},
  {"name": "crashes on a long note", "request": {"url": "http://a.test/",
   "headers": {"x-note": "0123456789012345678901234567890123456789012345678901234567890123456789"}}},
  {"name": "plain after the crash", "request": {"url": "http://a.test/"},
   "expect": {"response": {"headers": {"x-planted": "ok"}}}},
  {"name": "hangs on a debug flag", "request": {"url": "http://a.test/?debug"}},
  {"name": "plain after the hang", "request": {"url": "http://a.test/"},
   "expect": {"response": {"headers": {"x-planted": "ok"}}}}
]})";

class Faults : public ::testing::TestWithParam<std::string> {
 protected:
  // mock-kong on planted-bugs in the protocol of the parameter.
  std::string Replay(const std::string& fixture, const std::string& options) {
    return std::string(kMockKongBin) + " --replay " + fixture + " " + options + " " +
           kPlantedBugsBin + " -protocol " + GetParam();
  }
  ScratchDir dir_;
};

TEST_P(Faults, ACrashIsNamedWithItsSignalPhaseAndPendingCallAndTheNextCaseRunsOnANewServer) {
  WriteFile(dir_.file("f.json"), kCrashThenHang);
  const auto result =
      RunCommand(Replay(dir_.file("f.json"), "--call-timeout 500 --case 'plain*' --case 'crash*'"));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("FAIL  crashes on a long note\n"
                            "      plugin server: was killed by signal 11 (SIGSEGV) in the access "
                            "phase, while its handler ran after PDK call 1 "
                            "(kong.request.get_header); mock-kong started it again\n"
                            "        its last output:\n"
                            "        planted-bugs: listening on "),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("PASS  plain after the crash"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("4 cases: 3 passed, 1 failed"), std::string::npos) << result.out;
}

TEST_P(Faults, AHangIsNamedWithItsPhaseAndPendingCallAndCostsOneCallTimeout) {
  WriteFile(dir_.file("f.json"), kCrashThenHang);
  const auto result = RunCommand(Replay(
      dir_.file("f.json"), "--call-timeout 300 --case 'hangs*' --case 'plain after the h*'"));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  const std::regex hung(
      "FAIL  hangs on a debug flag\n      plugin server: hung in the access phase, while its "
      "handler ran after PDK call 2 \\(kong.request.get_raw_query\\): .*no answer within 300 ms; "
      "mock-kong stopped it and started it again\n");
  EXPECT_TRUE(std::regex_search(result.out, hung)) << result.out;
  EXPECT_NE(result.out.find("PASS  plain after the hang"), std::string::npos) << result.out;
}

TEST_P(Faults, TheCaseTimeoutBoundsEveryWaitOfTheCase) {
  WriteFile(dir_.file("f.json"), kCrashThenHang);
  const auto result = RunCommand(
      Replay(dir_.file("f.json"), "--call-timeout 60000 --case-timeout 400 --case 'hangs*'"));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("no answer within the case's 400 ms; mock-kong stopped it"),
            std::string::npos)
      << result.out;
}

TEST_P(Faults, AServerKilledHalfWayThroughARunCostsOneCase) {
  WriteFile(dir_.file("many.json"), PlainCases(3000));
  const std::string pid_file = dir_.file("server.pid");
  // The server's pid, from a start command that records it.
  WriteFile(dir_.file("start.sh"), "echo $$ > " + pid_file + "; exec " + kPlantedBugsBin +
                                       " -kong-prefix \"$KONG_PREFIX\" -protocol " + GetParam());
  const std::string command = std::string(kMockKongBin) + " --replay " + dir_.file("many.json") +
                              " --query-cmd '" + kPlantedBugsBin + " -dump -protocol " +
                              GetParam() + "' --start-cmd 'sh " + dir_.file("start.sh") +
                              "' --socket planted-bugs.socket > " + dir_.file("out") + " 2>&1";
  const pid_t mock = ::fork();
  if (mock == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Half way: once a few hundred cases have passed.
  for (int i = 0; i < 2000 && Count(ReadFile(dir_.file("out")), "PASS") < 300; ++i)
    std::this_thread::sleep_for(5ms);
  pid_t server = 0;
  std::ifstream(pid_file) >> server;
  ASSERT_GT(server, 0);
  ::kill(server, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(mock, &status, 0), mock);
  const std::string out = ReadFile(dir_.file("out"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << out.substr(out.size() - 2000);
  EXPECT_EQ(Count(out, "FAIL"), 1u) << out.substr(out.size() - 2000);
  EXPECT_NE(out.find("was killed by signal 9 (SIGKILL) in the access phase"), std::string::npos);
  EXPECT_NE(out.find("3000 cases: 2999 passed, 1 failed"), std::string::npos)
      << out.substr(out.size() - 2000);
}

INSTANTIATE_TEST_SUITE_P(BothProtocols, Faults, ::testing::Values("MsgPack:1", "ProtoBuf:1"),
                         [](const auto& info) {
                           return info.param == "MsgPack:1" ? std::string("MsgPack")
                                                            : std::string("ProtoBuf");
                         });

// mock-kong in the background, its output in a file.
class Background {
 public:
  explicit Background(const std::string& command, const std::string& out_file) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string redirected = "exec " + command + " > " + out_file + " 2>&1";
      ::execl("/bin/sh", "sh", "-c", redirected.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Background() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // The exit status, or 128 + the signal that killed it.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    waited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  bool waited_ = false;
};

// Waits until `file` holds `what`: at most a minute, which a sanitizer build
// loading and running the first cases of a long fixture needs.
bool WaitFor(const std::string& file, const std::string& what) {
  for (int i = 0; i < 12000; ++i) {
    if (ReadFile(file).find(what) != std::string::npos)
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

// The plugin's pid and its private prefix, from its relayed "listening on" line.
struct Started {
  pid_t pid = 0;
  std::string prefix;
};
Started StartedServer(const std::string& out) {
  std::smatch m;
  static const std::regex line("\\[planted-bugs:(\\d+)\\] planted-bugs: listening on (\\S+)/");
  if (!std::regex_search(out, m, line))
    return {};
  return {std::stoi(m[1]), m[2]};
}

class Signals : public ::testing::Test {
 protected:
  // More cases than a run gets through before the test stops it.
  std::string ManyCases(int count = 5000) {
    WriteFile(dir_.file("many.json"), PlainCases(count));
    return std::string(kMockKongBin) + " --replay " + dir_.file("many.json") + " " +
           kPlantedBugsBin;
  }
  ScratchDir dir_;
};

TEST_F(Signals, SigintStopsTheRunAtOnceWithAnInterruptedLineAndNoVerdict) {
  Background mock(ManyCases(), dir_.file("out"));
  ASSERT_TRUE(WaitFor(dir_.file("out"), "PASS  case 50\n"));
  ::kill(mock.pid(), SIGINT);
  EXPECT_EQ(mock.wait(), 130);
  const std::string out = ReadFile(dir_.file("out"));
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out.substr(out.size() - 500);
  EXPECT_EQ(out.find("cases: "), std::string::npos) << out.substr(out.size() - 500);
  EXPECT_TRUE(out.ends_with("mock-kong: interrupted by SIGINT\n")) << out.substr(out.size() - 500);
  const Started server = StartedServer(out);
  ASSERT_GT(server.pid, 0) << out.substr(0, 500);
  EXPECT_TRUE(ProcessGone(server.pid));
  EXPECT_FALSE(std::filesystem::exists(server.prefix)) << server.prefix;
}

TEST_F(Signals, SigtermExitsWith143) {
  Background mock(ManyCases(), dir_.file("out"));
  ASSERT_TRUE(WaitFor(dir_.file("out"), "PASS  case 50\n"));
  ::kill(mock.pid(), SIGTERM);
  EXPECT_EQ(mock.wait(), 143);
  EXPECT_TRUE(ReadFile(dir_.file("out")).ends_with("mock-kong: interrupted by SIGTERM\n"));
}

TEST_F(Signals, AReaderThatStopsReadingEndsTheRunAndLeavesNothingBehind) {
  // `mock-kong ... | head -1`, its status as bash's PIPESTATUS gives it.
  const std::string command = "bash -c '" + ManyCases() + " 2> " + dir_.file("err") +
                              " | head -1; echo status ${PIPESTATUS[0]}'";
  const auto result = RunCommand(command);
  EXPECT_EQ(result.out.substr(0, 24), "mock-kong: planted-bugs ") << result.out;
  EXPECT_NE(result.out.find("status 141"), std::string::npos) << result.out;
  const std::string err = ReadFile(dir_.file("err"));
  EXPECT_NE(err.find("mock-kong: interrupted by SIGPIPE"), std::string::npos) << err;
  const Started server = StartedServer(err);
  ASSERT_GT(server.pid, 0) << err;
  EXPECT_TRUE(ProcessGone(server.pid));
  EXPECT_FALSE(std::filesystem::exists(server.prefix)) << server.prefix;
}

TEST_F(Signals, SigintStopsAHungQueryCommandAndWhatItStarted) {
  const std::string pid_file = dir_.file("query.pid");
  // A query command that hangs in a child of its own shell.
  const std::string command = std::string(kMockKongBin) + " --replay " +
                              Source("examples/hello/fixtures/hello.json") +
                              " --query-cmd 'sleep 60 & echo $! > " + pid_file +
                              "; wait' --start-cmd true --start-timeout 60000";
  Background mock(command, dir_.file("out"));
  pid_t sleeper = 0;
  for (int i = 0; i < 2000 && sleeper == 0; ++i) {
    std::ifstream(pid_file) >> sleeper;
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_GT(sleeper, 0);
  ::kill(mock.pid(), SIGINT);
  EXPECT_EQ(mock.wait(), 130);
  EXPECT_TRUE(ProcessGone(sleeper));
}

TEST_F(Signals, ThePluginAndItsPrefixGoWithMockKongEvenWhenItIsKilled) {
  Background mock(ManyCases(), dir_.file("out"));
  ASSERT_TRUE(WaitFor(dir_.file("out"), "PASS  case 50\n"));
  ::kill(mock.pid(), SIGKILL);
  EXPECT_EQ(mock.wait(), 128 + SIGKILL);
  const Started server = StartedServer(ReadFile(dir_.file("out")));
  ASSERT_GT(server.pid, 0);
  EXPECT_TRUE(ProcessGone(server.pid));
  for (int i = 0; i < 1000 && std::filesystem::exists(server.prefix); ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(std::filesystem::exists(server.prefix)) << server.prefix;
}

TEST_F(Signals, AReaperKilledByHandCostsItsWatchNotTheRun) {
  // A run that goes on for a while after the reaper is killed, and ends.
  Background mock(ManyCases(1000), dir_.file("out"));
  ASSERT_TRUE(WaitFor(dir_.file("out"), "PASS  case 50\n"));
  const std::vector<int> reapers = ChildrenNamed(mock.pid(), "plugin-reaper");
  ASSERT_EQ(reapers.size(), 1u);
  ::kill(reapers[0], SIGKILL);
  // mock-kong still tells the reaper what it forgets, at the end of the run.
  EXPECT_EQ(mock.wait(), 0);
  const std::string out = ReadFile(dir_.file("out"));
  EXPECT_NE(out.find("1000 cases: 1000 passed"), std::string::npos) << out.substr(out.size() - 500);
  const Started server = StartedServer(out);
  ASSERT_GT(server.pid, 0);
  EXPECT_TRUE(ProcessGone(server.pid));
  EXPECT_FALSE(std::filesystem::exists(server.prefix)) << server.prefix;
}

TEST_F(Signals, ThePluginGoesWithMockKongKilledByNameWithPkill) {
  // `pkill -KILL -f <its fixture>`, as a user stops a run by what they
  // typed: it must not match mock-kong's reaper too.
  Background mock(ManyCases(), dir_.file("out"));
  ASSERT_TRUE(WaitFor(dir_.file("out"), "PASS  case 50\n"));
  const std::string pattern = dir_.file("many.json");
  const pid_t pkill = ::fork();
  if (pkill == 0) {
    ::execlp("pkill", "pkill", "-KILL", "-f", pattern.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pkill, &status, 0), pkill);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(mock.wait(), 128 + SIGKILL);
  const Started server = StartedServer(ReadFile(dir_.file("out")));
  ASSERT_GT(server.pid, 0);
  EXPECT_TRUE(ProcessGone(server.pid));
}

TEST(FaultMessages, AMessageOverTheServersSizeLimitIsSaidToBeOne) {
  // A limit of 1 MiB rather than the default 64: the same path, at a size
  // the sanitizers' build moves in a moment.
  ScratchDir dir;
  const nlohmann::json fixture = {
      {"config", {{"message", std::string(2 << 20, 'x')}}},
      {"cases", {{{"name", "x"}, {"request", {{"url", "http://a/"}}}}}}};
  WriteFile(dir.file("big.json"), fixture.dump());
  const std::string plugin = std::string(kHelloBin) + " -max-message-bytes 1048576";
  const auto msgpack =
      RunCommand(std::string(kMockKongBin) + " --replay " + dir.file("big.json") + " " + plugin);
  EXPECT_EQ(msgpack.exit_code, 2) << msgpack.out;
  EXPECT_NE(msgpack.out.find("mock-kong: plugin.StartInstance: the plugin server closed the "
                             "connection after taking "),
            std::string::npos)
      << msgpack.out;
  // The C++ PDK says why before it closes.
  EXPECT_NE(msgpack.out.find("bytes: the message was 2.0 MiB, likely over the server's size limit "
                             "for one message; it refused the message: message at byte 0: byte "
                             "44: message larger than the 1048576-byte limit"),
            std::string::npos)
      << msgpack.out;
  const auto protobuf = RunCommand(std::string(kMockKongBin) + " --replay " + dir.file("big.json") +
                                   " " + plugin + " -protocol ProtoBuf:1");
  EXPECT_EQ(protobuf.exit_code, 2) << protobuf.out;
  EXPECT_NE(protobuf.out.find("bytes: the message was 2.0 MiB, likely over the server's size "
                              "limit for one message"),
            std::string::npos)
      << protobuf.out;
}

TEST(FaultMessages, APluginThatHandlesNoPhaseIsWarnedAboutAtDumpAndInMockKong) {
  const auto dump = RunCommand(std::string(kNoPhaseBin) + " -dump");
  EXPECT_EQ(dump.exit_code, 0) << dump.out;
  EXPECT_NE(dump.out.find("no-phase: warning: the plugin handles no phase, so Kong never runs it"),
            std::string::npos)
      << dump.out;
  ScratchDir dir;
  WriteFile(dir.file("f.json"), R"({"cases": [{"name": "x", "request": {"url": "http://a/"}}]})");
  const auto replay =
      RunCommand(std::string(kMockKongBin) + " --replay " + dir.file("f.json") + " " + kNoPhaseBin);
  EXPECT_NE(replay.out.find("mock-kong: warning: no-phase handles no phase (its dump has Phases: "
                            "[]): Kong never runs it, and every case runs nothing"),
            std::string::npos)
      << replay.out;
  EXPECT_NE(replay.out.find("mock-kong: no-phase 0.1.0 (MsgPack:1, phases: none): 1 case"),
            std::string::npos)
      << replay.out;
}

TEST(FaultMessages, AHandlerThatSwallowsTheExitsEventEndedIsReported) {
  ScratchDir dir;
  WriteFile(dir.file("f.json"), R"({"cases": [
    {"name": "swallows", "request": {"url": "http://a.test/?swallow"},
     "expect": {"response": {"status": 204}}}]})");
  const auto result = RunCommand(std::string(kMockKongBin) + " --replay " + dir.file("f.json") +
                                 " " + kPlantedBugsBin);
  EXPECT_NE(result.out.find("access handler went on after kong.response.exit: it caught the "
                            "kong::EventEnded that ends the handler (a catch (...) must rethrow "
                            "it)"),
            std::string::npos)
      << result.out;
}

}  // namespace
}  // namespace kong::test
