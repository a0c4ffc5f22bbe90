#pragma once

#include <time.h>

#include <atomic>
#include <chrono>
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
///
/// Its thread ends after `idle_exit` with nothing to run and no event homed
/// on it, and the next task starts another: a server that was busy once
/// holds no threads when quiet. A handler suspended here (waiting for Kong)
/// keeps the thread, so that it resumes on the one it started on.
class Worker {
 public:
  explicit Worker(std::chrono::milliseconds idle_exit = std::chrono::seconds(10))
      : idle_exit_(idle_exit) {}
  /// Runs the tasks posted so far, then joins.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Runs `task` on this worker's thread, in the order posted; starts the
  /// thread at the first task. Callable from any thread.
  void post(std::function<void()> task);

  /// The calling thread is this worker's.
  bool is_current() const;

  /// Its thread runs (busy, or idle for less than `idle_exit`).
  bool has_thread() const;

  /// An event was homed here, and one homed here is gone (after its
  /// handler unwound, on this worker): while any is, the thread stays.
  void event_homed() { homed_.fetch_add(1); }
  void event_gone() { homed_.fetch_sub(1); }

  /// Since when it runs its current task (steady clock, in ns); 0: idle.
  std::int64_t busy_since() const { return busy_since_.load(std::memory_order_relaxed); }

  /// Its current task has run for over 200 µs, less than half of it
  /// on a CPU: it waits (a blocking call in a handler), and a CPU is free.
  bool blocked(std::int64_t now_ns) const;

 private:
  void serve();

  const std::chrono::milliseconds idle_exit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::function<void()>> queue_;
  bool stopping_ = false;
  bool sleeping_ = false;
  bool running_ = false;  // thread_ serves; false once it ended (joined at the next start)
  std::atomic<int> homed_{0};
  std::atomic<std::int64_t> busy_since_{0};
  std::atomic<std::int64_t> busy_cpu_since_{0};  // its thread's CPU time then
  // Its thread's CPU clock, while has_cpu_clock_; atomic, as each new
  // thread sets it while blocked() may read it.
  std::atomic<bool> has_cpu_clock_{false};
  std::atomic<clockid_t> cpu_clock_{};

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
  /// `idle_exit`: how long each worker's thread waits for work before it
  /// ends (Worker).
  Workers(std::size_t count, std::size_t max_count, std::chrono::milliseconds idle_exit);

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
  std::chrono::milliseconds idle_exit_;
  std::size_t next_ = 0;
};

}  // namespace kong::server
