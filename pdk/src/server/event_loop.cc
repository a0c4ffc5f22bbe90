#include "server/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kong::server {
namespace {

void check(int rc, const char* what) {
  if (rc < 0)
    throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

// The eventfd's mark in epoll's data: no Watcher has this address.
constexpr std::uintptr_t kWakeMark = 1;

}  // namespace

EventLoop::EventLoop()
    : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  check(epoll_fd_, "epoll_create1");
  check(wake_fd_, "eventfd");
  epoll_event ev{EPOLLIN, {.u64 = kWakeMark}};
  check(::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev), "epoll_ctl(ADD eventfd)");
}

EventLoop::~EventLoop() {
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void EventLoop::post(std::function<void()> task) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(task));
    has_posted_.store(true);
  }
  // An awake loop looks at has_posted_ before it sleeps.
  if (sleeping_.load()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
}

void EventLoop::run_posted() {
  {
    std::lock_guard lock(posted_mutex_);
    running_tasks_.swap(posted_);
    has_posted_.store(false);
  }
  // Outside the lock: a task may post again (to this loop or another).
  for (auto& task : running_tasks_)
    task();
  running_tasks_.clear();
}

void EventLoop::add(int fd, std::uint32_t events, Watcher* watcher) {
  epoll_event ev{events, {.ptr = watcher}};
  check(::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev), "epoll_ctl(ADD)");
}

void EventLoop::modify(int fd, std::uint32_t events, Watcher* watcher) {
  epoll_event ev{events, {.ptr = watcher}};
  check(::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev), "epoll_ctl(MOD)");
}

void EventLoop::remove(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::every(std::chrono::milliseconds period, std::function<void()> tick) {
  period_ = period;
  tick_ = std::move(tick);
}

void EventLoop::run(const std::function<void()>& after_batch) {
  using Clock = std::chrono::steady_clock;
  running_ = true;
  auto next_tick = Clock::now() + period_;
  epoll_event ready[64];
  bool busy = false;  // the last batch handled something
  while (running_) {
    int timeout = -1;
    if (tick_) {
      timeout = static_cast<int>(std::max<std::int64_t>(
          0, std::chrono::ceil<std::chrono::milliseconds>(next_tick - Clock::now()).count()));
    }
    int n = 0;
    if (busy && busy_poll_.count() > 0 && busy_poll_holds_ == 0) {
      const auto until = Clock::now() + busy_poll_;
      do {
        n = ::epoll_wait(epoll_fd_, ready, 64, 0);
      } while (n == 0 && !has_posted_.load(std::memory_order_relaxed) && Clock::now() < until);
    }
    if (n <= 0) {
      sleeping_.store(true);
      if (!has_posted_.load())
        n = ::epoll_wait(epoll_fd_, ready, 64, timeout);
      sleeping_.store(false);
    }
    busy = n > 0;
    if (n < 0 && errno != EINTR)
      check(n, "epoll_wait");
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.u64 == kWakeMark) {
        std::uint64_t count = 0;  // the wake-up itself; the tasks run below
        [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &count, sizeof count);
      } else {
        static_cast<Watcher*>(ready[i].data.ptr)->on_ready(ready[i].events);
      }
    }
    if (has_posted_.load(std::memory_order_relaxed)) {
      run_posted();
      busy = true;
    }
    after_batch();
    if (tick_ && Clock::now() >= next_tick) {
      tick_();
      next_tick = Clock::now() + period_;
    }
  }
}

}  // namespace kong::server
