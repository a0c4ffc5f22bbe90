#include "kong/mock/plugin_process.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kong/mock/interrupt.h"
#include "kong/mock/temp_dir.h"

#include "support/test_support.h"

namespace kong::mock {
namespace {

using std::chrono::milliseconds;

// Collects what a PluginProcess relays, for the test thread to wait on.
class Lines {
 public:
  PluginProcess::LineSink sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mutex_);
      lines_.push_back(line);
      changed_.notify_all();
    };
  }

  ::testing::AssertionResult WaitFor(const std::string& line, milliseconds timeout) {
    std::unique_lock lock(mutex_);
    auto seen = [&] { return std::find(lines_.begin(), lines_.end(), line) != lines_.end(); };
    if (changed_.wait_for(lock, timeout, seen))
      return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure();
    failure << "no line \"" << line << "\" within " << timeout.count() << " ms; got:";
    for (const std::string& l : lines_)
      failure << "\n  " << l;
    return failure;
  }

  std::vector<std::string> all() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

// Polls `condition` (processes and sockets give nothing to wait on here).
::testing::AssertionResult Eventually(const std::function<bool()>& condition, milliseconds timeout,
                                      const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return ::testing::AssertionFailure()
             << "not " << what << " within " << timeout.count() << " ms";
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return ::testing::AssertionSuccess();
}

using kong::test::ProcessGone;

PluginProcess::Options HelloOptions(const test::ScratchDir& prefix, Lines& lines) {
  PluginProcess::Options options;
  options.start_cmd = fmt::format("{} -kong-prefix {}", test::kHelloBin, prefix.path());
  options.name = "hello";
  options.socket_path = prefix.file("hello.socket");
  options.sink = lines.sink();
  return options;
}

TEST(PluginProcess, StartsHelloAndRelaysItsOutputWithKongsPrefix) {
  test::ScratchDir prefix;
  Lines lines;
  auto process = PluginProcess::start(HelloOptions(prefix, lines));
  ASSERT_TRUE(process.ok()) << process.error().message;
  EXPECT_TRUE(test::WaitForSocket(prefix.file("hello.socket"), milliseconds(1000)));
  EXPECT_TRUE(lines.WaitFor(fmt::format("[hello:{}] hello: listening on {}", (*process)->pid(),
                                        prefix.file("hello.socket")),
                            milliseconds(10000)));
  EXPECT_TRUE((*process)->running());
}

TEST(PluginProcess, KeepsTheConnectionThatSawTheServerReadyForTheClient) {
  test::ScratchDir prefix;
  Lines lines;
  auto process = PluginProcess::start(HelloOptions(prefix, lines));
  ASSERT_TRUE(process.ok()) << process.error().message;
  // A live connection to the server, not one opened and dropped: the C++
  // server greets it with [2, "serverPid", pid].
  const int fd = (*process)->take_ready_connection();
  ASSERT_GE(fd, 0);
  unsigned char greeting[2] = {};
  EXPECT_EQ(::recv(fd, greeting, sizeof greeting, MSG_WAITALL), 2);
  EXPECT_EQ(greeting[0], 0x93);
  EXPECT_EQ(greeting[1], 0x02);
  ::close(fd);
  EXPECT_EQ((*process)->take_ready_connection(), -1);
}

TEST(PluginProcess, ExecsTheStartCommandSoItsPidIsTheServers) {
  test::ScratchDir prefix;
  Lines lines;
  auto process = PluginProcess::start(HelloOptions(prefix, lines));
  ASSERT_TRUE(process.ok()) << process.error().message;
  std::error_code ec;
  EXPECT_EQ(std::filesystem::read_symlink(fmt::format("/proc/{}/exe", (*process)->pid()), ec),
            std::filesystem::canonical(test::kHelloBin));
}

TEST(PluginProcess, ReportsExitStatusAndLastOutputWhenServerDiesBeforeListening) {
  test::ScratchDir prefix;
  PluginProcess::Options options;
  // Kong runs `exec <start_cmd>`, so a bare `echo boom; exit 3` would exit 0.
  options.start_cmd = "sh -c 'echo starting; echo boom >&2; exit 3'";
  options.socket_path = prefix.file("x.socket");
  auto process = PluginProcess::start(options);
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.error().message,
            fmt::format("plugin server `{}` exited with status 3 before listening on {}; its last "
                        "output:\nstarting\nboom",
                        options.start_cmd, options.socket_path));
}

TEST(PluginProcess, SaysWhenTheStartCommandIsNotFound) {
  test::ScratchDir prefix;
  PluginProcess::Options options;
  options.start_cmd = "/nonexistent/server";
  options.socket_path = prefix.file("x.socket");
  auto process = PluginProcess::start(options);
  ASSERT_FALSE(process.ok());
  EXPECT_NE(process.error().message.find("exited with status 127 (command not found) before "
                                         "listening on " +
                                         options.socket_path),
            std::string::npos)
      << process.error().message;
}

TEST(PluginProcess, RelaysAPartialLastLineWhenThePipeCloses) {
  test::ScratchDir prefix;
  Lines lines;
  PluginProcess::Options options;
  options.start_cmd = "printf 'no newline'";
  options.name = "partial";
  options.socket_path = prefix.file("x.socket");
  options.sink = lines.sink();
  auto process = PluginProcess::start(options);
  ASSERT_FALSE(process.ok());
  const std::vector<std::string> relayed = lines.all();
  ASSERT_EQ(relayed.size(), 1u);
  EXPECT_TRUE(relayed[0].starts_with("[partial:")) << relayed[0];
  EXPECT_TRUE(relayed[0].ends_with("] no newline")) << relayed[0];
  EXPECT_TRUE(process.error().message.ends_with("its last output:\nno newline"))
      << process.error().message;
}

TEST(PluginProcess, FailsWhenTheServerNeverListens) {
  test::ScratchDir prefix;
  PluginProcess::Options options;
  options.start_cmd = "sleep 60";
  options.socket_path = prefix.file("x.socket");
  options.start_timeout = milliseconds(200);
  auto process = PluginProcess::start(options);
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.error().message,
            fmt::format("plugin server `sleep 60` did not listen on {} within 200 ms; it printed "
                        "nothing",
                        options.socket_path));
}

TEST(PluginProcess, NamesTheSocketAServerListensOnInsteadOfTheOneExpected) {
  test::ScratchDir prefix;
  PluginProcess::Options options;
  // The C++ hello listens on <prefix>/hello.socket, not where it is waited for.
  options.start_cmd = fmt::format("{} -kong-prefix {}", test::kHelloBin, prefix.path());
  options.socket_path = prefix.file("goodbye.socket");
  options.start_timeout = milliseconds(1500);
  Lines lines;
  options.sink = lines.sink();
  auto process = PluginProcess::start(options);
  ASSERT_FALSE(process.ok());
  EXPECT_TRUE(process.error().message.starts_with(fmt::format(
      "plugin server `{}` did not listen on {} within 1500 ms; it listens on {} instead "
      "(--socket names the socket to use); its last output:",
      options.start_cmd, options.socket_path, prefix.file("hello.socket"))))
      << process.error().message;
}

TEST(PluginProcess, PassesTheExtraEnvironment) {
  test::ScratchDir prefix;
  PluginProcess::Options options;
  options.start_cmd = "sh -c 'echo \"prefix=$KONG_PREFIX\"; exit 1'";
  options.socket_path = prefix.file("x.socket");
  options.env = {{"KONG_PREFIX", prefix.path()}};
  auto process = PluginProcess::start(options);
  ASSERT_FALSE(process.ok());
  EXPECT_TRUE(process.error().message.ends_with("its last output:\nprefix=" + prefix.path()))
      << process.error().message;
}

TEST(PluginProcess, StartsTheServerWithDefaultSignalMaskAndDispositions) {
  test::ScratchDir prefix;
  PluginProcess::Options options;
  options.start_cmd = "grep -E '^Sig(Blk|Ign):' /proc/self/status";
  options.socket_path = prefix.file("x.socket");
  // As mock-kong's main thread has them after on_interrupt(), and as a
  // program that ignores SIGPIPE has it.
  sigset_t blocked, old_mask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &blocked, &old_mask), 0);
  auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
  auto process = PluginProcess::start(options);
  ::signal(SIGPIPE, old_pipe);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ASSERT_FALSE(process.ok());
  EXPECT_TRUE(process.error().message.ends_with(
      "its last output:\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000"))
      << process.error().message;
}

TEST(PluginProcess, RefusesASocketPathAnotherServerListensOn) {
  test::ScratchDir prefix;
  Lines lines;
  auto first = PluginProcess::start(HelloOptions(prefix, lines));
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = PluginProcess::start(HelloOptions(prefix, lines));
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.error().message.ends_with(": something already accepts connections on " +
                                               prefix.file("hello.socket")))
      << second.error().message;
}

TEST(PluginProcess, StopEndsTheServerWithSigterm) {
  test::ScratchDir prefix;
  Lines lines;
  auto process = PluginProcess::start(HelloOptions(prefix, lines));
  ASSERT_TRUE(process.ok()) << process.error().message;
  const pid_t pid = (*process)->pid();
  (*process)->stop();
  EXPECT_FALSE((*process)->running());
  EXPECT_TRUE(ProcessGone(pid, milliseconds(1000)));
  (*process)->stop();  // idempotent
}

TEST(PluginProcess, StopKillsAServerThatIgnoresSigtermAfterTheGracePeriod) {
  test::ScratchDir prefix;
  Lines lines;
  PluginProcess::Options options = HelloOptions(prefix, lines);
  // hello listens (and leaves on SIGTERM); the shell leading the group
  // ignores SIGTERM, and so does the sleep it becomes.
  options.start_cmd =
      fmt::format("sh -c \"trap '' TERM; {} & wait; exec sleep 60\"", options.start_cmd);
  auto process = PluginProcess::start(options);
  ASSERT_TRUE(process.ok()) << process.error().message;
  const pid_t pid = (*process)->pid();
  (*process)->stop(milliseconds(100));
  EXPECT_FALSE((*process)->running());
  EXPECT_TRUE(ProcessGone(pid, milliseconds(1000)));
}

TEST(PluginProcess, RunningTurnsFalseWhenTheServerDies) {
  test::ScratchDir prefix;
  Lines lines;
  auto process = PluginProcess::start(HelloOptions(prefix, lines));
  ASSERT_TRUE(process.ok()) << process.error().message;
  ASSERT_TRUE((*process)->running());
  ASSERT_EQ(::kill((*process)->pid(), SIGKILL), 0);
  EXPECT_TRUE(
      Eventually([&] { return !(*process)->running(); }, milliseconds(10000), "running() false"));
}

TEST(PluginProcessDeathTest, InterruptKillsAServerStillStarting) {
  test::ScratchDir prefix;
  const std::string pid_file = prefix.file("pid");
  auto interrupted_while_starting = [&] {
    on_interrupt([] { std::fprintf(stderr, "cleanup ran\n"); });
    // Interrupts once the server is up (its pid written), while start() waits.
    std::thread([&] {
      (void)Eventually([&] { return std::filesystem::exists(pid_file); }, milliseconds(10000),
                       "pid file written");
      ::kill(::getpid(), SIGINT);
    }).detach();
    PluginProcess::Options options;
    options.start_cmd = fmt::format("sh -c 'echo $$ > {}.tmp && mv {}.tmp {} && exec sleep 60'",
                                    pid_file, pid_file, pid_file);
    options.socket_path = prefix.file("x.socket");
    options.start_timeout = milliseconds(30000);
    (void)PluginProcess::start(options);
    std::fprintf(stderr, "start returned\n");
    std::exit(0);
  };
  EXPECT_EXIT(interrupted_while_starting(), ::testing::ExitedWithCode(130), "cleanup ran");
  std::ifstream in(pid_file);
  pid_t pid = 0;
  ASSERT_TRUE(in >> pid) << "the server never wrote " << pid_file;
  EXPECT_TRUE(ProcessGone(pid, milliseconds(10000)));
}

}  // namespace
}  // namespace kong::mock
