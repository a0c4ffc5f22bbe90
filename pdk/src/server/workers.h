#pragma once

#include <time.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kong::server {

/// A thread that runs the handlers of the events homed on it, one task at
/// a time. An event's handler runs on its home and nowhere else: a fiber
/// never moves between threads, so code that keeps thread_local state (or
/// a compiler that caches its address) sees one thread throughout.
class Worker {
 public:
  Worker() = default;
  /// Runs the tasks posted so far, then joins.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Runs `task` on this worker's thread, in the order posted; starts the
  /// thread at the first task. Callable from any thread.
  void post(std::function<void()> task);

  /// The calling thread is this worker's.
  bool is_current() const;

  /// Since when it runs its current task (steady clock, in ns); 0: idle.
  std::int64_t busy_since() const { return busy_since_.load(std::memory_order_relaxed); }

  /// Its current task has run for over 200 µs, less than half of it
  /// on a CPU: it waits (a blocking call in a handler), and a CPU is free.
  bool blocked(std::int64_t now_ns) const;

 private:
  void serve();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::function<void()>> queue_;
  bool stopping_ = false;
  bool sleeping_ = false;
  std::atomic<std::int64_t> busy_since_{0};
  std::atomic<std::int64_t> busy_cpu_since_{0};  // its thread's CPU time then
  std::atomic<bool> has_cpu_clock_{false};
  clockid_t cpu_clock_{};  // its thread's CPU clock, once has_cpu_clock_

  std::thread thread_;
};

/// The worker threads, one per CPU the server may run on, that take the
/// events of heavy handlers off the I/O thread. None on one CPU, where
/// they would only add hand-offs; none start before a heavy handler runs.
/// When handlers block in them (a call that waits, not wrapped in
/// kong.blocking), more start, up to `max_count`, so that the CPUs the
/// waiting ones leave free are used, as Go's runtime does for goroutines
/// in blocking system calls.
class Workers {
 public:
  Workers(std::size_t count, std::size_t max_count);

  std::size_t size() const { return workers_.size(); }

  /// The home for the next heavy event: an idle worker, each in turn, so
  /// that a handler that holds one worker up holds up no event after it
  /// while another is free; else a new one, when fewer workers compute
  /// than there are CPUs (the others wait) and the limit allows; else the
  /// one whose current task started last.
  Worker& next();

  /// The CPUs this process may run on.
  static std::size_t usable_cpus();

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
  std::size_t cpus_;
  std::size_t max_count_;
  std::size_t next_ = 0;
};

}  // namespace kong::server
