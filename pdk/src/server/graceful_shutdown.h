#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "server/event_loop.h"

namespace kong::server {

/// Kong's way of stopping a plugin server, SIGTERM (and SIGINT, at a
/// terminal), taken in two steps. The first signal begins a drain: the
/// server stops taking connections and finishes the events in flight. A
/// second signal, or the end of the grace period, ends it at once.
///
/// Signals arrive through a signalfd, between the loop's batches, never
/// inside a handler. They are blocked in every thread: the constructor
/// blocks them in the calling thread before the server starts any other,
/// and threads inherit the mask.
class GracefulShutdown {
 public:
  struct Actions {
    /// The first signal: stop taking connections.
    std::function<void()> drain;
    /// A second signal, or the grace period is over.
    std::function<void()> force;
  };

  GracefulShutdown(EventLoop& loop, std::chrono::milliseconds grace, Actions actions);
  ~GracefulShutdown();
  GracefulShutdown(const GracefulShutdown&) = delete;
  GracefulShutdown& operator=(const GracefulShutdown&) = delete;

  bool draining() const { return draining_; }

 private:
  class Watch final : public Watcher {
   public:
    explicit Watch(std::function<void()> fn) : fn_(std::move(fn)) {}
    void on_ready(std::uint32_t) override { fn_(); }

   private:
    std::function<void()> fn_;
  };

  void on_signal();
  void on_deadline();

  EventLoop& loop_;
  std::chrono::milliseconds grace_;
  Actions actions_;
  int signal_fd_ = -1;
  int timer_fd_ = -1;
  bool draining_ = false;
  Watch signal_watch_;
  Watch timer_watch_;
};

}  // namespace kong::server
