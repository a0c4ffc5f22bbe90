#include "server/blocking_pool.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace kong::test {
namespace {

using namespace std::chrono_literals;

/// Work that waits until released, counting how many wait at once.
class Latch {
 public:
  std::function<void()> Work() {
    return [this] {
      std::unique_lock lock(mutex_);
      ++waiting_;
      threads_.insert(std::this_thread::get_id());
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
      --waiting_;
      ++done_;
      changed_.notify_all();
    };
  }
  /// Waits (10 s at most) until `n` pieces of work wait at once.
  bool AwaitWaiting(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return waiting_ == n; });
  }
  bool AwaitDone(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return done_ == n; });
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  int waiting() {
    std::lock_guard lock(mutex_);
    return waiting_;
  }
  std::size_t distinct_threads() {
    std::lock_guard lock(mutex_);
    return threads_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  int done_ = 0;
  bool released_ = false;
  std::set<std::thread::id> threads_;
};

TEST(BlockingPool, StartsAThreadPerPieceOfWorkInFlightUpToItsLimit) {
  server::BlockingPool pool(3, 10s);
  EXPECT_EQ(pool.threads(), 0u) << "no thread before any work";
  Latch latch;
  for (int i = 0; i < 5; ++i)
    pool.submit(latch.Work());
  ASSERT_TRUE(latch.AwaitWaiting(3));
  EXPECT_EQ(pool.threads(), 3u);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(latch.waiting(), 3) << "work past the limit must queue";
  latch.Release();
  ASSERT_TRUE(latch.AwaitDone(5));
  EXPECT_EQ(latch.distinct_threads(), 3u);
}

TEST(BlockingPool, ReusesAnIdleThreadRatherThanStartingOne) {
  server::BlockingPool pool(8, 10s);
  for (int i = 0; i < 20; ++i) {
    Latch latch;
    latch.Release();
    pool.submit(latch.Work());
    ASSERT_TRUE(latch.AwaitDone(1));
    // Back in the pool, waiting for the next.
    for (int tries = 0; tries < 10'000 && pool.idle_threads() == 0; ++tries)
      std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(pool.threads(), 1u) << "one piece of work at a time needs one thread";
}

TEST(BlockingPool, EndsThreadsThatStayIdle) {
  server::BlockingPool pool(4, 20ms);
  Latch latch;
  for (int i = 0; i < 4; ++i)
    pool.submit(latch.Work());
  ASSERT_TRUE(latch.AwaitWaiting(4));
  latch.Release();
  ASSERT_TRUE(latch.AwaitDone(4));
  for (int i = 0; i < 1000 && pool.threads() > 0; ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(pool.threads(), 0u);
  // And starts anew when work comes again.
  Latch again;
  again.Release();
  pool.submit(again.Work());
  EXPECT_TRUE(again.AwaitDone(1));
}

TEST(BlockingPool, RunsQueuedWorkBeforeItIsDestroyed) {
  int ran = 0;
  std::mutex mutex;
  {
    server::BlockingPool pool(1, 10s);
    for (int i = 0; i < 10; ++i) {
      pool.submit([&] {
        std::lock_guard lock(mutex);
        ++ran;
      });
    }
  }
  EXPECT_EQ(ran, 10);
}

}  // namespace
}  // namespace kong::test
