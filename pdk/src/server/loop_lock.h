#pragma once

#include <mutex>

namespace kong::server {

/// The lock of the threads that serve an EventLoop. What they do holding
/// it is short (a message read, answered and written: microseconds), and a
/// thread that finds it taken usually gets it within that: it spins for
/// about as long before it sleeps, sparing the two system calls and two
/// context switches a sleep and its wake-up cost.
class LoopLock {
 public:
  void lock() {
    for (int i = 0; i < kSpins; ++i) {
      if (mutex_.try_lock())
        return;
      __builtin_ia32_pause();
    }
    mutex_.lock();
  }
  bool try_lock() { return mutex_.try_lock(); }
  void unlock() { mutex_.unlock(); }

 private:
  static constexpr int kSpins = 200;
  std::mutex mutex_;
};

}  // namespace kong::server
