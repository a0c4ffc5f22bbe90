#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "server/event_loop.h"

namespace kong::server {

/// The threads that serve an EventLoop beside the one that runs it, once
/// handlers are heavy: with them, the thread that reads Kong's message runs
/// the handler it resumes, out of the loop's lock, while the others go on
/// reading and running. No event has a home thread, so no answer from Kong
/// waits for a hand-off; a handler may resume on another thread after each
/// PDK call, as a goroutine may.
///
/// spread(n) makes n threads serve in all. When every serving thread is in
/// a handler and fewer of them compute than there are CPUs (the others
/// wait: a handler past 200 µs and asleep now, in a blocking call not
/// wrapped in kong.blocking), a monitor starts another,
/// up to a limit, as Go's runtime does for goroutines in blocking system
/// calls. A thread with nothing to handle for `idle_exit` ends.
class LoopThreads {
 public:
  /// `cpus`: how many may compute at once (usable_cpus()).
  LoopThreads(EventLoop& loop, std::size_t max_threads, std::chrono::milliseconds idle_exit,
              std::size_t cpus = usable_cpus());
  /// Stops the monitor and joins every thread: the loop has stopped.
  ~LoopThreads();
  LoopThreads(const LoopThreads&) = delete;
  LoopThreads& operator=(const LoopThreads&) = delete;

  /// At least `count` threads serve the loop from now on, the one that runs
  /// it included (at most the limit); shares the loop. Called holding the
  /// loop's lock, before each heavy event: cheap when they already do.
  void spread(std::size_t count);

  /// Runs `fn` on this serving thread without the loop's lock, other
  /// serving threads handling meanwhile; counted busy for the monitor.
  /// Called holding the lock.
  template <typename Fn>
  void run_unlocked(Fn&& fn) {
    Busy busy(*this);
    fn();
  }

  /// Threads serving now, the one that runs the loop included.
  std::size_t serving() const;
  /// Serving threads in a handler out of the lock now.
  std::size_t busy() const;

  /// Stops the threads: the loop stopped. Idempotent.
  void join();

  /// The CPUs this process may run on.
  static std::size_t usable_cpus();

 private:
  /// A serving thread's state, for the monitor.
  struct Record {
    std::atomic<std::int64_t> busy_since{0};  // steady clock, ns; 0: not in a handler
    // /proc/self/task/<tid>/stat, open: its state, runnable or asleep.
    std::atomic<int> stat_fd{-1};
    /// Opens the calling thread's stat.
    void own();
    ~Record();
    /// In a handler for over 200 µs, and asleep now: it waits (one that
    /// computes is runnable, preempted or not).
    bool blocked(std::int64_t now_ns) const;
  };
  struct Thread {
    Record record;
    std::thread thread;
    std::atomic<bool> ended{false};
  };
  /// Marks the calling thread busy, unlocks; the reverse at scope end.
  class Busy {
   public:
    explicit Busy(LoopThreads& threads);
    ~Busy();
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

   private:
    LoopThreads& threads_;
    Record& record_;
  };

  Record& current_record();
  /// Starts a serving thread; holding mutex_.
  void start_one();
  /// Joins the threads that ended idle; holding mutex_.
  void reap();
  void monitor();

  EventLoop& loop_;
  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_exit_;
  const std::size_t cpus_;
  mutable std::mutex mutex_;
  // Threads serving, the first included: what spread() looks at first.
  std::atomic<std::size_t> serving_{1};
  std::condition_variable monitor_wake_;
  bool stopping_ = false;
  Record first_;  // the thread that runs the loop
  std::vector<std::unique_ptr<Thread>> threads_;
  std::thread monitor_;
};

}  // namespace kong::server
