#include "server/loop_threads.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "server/event_loop.h"

namespace kong::test {
namespace {

using namespace std::chrono_literals;
using server::EventLoop;
using server::LoopThreads;

constexpr auto kIdleExit = 50ms;

/// Polls `done` for 10 s at most.
template <class Done>
bool Eventually(Done done) {
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(2ms)) {
    if (done())
      return true;
  }
  return done();
}

/// An eventfd the loop watches: readable once Raise()d, until on_ready
/// reads it and calls `handle` (holding the loop's lock). Added and removed
/// holding the lock, as serving threads may be handling.
class Signal final : public server::Watcher {
 public:
  Signal(EventLoop& loop, std::function<void()> handle, server::Handling handling)
      : loop_(loop), fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), handle_(std::move(handle)) {
    std::lock_guard lock(loop_.lock());
    loop_.add(fd_, EPOLLIN, this, handling);
  }
  ~Signal() override {
    std::lock_guard lock(loop_.lock());
    loop_.remove(fd_);
    ::close(fd_);
  }
  int fd() const { return fd_; }
  void Raise() {
    const std::uint64_t one = 1;
    ASSERT_EQ(::write(fd_, &one, sizeof one), static_cast<ssize_t>(sizeof one));
  }
  void on_ready(std::uint32_t) override {
    std::uint64_t count = 0;
    if (::read(fd_, &count, sizeof count) == static_cast<ssize_t>(sizeof count))
      handle_();
  }

 private:
  EventLoop& loop_;
  int fd_;
  std::function<void()> handle_;
};

/// A loop run on a thread of its own, with its LoopThreads.
class SharedLoop : public ::testing::Test {
 protected:
  ~SharedLoop() override { Stop(); }

  void Run() {
    runner_ = std::thread([this] { loop_.run([] {}); });
  }
  /// Stops the loop and joins its threads: no watcher is handled after.
  void Stop() {
    loop_.stop();
    if (runner_.joinable())
      runner_.join();
    threads_.join();
  }
  /// Runs `fn` holding the loop's lock, on a serving thread.
  void OnLoop(std::function<void()> fn) {
    std::atomic<bool> done{false};
    loop_.post([&] {
      fn();
      done = true;
    });
    ASSERT_TRUE(Eventually([&] { return done.load(); }));
  }

  EventLoop loop_;
  LoopThreads threads_{loop_, 8, kIdleExit};
  std::thread runner_;
};

TEST_F(SharedLoop, ServesWithOneThreadUntilSpread) {
  Run();
  EXPECT_EQ(threads_.serving(), 1u);
  EXPECT_FALSE(loop_.shared());
  OnLoop([&] { threads_.spread(3); });
  EXPECT_TRUE(loop_.shared());
  EXPECT_EQ(threads_.serving(), 3u);
}

TEST_F(SharedLoop, AnotherThreadHandlesWhatArrivesWhileOneRunsAHandlerOutOfTheLock) {
  Run();
  OnLoop([&] { threads_.spread(2); });
  std::atomic<bool> release{false};
  std::atomic<bool> first_in_handler{false};
  std::thread::id first_thread;
  std::atomic<bool> second_done{false};
  std::thread::id second_thread;
  Signal second(
      loop_,
      [&] {
        second_thread = std::this_thread::get_id();
        second_done = true;
      },
      server::Handling::one_thread);
  Signal first(
      loop_,
      [&] {
        first_thread = std::this_thread::get_id();
        threads_.run_unlocked([&] {
          first_in_handler = true;
          while (!release)
            std::this_thread::sleep_for(1ms);
        });
      },
      server::Handling::one_thread);
  first.Raise();
  ASSERT_TRUE(Eventually([&] { return first_in_handler.load(); }));
  second.Raise();
  EXPECT_TRUE(Eventually([&] { return second_done.load(); }))
      << "the second readiness waited for the first handler";
  release = true;
  Stop();
  EXPECT_NE(first_thread, second_thread);
}

TEST_F(SharedLoop, NeverHandlesOneDescriptorOnTwoThreadsAtOnce) {
  Run();
  OnLoop([&] { threads_.spread(4); });
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  std::atomic<int> handled{0};
  std::unique_ptr<Signal> signal;
  signal = std::make_unique<Signal>(
      loop_,
      [&] {
        threads_.run_unlocked([&] {
          const int now = ++inside;
          most_inside = std::max(most_inside.load(), now);
          // Readiness comes again meanwhile: no other thread takes it.
          if (handled.load() < 20)
            signal->Raise();
          std::this_thread::sleep_for(1ms);
          --inside;
        });
        ++handled;
      },
      server::Handling::one_thread);
  signal->Raise();
  ASSERT_TRUE(Eventually([&] { return handled.load() >= 20; }));
  EXPECT_EQ(most_inside.load(), 1);
  Stop();  // before the watcher goes: no thread is in its on_ready then
}

TEST_F(SharedLoop, NoThreadHandlesADescriptorHeldForWorkFromElsewhereUntilItsRelease) {
  Run();
  OnLoop([&] { threads_.spread(3); });
  std::atomic<int> handled{0};
  Signal signal(
      loop_, [&] { ++handled; }, server::Handling::one_thread);
  int fd = -1;
  std::uint32_t held = 0;
  // A posted outcome holding the connection it answers on.
  OnLoop([&] {
    fd = signal.fd();
    held = loop_.hold(fd);
  });
  signal.Raise();
  std::this_thread::sleep_for(50ms);  // three idle threads, none of which may take it
  EXPECT_EQ(handled.load(), 0);
  OnLoop([&] { loop_.release(fd, held); });
  EXPECT_TRUE(Eventually([&] { return handled.load() == 1; }));
  Stop();
}

TEST_F(SharedLoop, AThreadIdleForItsIdleExitEndsAndSpreadStartsAnother) {
  Run();
  OnLoop([&] { threads_.spread(2); });
  EXPECT_EQ(threads_.serving(), 2u);
  EXPECT_TRUE(Eventually([&] { return threads_.serving() == 1; }));
  OnLoop([&] { threads_.spread(2); });
  EXPECT_EQ(threads_.serving(), 2u);
}

TEST_F(SharedLoop, StartsAnotherThreadWhenEveryServingThreadWaitsInAHandler) {
  Run();
  OnLoop([&] { threads_.spread(2); });
  std::atomic<bool> release{false};
  std::atomic<int> waiting{0};
  auto wait_in_handler = [&] {
    threads_.run_unlocked([&] {
      ++waiting;
      while (!release)
        std::this_thread::sleep_for(1ms);  // asleep: a call that waits
    });
  };
  Signal a(loop_, wait_in_handler, server::Handling::one_thread);
  Signal b(loop_, wait_in_handler, server::Handling::one_thread);
  Signal c(loop_, wait_in_handler, server::Handling::one_thread);
  a.Raise();
  b.Raise();
  ASSERT_TRUE(Eventually([&] { return waiting.load() == 2; }));
  // Both serving threads wait: the monitor starts a third, which takes c.
  c.Raise();
  EXPECT_TRUE(Eventually([&] { return waiting.load() == 3; }));
  EXPECT_GE(threads_.serving(), 3u);
  release = true;
  Stop();
}

TEST_F(SharedLoop, ParksTheThreadsStartedForWaitingHandlersOnceTheyComputeAgain) {
  Run();
  OnLoop([&] { threads_.spread(2); });
  std::atomic<bool> release{false};
  std::atomic<bool> compute{false};
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  std::atomic<int> waited{0};
  std::atomic<int> computed{0};
  auto handler = [&] {
    threads_.run_unlocked([&] {
      if (!compute) {
        ++waited;
        while (!release)
          std::this_thread::sleep_for(1ms);  // asleep: a call that waits
        return;
      }
      const int now = ++inside;
      most_inside = std::max(most_inside.load(), now);
      const auto until = std::chrono::steady_clock::now() + 20ms;
      while (std::chrono::steady_clock::now() < until) {
      }  // runnable throughout
      --inside;
      ++computed;
    });
  };
  std::vector<std::unique_ptr<Signal>> signals;
  for (int i = 0; i < 6; ++i)
    signals.push_back(std::make_unique<Signal>(loop_, handler, server::Handling::one_thread));
  for (auto& s : signals)
    s->Raise();
  // Six handlers wait at once: their permits went to threads started for
  // the next ones.
  ASSERT_TRUE(Eventually([&] { return waited.load() == 6; }));
  EXPECT_GE(threads_.alive(), 6u);
  compute = true;
  release = true;
  // Back from their waits, all but two park, two permits for two CPUs:
  // no more than two compute at once, and the first thread, which never
  // parks, for as long as the permit it took back is not given up.
  for (int round = 0; round < 3; ++round) {
    for (auto& s : signals)
      s->Raise();
  }
  EXPECT_TRUE(Eventually([&] { return computed.load() >= 6; }));
  EXPECT_LE(most_inside.load(), 3) << "threads computed at once past the permits";
  Stop();
}

TEST_F(SharedLoop, StartsNoThreadWhileEveryServingThreadComputes) {
  Run();
  OnLoop([&] { threads_.spread(2); });
  std::atomic<bool> release{false};
  std::atomic<int> computing{0};
  auto compute_in_handler = [&] {
    threads_.run_unlocked([&] {
      ++computing;
      while (!release) {
      }  // runnable throughout: a CPU's work, not a wait
    });
  };
  Signal a(loop_, compute_in_handler, server::Handling::one_thread);
  Signal b(loop_, compute_in_handler, server::Handling::one_thread);
  a.Raise();
  b.Raise();
  ASSERT_TRUE(Eventually([&] { return computing.load() == 2; }));
  // Many of the monitor's looks, each finding both computing.
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(threads_.serving(), 2u);
  release = true;
  Stop();
}

}  // namespace
}  // namespace kong::test
