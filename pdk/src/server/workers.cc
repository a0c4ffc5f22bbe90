#include "server/workers.h"

#include <sched.h>

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
    if (!thread_.joinable())
      thread_ = std::thread([this] { serve(); });
    wake = sleeping_;
  }
  // A busy worker finds the task when it looks next: no system call.
  if (wake)
    wake_.notify_one();
}

bool Worker::is_current() const {
  return current_worker == this;
}

void Worker::serve() {
  current_worker = this;
  std::vector<std::function<void()>> batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_)
        break;
      sleeping_ = true;
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      sleeping_ = false;
      continue;
    }
    batch.swap(queue_);
    lock.unlock();
    for (auto& task : batch) {
      busy_since_.store(now_ns(), std::memory_order_relaxed);
      task();
    }
    busy_since_.store(0, std::memory_order_relaxed);
    batch.clear();  // what the tasks captured goes on this thread
    lock.lock();
  }
}

Workers::Workers(std::size_t count) {
  workers_.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    workers_.push_back(std::make_unique<Worker>());
}

Worker& Workers::next() {
  // Idle ranks first (the largest key), then the latest start.
  auto key = [this](std::size_t i) {
    const std::int64_t since = workers_[i]->busy_since();
    return since == 0 ? INT64_MAX : since;
  };
  std::size_t chosen = next_;
  for (std::size_t i = 1; i < workers_.size(); ++i) {
    const std::size_t candidate = (next_ + i) % workers_.size();
    if (key(candidate) > key(chosen))
      chosen = candidate;
  }
  next_ = (chosen + 1) % workers_.size();
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
