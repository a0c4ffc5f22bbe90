#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kong::server {

/// Threads for work that blocks (kong.blocking): a socket read, a database
/// query, a file write. Work is waiting, not computing, so the pool is sized
/// by what is in flight, not by cores: a thread starts when work arrives and
/// none is idle, up to `max_threads`; past that, work queues. Threads that
/// stay idle for `idle_exit` end, so a quiet server holds none.
class BlockingPool {
 public:
  BlockingPool(std::size_t max_threads, std::chrono::milliseconds idle_exit);
  /// Runs the queued work, then joins every thread.
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  /// Runs `work` on a pool thread. `work` must not throw.
  void submit(std::function<void()> work);

  /// Threads alive now, idle or not; those idle, waiting for work.
  std::size_t threads() const;
  std::size_t idle_threads() const;

 private:
  void serve();

  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_exit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::size_t alive_ = 0;
  std::size_t idle_ = 0;
  bool stopping_ = false;
  /// Every thread ever started; those that ended are joined at the next
  /// start, so their count stays bounded by max_threads_.
  std::vector<std::thread> threads_;
  std::vector<std::thread::id> ended_;
};

}  // namespace kong::server
