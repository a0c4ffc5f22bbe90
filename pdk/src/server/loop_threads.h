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
/// spread(n) makes n threads serve in all, one per CPU by default: each
/// serves holding a *permit*, and there are n of them, the first thread's
/// included. A thread whose handler waits (in it for over 50 µs and asleep
/// in the kernel: a blocking call not wrapped in kong.blocking) lends its
/// permit, and when every thread holding one is busy a monitor gives it to
/// a parked thread, or starts one, up to a limit, as Go's runtime hands a
/// goroutine's processor on while it is in a blocking system call. Back
/// from its wait, a thread takes a free permit or parks once it is done
/// with its message: as many threads compute as there are permits, however
/// many started while handlers waited. (The first thread, which runs the
/// loop's timers, never parks: back with no permit free, it takes one, and
/// the next thread to wake gives one up.) A thread with nothing to handle,
/// or parked, for `idle_exit` ends.
class LoopThreads {
 public:
  /// At most `max_threads` threads alive, the first included; how many
  /// compute at once is spread()'s count of permits.
  LoopThreads(EventLoop& loop, std::size_t max_threads, std::chrono::milliseconds idle_exit);
  /// Stops the monitor and joins every thread: the loop has stopped.
  ~LoopThreads();
  LoopThreads(const LoopThreads&) = delete;
  LoopThreads& operator=(const LoopThreads&) = delete;

  /// `count` permits from now on, the first thread's included (at most the
  /// limit), and a thread serving with each; shares the loop. Called
  /// holding the loop's lock, before each heavy event: cheap when they
  /// already serve.
  void spread(std::size_t count);

  /// Runs `fn` on this serving thread without the loop's lock, other
  /// serving threads handling meanwhile; counted busy for the monitor.
  /// Called holding the lock.
  template <typename Fn>
  void run_unlocked(Fn&& fn) {
    Busy busy(*this);
    fn();
  }

  /// Threads serving now (holding a permit, or in a handler that waits),
  /// the one that runs the loop included; not those parked.
  std::size_t serving() const;
  /// Threads started and not ended, parked ones included, the first too.
  std::size_t alive() const;

  /// Stops the threads: the loop stopped. Idempotent.
  void join();

  /// The CPUs this process may run on.
  static std::size_t usable_cpus();

 private:
  /// A serving thread's state. The atomics are read by the monitor without
  /// the thread's cooperation; the rest is guarded by mutex_.
  struct Record {
    std::atomic<std::int64_t> busy_since{0};  // steady clock, ns; 0: not in a handler
    // /proc/self/task/<tid>/stat, open: its state, runnable or asleep.
    std::atomic<int> stat_fd{-1};
    std::atomic<bool> has_permit{false};
    bool lent = false;  // its permit went to another thread while it waits
    /// Opens the calling thread's stat.
    void own();
    ~Record();
    /// In a handler for over 50 µs, and asleep now: it waits (one that
    /// computes is runnable, preempted or not).
    bool blocked(std::int64_t now_ns) const;
  };
  struct Thread {
    Record record;
    std::thread thread;
    std::condition_variable wake;  // a permit for it, or stopping
    bool parked = false;
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
  /// A thread's life: serve while it holds a permit, park while it has none.
  void serve(Thread& self);
  /// Whether `self` goes on serving: it holds a permit, and no debt asks
  /// for one back. Holding mutex_.
  bool keeps_permit(Thread& self);
  /// A free permit to a parked thread, or to a new one (false: none may
  /// start); holding mutex_.
  bool hand_out_permit();
  /// alive(), holding mutex_.
  std::size_t alive_locked() const;
  /// Joins the threads that ended; holding mutex_.
  void reap();
  void monitor();

  EventLoop& loop_;
  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_exit_;
  mutable std::mutex mutex_;
  std::condition_variable monitor_wake_;
  bool stopping_ = false;
  std::size_t permits_ = 1;  // in all, the first thread's included
  std::size_t free_permits_ = 0;
  // Permits the first thread took back while none was free, which the next
  // threads to look give up: it never parks, as it runs the loop's ticks.
  std::size_t debt_ = 0;
  // What spread() looks at first: permits in all, and none free.
  std::atomic<std::size_t> permits_seen_{1};
  std::atomic<bool> all_taken_{true};
  Record first_;  // the thread that runs the loop
  std::vector<std::unique_ptr<Thread>> threads_;
  std::thread monitor_;
};

}  // namespace kong::server
