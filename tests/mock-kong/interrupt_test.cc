#include "kong/mock/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <gtest/gtest.h>

namespace kong::mock {
namespace {

// Runs in the death test's child: the interrupt thread must end the process
// after the cleanup; coming back from the wait means it did not.
[[noreturn]] void WaitToBeEnded() {
  std::mutex mutex;
  std::condition_variable never;
  std::unique_lock lock(mutex);
  never.wait_for(lock, std::chrono::seconds(30));
  std::fprintf(stderr, "still alive\n");
  std::exit(0);
}

void InterruptAndWait(int signal) {
  on_interrupt([] { std::fprintf(stderr, "cleanup ran, interrupted() = %d\n", interrupted()); });
  ::kill(::getpid(), signal);
  WaitToBeEnded();
}

TEST(OnInterruptDeathTest, RunsTheCleanupAndExitsWith130OnSigint) {
  EXPECT_EXIT(InterruptAndWait(SIGINT), ::testing::ExitedWithCode(130),
              "cleanup ran, interrupted\\(\\) = 2\nmock-kong: interrupted by SIGINT");
}

TEST(OnInterruptDeathTest, RunsTheCleanupAndExitsWith143OnSigterm) {
  EXPECT_EXIT(InterruptAndWait(SIGTERM), ::testing::ExitedWithCode(143),
              "cleanup ran.*\nmock-kong: interrupted by SIGTERM");
}

TEST(OnInterruptDeathTest, AClosedTerminalSighupCleansUpAsCtrlCDoes) {
  EXPECT_EXIT(InterruptAndWait(SIGHUP), ::testing::ExitedWithCode(129),
              "cleanup ran.*\nmock-kong: interrupted by SIGHUP");
}

// `mock-kong ... | head -1`: the next write finds the pipe closed. The
// signal is raised in the writing thread, not sent to the process.
void WriteToAClosedPipe() {
  on_interrupt([] { std::fprintf(stderr, "cleanup ran\n"); });
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  const ssize_t written = ::write(fds[1], "x", 1);
  std::fprintf(stderr, "the write returned %zd\n", written);
  WaitToBeEnded();
}

TEST(OnInterruptDeathTest, AReaderThatWentAwaySigpipeCleansUpAsCtrlCDoes) {
  EXPECT_EXIT(WriteToAClosedPipe(), ::testing::ExitedWithCode(141),
              "cleanup ran\n(.|\n)*mock-kong: interrupted by SIGPIPE");
}

}  // namespace
}  // namespace kong::mock
