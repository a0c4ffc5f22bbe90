#include "server/workers.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace kong::test {
namespace {

using namespace std::chrono_literals;
using server::Worker;

constexpr auto kIdleExit = 50ms;

/// Counts the tasks that ran, and whether each ran on its worker's thread.
class Tasks {
 public:
  std::function<void()> Task(const Worker& worker) {
    return [this, &worker] {
      std::lock_guard lock(mutex_);
      ++ran_;
      all_on_worker_ = all_on_worker_ && worker.is_current();
      changed_.notify_all();
    };
  }
  /// Waits (10 s at most) until `n` tasks ran.
  bool AwaitRan(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return ran_ == n; });
  }
  bool AllOnWorker() {
    std::lock_guard lock(mutex_);
    return all_on_worker_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int ran_ = 0;
  bool all_on_worker_ = true;
};

/// Polls `done` for 10 s at most.
template <class Done>
bool Eventually(Done done) {
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
    if (done())
      return true;
  }
  return done();
}

TEST(Worker, StartsNoThreadBeforeItsFirstTask) {
  Worker worker(kIdleExit);
  EXPECT_FALSE(worker.has_thread());
}

TEST(Worker, EndsItsThreadWhenIdleAndStartsAnotherForTheNextTask) {
  Worker worker(kIdleExit);
  Tasks tasks;
  worker.post(tasks.Task(worker));
  ASSERT_TRUE(tasks.AwaitRan(1));
  EXPECT_TRUE(Eventually([&] { return !worker.has_thread(); }));

  worker.post(tasks.Task(worker));
  ASSERT_TRUE(tasks.AwaitRan(2));
  EXPECT_TRUE(tasks.AllOnWorker());
}

TEST(Worker, KeepsItsThreadWhileAnEventIsHomedOnIt) {
  Worker worker(kIdleExit);
  Tasks tasks;
  worker.event_homed();
  worker.post(tasks.Task(worker));
  ASSERT_TRUE(tasks.AwaitRan(1));
  // Six idle periods: a thread that ended would have ended by now.
  std::this_thread::sleep_for(6 * kIdleExit);
  EXPECT_TRUE(worker.has_thread());

  worker.event_gone();
  EXPECT_TRUE(Eventually([&] { return !worker.has_thread(); }));
}

TEST(Worker, RunsWhatWasPostedBeforeItIsDestroyed) {
  Tasks tasks;
  {
    Worker worker(kIdleExit);
    for (int i = 0; i < 100; ++i)
      worker.post(tasks.Task(worker));
  }
  EXPECT_TRUE(tasks.AwaitRan(100));
  EXPECT_TRUE(tasks.AllOnWorker());
}

}  // namespace
}  // namespace kong::test
