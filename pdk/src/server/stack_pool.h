#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace kong::server {

/// Handler stacks, kept for reuse: mapping a fresh stack per event would cost
/// an mmap, a munmap and page faults on every request. Each stack has a guard
/// page below it, so an overflow faults instead of corrupting memory.
/// Thread-safe: an event's stack is taken on one serving thread and may come
/// back on another, where its handler ended.
class StackPool {
 public:
  StackPool(std::size_t stack_bytes, std::size_t max_idle = 64);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sc);

  std::size_t idle() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
  }

 private:
  std::size_t stack_bytes_;
  std::size_t max_idle_;
  mutable std::mutex mutex_;
  std::vector<boost::context::stack_context> idle_;
};

/// The StackAllocator Boost.Context wants, drawing from a StackPool.
class PooledStack {
 public:
  explicit PooledStack(StackPool& pool) : pool_(&pool) {}
  boost::context::stack_context allocate() { return pool_->allocate(); }
  void deallocate(boost::context::stack_context& sc) { pool_->deallocate(sc); }

 private:
  StackPool* pool_;
};

}  // namespace kong::server
