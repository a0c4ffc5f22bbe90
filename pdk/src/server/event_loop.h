#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace kong::server {

/// Something the loop wakes when its descriptor is ready.
class Watcher {
 public:
  virtual ~Watcher() = default;
  /// `events`: the EPOLL* bits that are ready.
  virtual void on_ready(std::uint32_t events) = 0;
};

/// A level-triggered epoll loop on one thread. Chosen over asio for what a
/// plugin server does per request: asio's reactor tries a speculative read
/// after every answer (an EAGAIN under Kong's connection pool, where the next
/// call comes on another connection) and posts write completions as handlers
/// of their own (an extra epoll_wait). Here a request costs one epoll_wait
/// (shared by every connection ready at once), one read and one write.
class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Watches `fd` for `events` (EPOLLIN, EPOLLOUT). Throws on failure.
  void add(int fd, std::uint32_t events, Watcher* watcher);
  void modify(int fd, std::uint32_t events, Watcher* watcher);
  void remove(int fd);

  /// After a batch that handled something, polls for up to `window` before
  /// sleeping in epoll_wait: Kong's next message (the answer to the call
  /// just written) usually arrives within tens of microseconds, and on these
  /// machines sleeping and being woken costs more CPU than polling that long,
  /// besides the latency (bench/README.md). Zero: always sleep.
  void busy_poll(std::chrono::microseconds window) { busy_poll_ = window; }

  /// While held (a count: each hold() needs a release()), the loop does not
  /// poll before sleeping: work runs on other threads, whose CPU the spin
  /// would take, and what the loop waits for is their post, not Kong.
  void hold_busy_poll() { ++busy_poll_holds_; }
  void release_busy_poll() { --busy_poll_holds_; }

  /// Calls `tick` about every `period` while running.
  void every(std::chrono::milliseconds period, std::function<void()> tick);

  /// Waits and dispatches until stop(); `after_batch` runs after each
  /// batch of ready descriptors (to release what the batch closed).
  void run(const std::function<void()>& after_batch);
  void stop() { running_ = false; }

  /// Runs `task` on the loop's thread, in the order posted. Callable from
  /// any thread: how work done elsewhere (a blocking call, a handler on a
  /// worker) comes back to the sockets. Tasks posted while the loop is
  /// awake cost no system call; one posted to a sleeping loop writes an
  /// eventfd to wake it.
  void post(std::function<void()> task);

 private:
  /// Runs the tasks posted so far.
  void run_posted();

  int epoll_fd_;
  int wake_fd_;  // an eventfd, written to wake the loop for posted tasks
  // Whether the loop sleeps in epoll_wait, and whether tasks wait: each
  // side writes its flag, then reads the other's (both sequentially
  // consistent), so a task is never left with the loop asleep.
  std::atomic<bool> sleeping_{false};
  std::atomic<bool> has_posted_{false};
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::vector<std::function<void()>> running_tasks_;  // the batch being run
  bool running_ = false;
  std::chrono::microseconds busy_poll_{0};
  int busy_poll_holds_ = 0;
  std::chrono::milliseconds period_{0};
  std::function<void()> tick_;
};

}  // namespace kong::server
