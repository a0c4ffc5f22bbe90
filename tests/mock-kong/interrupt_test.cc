#include "kong/mock/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <gtest/gtest.h>

#include "kong/mock/plugin_process.h"

namespace kong::mock {
namespace {

// Runs in the death test's child: the interrupt thread must end the process
// with 130 after the cleanup; coming back from the wait means it did not.
void InterruptAndWait(int signal) {
  on_interrupt([] { std::fprintf(stderr, "cleanup ran\n"); });
  ::kill(::getpid(), signal);
  std::mutex mutex;
  std::condition_variable never;
  std::unique_lock lock(mutex);
  never.wait_for(lock, std::chrono::seconds(30));
  std::fprintf(stderr, "still alive\n");
  std::exit(0);
}

TEST(OnInterruptDeathTest, RunsTheCleanupAndExitsWith130OnSigint) {
  EXPECT_EXIT(InterruptAndWait(SIGINT), ::testing::ExitedWithCode(130), "cleanup ran");
}

TEST(OnInterruptDeathTest, RunsTheCleanupAndExitsWith130OnSigterm) {
  EXPECT_EXIT(InterruptAndWait(SIGTERM), ::testing::ExitedWithCode(130), "cleanup ran");
}

}  // namespace
}  // namespace kong::mock
