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

// The eventfd's mark in epoll's data: no descriptor has generation ~0.
constexpr std::uint64_t kWakeMark = ~std::uint64_t{0};

std::uint64_t mark(int fd, std::uint32_t generation) {
  return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
}

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
  // An awake thread looks at has_posted_ before it sleeps.
  if (sleepers_.load() > 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
}

void EventLoop::run_posted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(posted_mutex_);
    tasks.swap(posted_);
    has_posted_.store(false);
  }
  // Outside posted_mutex_: a task may post again.
  for (auto& task : tasks)
    task();
}

void EventLoop::control(int op, int fd, const Entry& entry) {
  std::uint32_t events = entry.events;
  if (shared() && entry.handling == Handling::one_thread) {
    events |= EPOLLONESHOT;
    if (entry.in_hand)
      events = EPOLLONESHOT;  // re-armed when its thread is done with it
  }
  epoll_event ev{events, {.u64 = mark(fd, entry.generation)}};
  check(::epoll_ctl(epoll_fd_, op, fd, &ev),
        op == EPOLL_CTL_ADD ? "epoll_ctl(ADD)" : "epoll_ctl(MOD)");
}

void EventLoop::add(int fd, std::uint32_t events, Watcher* watcher, Handling handling) {
  if (fd < 0)
    throw std::runtime_error("epoll_ctl(ADD): bad descriptor");
  if (static_cast<std::size_t>(fd) >= entries_.size())
    entries_.resize(static_cast<std::size_t>(fd) + 1);
  Entry& entry = entries_[static_cast<std::size_t>(fd)];
  entry.watcher = watcher;
  entry.events = events;
  entry.handling = handling;
  entry.in_hand = false;
  entry.holds = 0;
  control(EPOLL_CTL_ADD, fd, entry);
}

void EventLoop::modify(int fd, std::uint32_t events, Watcher* watcher) {
  Entry& entry = entries_.at(static_cast<std::size_t>(fd));
  entry.watcher = watcher;
  if (entry.events == events)
    return;
  entry.events = events;
  // One in hand is re-armed with these when its thread is done.
  if (!entry.in_hand)
    control(EPOLL_CTL_MOD, fd, entry);
}

void EventLoop::remove(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  if (fd < 0 || static_cast<std::size_t>(fd) >= entries_.size())
    return;
  Entry& entry = entries_[static_cast<std::size_t>(fd)];
  entry.watcher = nullptr;
  entry.in_hand = false;
  entry.holds = 0;
  ++entry.generation;  // what epoll reported of it before is stale now
}

void EventLoop::every(std::chrono::milliseconds period, std::function<void()> tick) {
  period_ = period;
  tick_ = std::move(tick);
}

void EventLoop::stop() {
  running_.store(false);
  // Wakes every sleeping thread: the eventfd stays readable, unread.
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::share() {
  if (shared())
    return;
  shared_.store(true);
  // Every connection one-shot from now on; those this thread holds (the
  // one it handles) stay disarmed until it is done with them.
  for (std::size_t fd = 0; fd < entries_.size(); ++fd) {
    Entry& entry = entries_[fd];
    if (entry.watcher == nullptr || entry.handling != Handling::one_thread)
      continue;
    if (entry.holds > 0)
      entry.in_hand = true;
    control(EPOLL_CTL_MOD, static_cast<int>(fd), entry);
  }
}

int EventLoop::wait(std::unique_lock<LoopLock>& held, epoll_event* ready, int max, int timeout) {
  held.unlock();
  int n = 0;
  sleepers_.fetch_add(1);
  if (!has_posted_.load())
    n = ::epoll_wait(epoll_fd_, ready, max, timeout);
  sleepers_.fetch_sub(1);
  held.lock();
  if (n < 0 && errno != EINTR)
    check(n, "epoll_wait");
  return n;
}

std::uint32_t EventLoop::hold(int fd) {
  Entry& entry = entries_.at(static_cast<std::size_t>(fd));
  if (shared() && entry.handling == Handling::one_thread)
    entry.in_hand = true;
  ++entry.holds;
  return entry.generation;
}

void EventLoop::release(int fd, std::uint32_t held) {
  // entries_ may have grown meanwhile: looked up again.
  Entry& entry = entries_[static_cast<std::size_t>(fd)];
  if (entry.generation != held || entry.watcher == nullptr || --entry.holds > 0)
    return;  // closed meanwhile, or an outer hold is still on
  // In hand (taken shared, or shared meanwhile): re-armed for any thread.
  if (entry.in_hand) {
    entry.in_hand = false;
    control(EPOLL_CTL_MOD, fd, entry);
  }
}

EventLoop::Entry* EventLoop::reported(const epoll_event& ready, int& fd) {
  fd = static_cast<int>(ready.data.u64 & 0xffffffffu);
  const auto generation = static_cast<std::uint32_t>(ready.data.u64 >> 32);
  if (ready.data.u64 == kWakeMark || static_cast<std::size_t>(fd) >= entries_.size())
    return nullptr;
  Entry& entry = entries_[static_cast<std::size_t>(fd)];
  // Closed since epoll reported it; or another thread holds it, which
  // re-arms it when done, and epoll reports it again if it is still ready.
  if (entry.watcher == nullptr || entry.generation != generation || entry.in_hand)
    return nullptr;
  return &entry;
}

void EventLoop::give_back(const epoll_event& ready) {
  // The eventfd is level-triggered: it wakes another thread.
  int fd = -1;
  Entry* entry = reported(ready, fd);
  // One-shot: re-armed, reported again to a thread that serves.
  if (entry != nullptr && entry->handling == Handling::one_thread)
    control(EPOLL_CTL_MOD, fd, *entry);
}

void EventLoop::dispatch(const epoll_event& ready) {
  if (ready.data.u64 == kWakeMark) {
    // The wake-up itself (the tasks run after); left unread once stopped,
    // so that it wakes every thread.
    if (running()) {
      std::uint64_t count = 0;
      [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &count, sizeof count);
    }
    return;
  }
  int fd = -1;
  Entry* entry = reported(ready, fd);
  if (entry == nullptr)
    return;
  const std::uint32_t held = hold(fd);
  entry->watcher->on_ready(ready.events);
  release(fd, held);
}

void EventLoop::run(const std::function<void()>& after_batch) {
  using Clock = std::chrono::steady_clock;
  std::unique_lock held(mutex_);
  running_.store(true);
  auto next_tick = Clock::now() + period_;
  epoll_event ready[64];
  bool busy = false;  // the last batch handled something
  while (running()) {
    int timeout = -1;
    if (tick_) {
      timeout = static_cast<int>(std::max<std::int64_t>(
          0, std::chrono::ceil<std::chrono::milliseconds>(next_tick - Clock::now()).count()));
    }
    int n = 0;
    if (busy && busy_poll_.count() > 0 && !shared()) {
      held.unlock();
      const auto until = Clock::now() + busy_poll_;
      do {
        n = ::epoll_wait(epoll_fd_, ready, 64, 0);
      } while (n == 0 && !has_posted_.load(std::memory_order_relaxed) && Clock::now() < until);
      held.lock();
    }
    // Shared: one readiness at a time, so that what this thread does not
    // take, another may.
    if (n <= 0)
      n = wait(held, ready, shared() ? 1 : 64, timeout);
    busy = n > 0;
    for (int i = 0; i < n && running(); ++i) {
      const bool was_shared = shared();
      dispatch(ready[i]);
      // Just shared: the rest of the batch was taken level-triggered, and
      // is armed for any thread now; epoll reports it again.
      if (!was_shared && shared())
        break;
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

EventLoop::Served EventLoop::serve(std::chrono::milliseconds idle_exit,
                                   const std::function<bool()>& keep_serving) {
  using Clock = std::chrono::steady_clock;
  std::unique_lock held(mutex_);
  auto idle_since = Clock::now();
  epoll_event ready;
  while (running()) {
    if (!keep_serving())
      return Served::told_to_stop;
    const auto left = idle_exit - (Clock::now() - idle_since);
    if (left <= Clock::duration::zero())
      return Served::idle;
    const int n =
        wait(held, &ready, 1,
             static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count()));
    if (!running())
      break;
    if (n > 0 && !keep_serving()) {
      give_back(ready);
      return Served::told_to_stop;
    }
    if (n > 0) {
      dispatch(ready);
      idle_since = Clock::now();
    }
    if (has_posted_.load(std::memory_order_relaxed)) {
      run_posted();
      idle_since = Clock::now();
    }
  }
  return Served::stopped;
}

}  // namespace kong::server
