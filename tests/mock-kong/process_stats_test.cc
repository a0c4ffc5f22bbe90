#include "kong/mock/process_stats.h"

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using kong::mock::process_cpu;

std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// A plugin server's threads may end mid-measurement (idle ones do), and
// what they computed is still the server's.
TEST(ProcessStats, CountsTheCpuOfThreadsThatEnded) {
  const auto before = process_cpu(::getpid()).on_cpu;
  std::chrono::nanoseconds used{};
  std::thread([&used] {
    const auto start = thread_cpu_time();
    while (thread_cpu_time() - start < 50ms) {
    }
    used = thread_cpu_time() - start;
  }).join();
  const auto after = process_cpu(::getpid()).on_cpu;
  EXPECT_GE(after - before, used);
}

TEST(ProcessStats, IsZeroForAProcessThatIsGone) {
  const pid_t child = ::fork();
  if (child == 0)
    ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(process_cpu(child).on_cpu, std::chrono::nanoseconds{0});
}

}  // namespace
