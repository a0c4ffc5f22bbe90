#include "server/workers.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>

namespace kong::server {
namespace {

thread_local const Worker* current_worker = nullptr;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t cpu_ns(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

constexpr std::int64_t kBlockedAfterNs = 200'000;

}  // namespace

Worker::~Worker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

void Worker::post(std::function<void()> task) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(task));
    if (!running_) {
      // One that ended idle has left serve() and holds no lock: its join
      // waits only for the thread's exit.
      if (thread_.joinable())
        thread_.join();
      running_ = true;
      thread_ = std::thread([this] { serve(); });
    }
    wake = sleeping_;
  }
  // A busy worker finds the task when it looks next: no system call.
  if (wake)
    wake_.notify_one();
}

bool Worker::is_current() const {
  return current_worker == this;
}

bool Worker::has_thread() const {
  std::lock_guard lock(mutex_);
  return running_;
}

bool Worker::blocked(std::int64_t now) const {
  const std::int64_t since = busy_since();
  if (since == 0 || now - since < kBlockedAfterNs || !has_cpu_clock_.load())
    return false;
  const std::int64_t on_cpu =
      cpu_ns(cpu_clock_.load()) - busy_cpu_since_.load(std::memory_order_relaxed);
  return on_cpu * 2 < now - since;
}

void Worker::serve() {
  current_worker = this;
  clockid_t clock{};
  if (::pthread_getcpuclockid(::pthread_self(), &clock) == 0) {
    cpu_clock_.store(clock);
    has_cpu_clock_.store(true);
  }
  std::vector<std::function<void()>> batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_)
        break;
      sleeping_ = true;
      const bool woken =
          wake_.wait_for(lock, idle_exit_, [this] { return stopping_ || !queue_.empty(); });
      sleeping_ = false;
      // Idle for idle_exit_, no event homed here: the next post starts a
      // thread. (An event homed from now on posts its first task after.)
      if (!woken && homed_.load() == 0)
        break;
      continue;
    }
    batch.swap(queue_);
    lock.unlock();
    for (auto& task : batch) {
      busy_cpu_since_.store(cpu_ns(CLOCK_THREAD_CPUTIME_ID), std::memory_order_relaxed);
      busy_since_.store(now_ns(), std::memory_order_relaxed);
      task();
    }
    busy_since_.store(0, std::memory_order_relaxed);
    batch.clear();  // what the tasks captured goes on this thread
    lock.lock();
  }
  // Under the lock: a post from now on starts a thread.
  has_cpu_clock_.store(false);
  running_ = false;
}

Workers::Workers(std::size_t count, std::size_t max_count, std::chrono::milliseconds idle_exit)
    : cpus_(count), max_count_(std::max(count, max_count)), idle_exit_(idle_exit) {
  workers_.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    workers_.push_back(std::make_unique<Worker>(idle_exit_));
}

Worker& Workers::next() {
  // An idle worker, each in turn.
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    Worker& w = *workers_[(next_ + i) % workers_.size()];
    if (w.busy_since() == 0) {
      next_ = (next_ + i + 1) % workers_.size();
      return w;
    }
  }
  // All busy. While fewer compute than there are CPUs (the others wait in
  // a handler), a new worker takes the event; each count past 200 µs of a
  // task reads that thread's CPU clock, so counting stops at the CPUs.
  const std::int64_t now = now_ns();
  std::size_t computing = 0;
  for (std::size_t i = 0; i < workers_.size() && computing < cpus_; ++i) {
    if (!workers_[i]->blocked(now))
      ++computing;
  }
  if (computing < cpus_ && workers_.size() < max_count_) {
    workers_.push_back(std::make_unique<Worker>(idle_exit_));
    return *workers_.back();
  }
  // The event waits behind the task that started last, the likeliest to
  // end first.
  std::size_t chosen = 0;
  for (std::size_t i = 1; i < workers_.size(); ++i) {
    if (workers_[i]->busy_since() > workers_[chosen]->busy_since())
      chosen = i;
  }
  return *workers_[chosen];
}

std::size_t Workers::usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0)
    return 1;
  return static_cast<std::size_t>(CPU_COUNT(&set));
}

}  // namespace kong::server
