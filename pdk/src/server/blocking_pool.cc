#include "server/blocking_pool.h"

#include <algorithm>

namespace kong::server {

BlockingPool::BlockingPool(std::size_t max_threads, std::chrono::milliseconds idle_exit)
    : max_threads_(std::max<std::size_t>(1, max_threads)), idle_exit_(idle_exit) {}

BlockingPool::~BlockingPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    t.join();
}

std::size_t BlockingPool::threads() const {
  std::lock_guard lock(mutex_);
  return alive_;
}

std::size_t BlockingPool::idle_threads() const {
  std::lock_guard lock(mutex_);
  return idle_;
}

void BlockingPool::submit(std::function<void()> work) {
  std::unique_lock lock(mutex_);
  queue_.push_back(std::move(work));
  // Each idle thread takes one piece of work: more work than idle threads
  // wants another thread, while the pool may grow.
  const bool grow = queue_.size() > idle_ && alive_ < max_threads_;
  if (!grow) {
    lock.unlock();
    wake_.notify_one();
    return;
  }
  // Threads that ended are joined here, on the thread that starts the next.
  std::erase_if(threads_, [this](std::thread& t) {
    if (std::find(ended_.begin(), ended_.end(), t.get_id()) == ended_.end())
      return false;
    t.join();
    return true;
  });
  ended_.clear();
  ++alive_;
  threads_.emplace_back([this] { serve(); });
}

void BlockingPool::serve() {
  std::unique_lock lock(mutex_);
  for (;;) {
    while (!queue_.empty()) {
      auto work = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      work();
      work = nullptr;  // what it captured goes before the next wait
      lock.lock();
    }
    if (stopping_)
      break;
    ++idle_;
    const bool woken =
        wake_.wait_for(lock, idle_exit_, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (!woken)
      break;  // idle for idle_exit_
  }
  --alive_;
  ended_.push_back(std::this_thread::get_id());
}

}  // namespace kong::server
