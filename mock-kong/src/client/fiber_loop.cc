#include "client/fiber_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/context/protected_fixedsize_stack.hpp>

namespace kong::mock {
namespace {

// The loop whose fiber runs on this thread now.
thread_local FiberLoop* running_loop = nullptr;

std::atomic<std::uint64_t> next_loop_id{1};

// How often the deadlines of fibers waiting on sockets are checked: a
// timeout may come this much late, and a loop with nothing to do sleeps no
// longer than this.
constexpr auto kExpiryScan = std::chrono::milliseconds(10);

// Read interest only, so that the server taking our bytes (a write-space
// edge) wakes nobody; a blocked write adds EPOLLOUT while it waits.
constexpr std::uint32_t kReadEvents = EPOLLIN | EPOLLRDHUP | EPOLLET;

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("FiberLoop: ") + what + ": " + std::strerror(errno));
}

}  // namespace

struct FiberLoop::Fiber {
  std::function<void()> body;
  boost::context::fiber context;  // while suspended, or before its start
  bool done = false;
  int waiting_fd = -1;
  Interest interest = Interest::readable;
  Clock::time_point deadline = Clock::time_point::max();
  std::optional<Deadline> case_deadline;
};

FiberLoop::FiberLoop(std::size_t stack_bytes)
    : id_(next_loop_id++), stack_bytes_(stack_bytes), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0)
    fail("epoll_create1");
}

FiberLoop::~FiberLoop() {
  ::close(epoll_fd_);
}

FiberLoop* FiberLoop::current() {
  return running_loop;
}

void FiberLoop::spawn(std::function<void()> body) {
  if (running_loop == this)
    throw std::logic_error("FiberLoop::spawn: from one of its own fibers");
  auto f = std::make_unique<Fiber>();
  Fiber* self = f.get();
  self->body = std::move(body);
  self->context = boost::context::fiber(std::allocator_arg,
                                        boost::context::protected_fixedsize_stack(stack_bytes_),
                                        [this, self](boost::context::fiber&& loop) {
                                          scheduler_ = std::move(loop);
                                          try {
                                            self->body();
                                          } catch (...) {
                                            if (!first_error_)
                                              first_error_ = std::current_exception();
                                          }
                                          self->done = true;
                                          return std::move(scheduler_);
                                        });
  runnable_.push_back(self);
  fibers_.push_back(std::move(f));
}

void FiberLoop::resume(Fiber& f) {
  FiberLoop* const outer = running_loop;
  running_loop = this;
  running_ = &f;
  f.context = std::move(f.context).resume();
  running_ = nullptr;
  running_loop = outer;
}

void FiberLoop::suspend() {
  scheduler_ = std::move(scheduler_).resume();
}

void FiberLoop::watch(int fd) {
  epoll_event event{};
  event.events = kReadEvents;
  event.data.fd = fd;
  // EEXIST: the descriptor number came back for a new socket while a
  // forked child still held the old one open; either registration serves.
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0 && errno != EEXIST)
    fail("epoll_ctl");
  const auto index = static_cast<std::size_t>(fd);
  if (index >= waiting_.size()) {
    waiting_.resize(index + 1, nullptr);
    edge_pending_.resize(index + 1, false);
  }
  edge_pending_[index] = false;
}

void FiberLoop::wait(int fd, Interest interest, Clock::time_point deadline) {
  Fiber& f = *running_;
  if (edge_pending_[static_cast<std::size_t>(fd)]) {
    edge_pending_[static_cast<std::size_t>(fd)] = false;
    return;
  }
  if (interest == Interest::writable) {
    epoll_event event{};
    event.events = kReadEvents | EPOLLOUT;
    event.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
  }
  f.waiting_fd = fd;
  f.interest = interest;
  f.deadline = deadline;
  waiting_[static_cast<std::size_t>(fd)] = &f;
  ++waiting_count_;
  suspend();
  if (interest == Interest::writable) {
    epoll_event event{};
    event.events = kReadEvents;
    event.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
  }
}

void FiberLoop::sleep_until(Clock::time_point at) {
  if (Clock::now() >= at)
    return;
  sleepers_.emplace(at, running_);
  suspend();
}

std::optional<Deadline>& FiberLoop::case_deadline() {
  return running_->case_deadline;
}

std::optional<Deadline>& current_case_deadline() {
  if (FiberLoop* loop = FiberLoop::current())
    return loop->case_deadline();
  thread_local std::optional<Deadline> thread_bound;
  return thread_bound;
}

void FiberLoop::wake_expired(Clock::time_point now) {
  while (!sleepers_.empty() && sleepers_.top().first <= now) {
    runnable_.push_back(sleepers_.top().second);
    sleepers_.pop();
  }
  if (waiting_count_ == 0 || now < next_expiry_scan_)
    return;
  next_expiry_scan_ = now + kExpiryScan;
  for (auto& f : fibers_) {
    if (f->waiting_fd >= 0 && f->deadline <= now) {
      waiting_[static_cast<std::size_t>(f->waiting_fd)] = nullptr;
      f->waiting_fd = -1;
      --waiting_count_;
      runnable_.push_back(f.get());
    }
  }
}

void FiberLoop::poll_sockets(Clock::time_point now) {
  // Sleep until the next fiber's start time or deadline scan, unless a
  // fiber can run now.
  Clock::time_point until = now + kExpiryScan;
  if (!sleepers_.empty())
    until = std::min(until, sleepers_.top().first);
  if (waiting_count_ > 0)
    until = std::min(until, std::max(now, next_expiry_scan_));
  const auto wait =
      runnable_.empty() ? std::max<Clock::duration>(until - now, {}) : Clock::duration{};
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
  epoll_event events[64];
  int n = -1;
  // epoll_pwait2 takes nanoseconds, for open loops' start times; where it is
  // missing (Valgrind, kernels before 5.11), epoll_wait's milliseconds do.
  static bool nanoseconds_unsupported = false;
  if (!nanoseconds_unsupported) {
    const timespec timeout{static_cast<time_t>(ns / 1000000000),
                           static_cast<long>(ns % 1000000000)};
    n = ::epoll_pwait2(epoll_fd_, events, 64, &timeout, nullptr);
    nanoseconds_unsupported = n < 0 && errno == ENOSYS;
  }
  if (nanoseconds_unsupported)
    n = ::epoll_wait(epoll_fd_, events, 64, static_cast<int>((ns + 999999) / 1000000));
  if (n < 0 && errno != EINTR)
    fail("epoll_wait");
  for (int i = 0; i < n; ++i) {
    const auto fd = static_cast<std::size_t>(events[i].data.fd);
    if (fd >= waiting_.size())
      continue;
    Fiber* f = waiting_[fd];
    if (f == nullptr) {
      edge_pending_[fd] = true;
      continue;
    }
    const std::uint32_t wanted = f->interest == Interest::readable
                                     ? EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR
                                     : EPOLLOUT | EPOLLHUP | EPOLLERR;
    if ((events[i].events & wanted) == 0)
      continue;
    waiting_[fd] = nullptr;
    f->waiting_fd = -1;
    --waiting_count_;
    runnable_.push_back(f);
  }
}

void FiberLoop::run() {
  std::size_t live = fibers_.size();
  while (live > 0) {
    while (!runnable_.empty()) {
      Fiber* f = runnable_.front();
      runnable_.pop_front();
      resume(*f);
      if (f->done)
        --live;
    }
    if (live == 0)
      break;
    poll_sockets(Clock::now());
    wake_expired(Clock::now());
  }
  fibers_.clear();
  if (first_error_)
    std::rethrow_exception(std::exchange(first_error_, nullptr));
}

}  // namespace kong::mock
