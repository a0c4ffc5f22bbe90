#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "server/loop_lock.h"

struct epoll_event;

namespace kong::server {

/// Something the loop wakes when its descriptor is ready.
class Watcher {
 public:
  virtual ~Watcher() = default;
  /// `events`: the EPOLL* bits that are ready.
  virtual void on_ready(std::uint32_t events) = 0;
};

/// Who may handle a descriptor's readiness once several threads serve the
/// loop.
enum class Handling {
  /// Any thread, even two at once for one readiness (a listening socket, a
  /// signalfd: the second finds nothing to read).
  any_thread,
  /// One thread at a time, from its wake-up to the end of on_ready: a
  /// connection, whose bytes must be read and answered in order.
  one_thread,
};

/// A level-triggered epoll loop. Chosen over asio for what a plugin server
/// does per request: asio's reactor tries a speculative read after every
/// answer (an EAGAIN under Kong's connection pool, where the next call comes
/// on another connection) and posts write completions as handlers of their
/// own (an extra epoll_wait). Here a request costs one epoll_wait (shared by
/// every connection ready at once), one read and one write.
///
/// One thread serves it (run()) until share(): from then on more may
/// (serve()), all on the same epoll descriptor, so that the thread that
/// reads Kong's message is the one that runs the handler it resumes, with
/// no hand-off. Whatever a thread handles, it handles holding the loop's
/// lock, which it releases only in epoll_wait and around handlers that may
/// run concurrently (EventDriver). A one_thread descriptor then becomes
/// one-shot (EPOLLONESHOT), re-armed after its on_ready: no second thread
/// takes it while a handler run from it is out of the lock.
class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Watches `fd` for `events` (EPOLLIN, EPOLLOUT). Throws on failure.
  void add(int fd, std::uint32_t events, Watcher* watcher,
           Handling handling = Handling::any_thread);
  void modify(int fd, std::uint32_t events, Watcher* watcher);
  void remove(int fd);

  /// After a batch that handled something, polls for up to `window` before
  /// sleeping in epoll_wait: Kong's next message (the answer to the call
  /// just written) usually arrives within tens of microseconds, and on these
  /// machines sleeping and being woken costs more CPU than polling that long,
  /// besides the latency (bench/README.md). Zero: always sleep. Never once
  /// shared: the spin would take a CPU from handlers.
  void busy_poll(std::chrono::microseconds window) { busy_poll_ = window; }

  /// Calls `tick` about every `period` while running.
  void every(std::chrono::milliseconds period, std::function<void()> tick);

  /// Waits and dispatches until stop(); `after_batch` runs after each
  /// batch of ready descriptors (to release what the batch closed), and
  /// ticks come, on this thread only.
  void run(const std::function<void()>& after_batch);
  /// Stops run() and every serve(); callable from any thread.
  void stop();
  bool running() const { return running_.load(std::memory_order_relaxed); }

  /// Runs `task` on a thread that serves the loop, holding its lock, in the
  /// order posted. Callable from any thread: how work done elsewhere (a
  /// blocking call) comes back to the sockets. Tasks posted while a thread
  /// is awake cost no system call; one posted to a sleeping loop writes an
  /// eventfd to wake it.
  void post(std::function<void()> task);

  /// Lets more threads serve (serve()), from now on; idempotent. Called
  /// holding the lock, on a thread that serves.
  void share();
  bool shared() const { return shared_.load(std::memory_order_relaxed); }

  /// Why serve() returned.
  enum class Served { stopped, idle, told_to_stop };
  /// Another thread serving, once shared: handles one readiness at a time
  /// until stop(), until `idle_exit` passes with nothing ready, or until
  /// `keep_serving` (asked holding the lock, before each wait and before
  /// handling what it brought) says no: what it brought goes back then.
  Served serve(std::chrono::milliseconds idle_exit, const std::function<bool()>& keep_serving);

  /// Makes `fd` the calling thread's to handle, as in its on_ready, for
  /// work on it that comes from elsewhere (a posted outcome): no other
  /// thread takes its readiness until release(), even while a handler
  /// started from it runs out of the lock. Holding the lock. Returns what
  /// release() takes.
  std::uint32_t hold(int fd);
  /// Done with `fd`: re-armed, unless closed meanwhile.
  void release(int fd, std::uint32_t held);

  /// The lock a serving thread holds while it handles.
  LoopLock& lock() { return mutex_; }

 private:
  // What the loop knows of a descriptor. The generation in epoll's data
  // tells a readiness of a descriptor since closed (a batch of another
  // thread, or one taken before a close) from one of its number reused.
  struct Entry {
    Watcher* watcher = nullptr;
    std::uint32_t events = 0;
    std::uint32_t generation = 0;
    Handling handling = Handling::any_thread;
    bool in_hand = false;     // one_thread, shared: a thread handles it now
    std::uint32_t holds = 0;  // the nested hold()s of the thread handling it
  };
  /// Handles one readiness from epoll, holding the lock.
  void dispatch(const ::epoll_event& ready);
  /// The entry a readiness from epoll is for, and its descriptor (`fd`);
  /// null for the eventfd, a descriptor closed since, or one another
  /// thread holds.
  Entry* reported(const ::epoll_event& ready, int& fd);
  /// A readiness taken but not to be handled by this thread: re-armed.
  void give_back(const ::epoll_event& ready);
  /// Runs the tasks posted so far.
  void run_posted();
  void control(int op, int fd, const Entry& entry);
  /// epoll_wait without the lock, counted among the sleepers.
  int wait(std::unique_lock<LoopLock>& held, ::epoll_event* ready, int max, int timeout);

  int epoll_fd_;
  int wake_fd_;  // an eventfd, written to wake the loop for posted tasks
  LoopLock mutex_;
  std::vector<Entry> entries_;  // by descriptor
  // How many threads sleep in epoll_wait, and whether tasks wait: each
  // side writes its own, then reads the other's (both sequentially
  // consistent), so a task is never left with every thread asleep.
  std::atomic<int> sleepers_{0};
  std::atomic<bool> has_posted_{false};
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::atomic<bool> running_{false};
  std::atomic<bool> shared_{false};
  std::chrono::microseconds busy_poll_{0};
  std::chrono::milliseconds period_{0};
  std::function<void()> tick_;
};

}  // namespace kong::server
