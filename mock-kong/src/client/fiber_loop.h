#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include <boost/context/fiber.hpp>

#include "kong/mock/transport.h"

namespace kong::mock {

/// Many cases in flight in one thread, as an nginx worker serves its
/// requests: each runs in a fiber of its own, which gives way whenever it
/// waits on a socket or for its start time, and resumes when epoll says the
/// socket is ready. The clients' code stays the blocking code every mode
/// runs: a SocketConnection waits through wait() when it runs in a loop's
/// fiber, and blocks in the kernel otherwise.
///
/// Sockets are registered once (watch()), edge-triggered, so that a wait
/// costs no system call besides the shared epoll_wait.
class FiberLoop {
 public:
  /// `stack_bytes` for each fiber's stack (mapped lazily, with a guard page).
  explicit FiberLoop(std::size_t stack_bytes = std::size_t{1} << 20);
  ~FiberLoop();
  FiberLoop(const FiberLoop&) = delete;
  FiberLoop& operator=(const FiberLoop&) = delete;

  /// Adds a fiber that runs `body` once run() runs (not from a fiber).
  void spawn(std::function<void()> body);
  /// Runs the fibers until every one has returned. An exception that
  /// escapes a fiber ends it, and run() rethrows the first once all ended.
  void run();

  /// The loop whose fiber is running this code; nullptr outside fibers.
  static FiberLoop* current();

  /// Registers `fd` with the loop's epoll, once per socket: its owner
  /// remembers id() (a closed descriptor leaves epoll by itself).
  void watch(int fd);

  enum class Interest { readable, writable };
  /// Suspends the calling fiber until the watched `fd` may be `interest`
  /// again, or `deadline` passes. May wake early: the caller tries its system
  /// call again and waits once more when it would still block.
  void wait(int fd, Interest interest, Clock::time_point deadline);
  /// Suspends the calling fiber until `at` (returns at once when past).
  void sleep_until(Clock::time_point at);

  /// The case bound of the calling fiber (each runs a case of its own).
  std::optional<Deadline>& case_deadline();

  /// Unique per loop, for a socket to know whether this one watches it.
  std::uint64_t id() const { return id_; }

 private:
  struct Fiber;
  void resume(Fiber& f);
  void suspend();
  void poll_sockets(Clock::time_point now);
  void wake_expired(Clock::time_point now);

  std::uint64_t id_;
  std::size_t stack_bytes_;
  int epoll_fd_ = -1;
  std::vector<std::unique_ptr<Fiber>> fibers_;
  std::deque<Fiber*> runnable_;
  /// The fiber waiting on each file descriptor, by descriptor.
  std::vector<Fiber*> waiting_;
  /// An edge came while nobody waited on the descriptor: the next wait on
  /// it returns at once (the bytes may still be unread).
  std::vector<bool> edge_pending_;
  std::size_t waiting_count_ = 0;
  /// Sleeping fibers, earliest first.
  using Sleeper = std::pair<Clock::time_point, Fiber*>;
  std::priority_queue<Sleeper, std::vector<Sleeper>, std::greater<>> sleepers_;
  Fiber* running_ = nullptr;
  /// The loop itself, while a fiber runs.
  boost::context::fiber scheduler_;
  Clock::time_point next_expiry_scan_{};
  std::exception_ptr first_error_;
};

/// The case bound of the code running now (PluginSession::CaseBound sets
/// it): the calling fiber's in a FiberLoop, the thread's otherwise.
std::optional<Deadline>& current_case_deadline();

}  // namespace kong::mock
