#include "server/loop_threads.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

namespace kong::server {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr std::int64_t kBlockedAfterNs = 50'000;
// How often the monitor looks while threads serve: every 50 µs after it
// lent or handed out a permit, twice as long after each look that found
// nothing to do, up to 8 ms. A handler that waits lends its permit within
// about its first 100 µs while others wait too; handlers that compute are
// not woken thousands of times a second by it.
constexpr auto kMonitorFastest = std::chrono::microseconds(50);
constexpr auto kMonitorSlowest = std::chrono::microseconds(8000);

// The calling thread's record, and whose it is: a thread may serve
// several loops in turn (a test's).
thread_local const void* current_owner = nullptr;
thread_local void* current = nullptr;

}  // namespace

bool LoopThreads::Record::blocked(std::int64_t now) const {
  const std::int64_t since = busy_since.load(std::memory_order_relaxed);
  if (since == 0 || now - since < kBlockedAfterNs)
    return false;
  // In a handler for long: preempted (runnable, 'R') by other threads
  // computing, or asleep ('S', 'D') in a call that waits. The state comes
  // after the name in parentheses, which may hold any character.
  char stat[512];
  const int fd = stat_fd.load();
  const ssize_t n = fd >= 0 ? ::pread(fd, stat, sizeof stat - 1, 0) : -1;
  if (n <= 0)
    return false;
  stat[n] = '\0';
  const char* end_of_name = std::strrchr(stat, ')');
  return end_of_name != nullptr && end_of_name[1] == ' ' && end_of_name[2] != '\0' &&
         end_of_name[2] != 'R';
}

LoopThreads::Record::~Record() {
  if (stat_fd.load() >= 0)
    ::close(stat_fd.load());
}

void LoopThreads::Record::own() {
  if (stat_fd.load() < 0) {
    const std::string path = "/proc/self/task/" + std::to_string(::gettid()) + "/stat";
    stat_fd.store(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  }
}

LoopThreads::LoopThreads(EventLoop& loop, std::size_t max_threads,
                         std::chrono::milliseconds idle_exit)
    : loop_(loop), max_threads_(std::max<std::size_t>(max_threads, 1)), idle_exit_(idle_exit) {
  first_.has_permit.store(true);
}

LoopThreads::~LoopThreads() {
  join();
}

void LoopThreads::join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& t : threads_)
      t->wake.notify_one();
  }
  monitor_wake_.notify_all();
  if (monitor_.joinable())
    monitor_.join();
  // Outside mutex_: a thread that ends takes it.
  for (auto& t : threads_) {
    if (t->thread.joinable())
      t->thread.join();
  }
  threads_.clear();
}

LoopThreads::Record& LoopThreads::current_record() {
  if (current_owner != this) {
    // The thread that runs the loop, the first time it runs a handler out
    // of the lock: its stat, read by the monitor.
    first_.own();
    current_owner = this;
    current = &first_;
  }
  return *static_cast<Record*>(current);
}

LoopThreads::Busy::Busy(LoopThreads& threads)
    : threads_(threads), record_(threads.current_record()) {
  record_.busy_since.store(now_ns(), std::memory_order_relaxed);
  threads_.loop_.lock().unlock();
}

LoopThreads::Busy::~Busy() {
  threads_.loop_.lock().lock();
  record_.busy_since.store(0, std::memory_order_relaxed);
  std::lock_guard lock(threads_.mutex_);
  if (!record_.lent)
    return;
  // Its permit went to another thread while it waited: a free one, or
  // (another thread's) after this message, parked. The first thread takes
  // one anyway, and the next thread to look gives one back.
  record_.lent = false;
  if (threads_.free_permits_ > 0) {
    --threads_.free_permits_;
    record_.has_permit.store(true);
  } else if (&record_ == &threads_.first_) {
    ++threads_.debt_;
    record_.has_permit.store(true);
  }
  threads_.all_taken_.store(threads_.free_permits_ == 0);
}

std::size_t LoopThreads::serving() const {
  std::lock_guard lock(mutex_);
  return 1 + static_cast<std::size_t>(
                 std::count_if(threads_.begin(), threads_.end(),
                               [](const auto& t) { return !t->parked && !t->ended.load(); }));
}

std::size_t LoopThreads::alive() const {
  std::lock_guard lock(mutex_);
  return alive_locked();
}

std::size_t LoopThreads::alive_locked() const {
  return 1 + static_cast<std::size_t>(std::count_if(
                 threads_.begin(), threads_.end(), [](const auto& t) { return !t->ended.load(); }));
}

void LoopThreads::spread(std::size_t count) {
  count = std::clamp<std::size_t>(count, 1, max_threads_);
  if (loop_.shared() && permits_seen_.load(std::memory_order_relaxed) >= count &&
      all_taken_.load(std::memory_order_relaxed))
    return;
  loop_.share();
  std::lock_guard lock(mutex_);
  if (stopping_)
    return;
  reap();
  if (count > permits_) {
    free_permits_ += count - permits_;
    permits_ = count;
    permits_seen_.store(permits_);
  }
  while (free_permits_ > 0 && hand_out_permit()) {
  }
  all_taken_.store(free_permits_ == 0);
  if (!monitor_.joinable() && !threads_.empty())
    monitor_ = std::thread([this] { monitor(); });
  monitor_wake_.notify_all();
}

bool LoopThreads::hand_out_permit() {
  for (auto& t : threads_) {
    if (t->parked && !t->record.has_permit.load()) {
      --free_permits_;
      t->record.lent = false;
      t->record.has_permit.store(true);
      t->wake.notify_one();
      return true;
    }
  }
  if (alive_locked() >= max_threads_)
    return false;
  --free_permits_;
  auto t = std::make_unique<Thread>();
  Thread* self = t.get();
  self->record.has_permit.store(true);
  self->thread = std::thread([this, self] { serve(*self); });
  threads_.push_back(std::move(t));
  return true;
}

bool LoopThreads::keeps_permit(Thread& self) {
  if (!self.record.has_permit.load())
    return false;
  if (debt_ > 0) {
    // The first thread took this one back.
    --debt_;
    self.record.has_permit.store(false);
    return false;
  }
  return true;
}

void LoopThreads::serve(Thread& self) {
  self.record.own();
  current_owner = this;
  current = &self.record;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!self.record.has_permit.load()) {
      self.parked = true;
      const bool woken = self.wake.wait_for(
          lock, idle_exit_, [&] { return stopping_ || self.record.has_permit.load(); });
      self.parked = false;
      if (!woken || stopping_)
        break;  // parked for idle_exit_: ends
    }
    lock.unlock();
    const EventLoop::Served served = loop_.serve(idle_exit_, [&] {
      std::lock_guard inner(mutex_);
      return keeps_permit(self);
    });
    lock.lock();
    if (served != EventLoop::Served::told_to_stop)
      break;  // the loop stopped, or nothing came for idle_exit_
  }
  // Its permit pays what the first thread took back first, else is free.
  if (self.record.has_permit.load()) {
    self.record.has_permit.store(false);
    if (debt_ > 0)
      --debt_;
    else
      ++free_permits_;
    all_taken_.store(free_permits_ == 0);
  }
  self.ended.store(true);
}

void LoopThreads::reap() {
  for (auto it = threads_.begin(); it != threads_.end();) {
    if ((*it)->ended.load()) {
      (*it)->thread.join();
      it = threads_.erase(it);
    } else {
      ++it;
    }
  }
}

void LoopThreads::monitor() {
  std::unique_lock lock(mutex_);
  auto period = kMonitorFastest;
  while (!stopping_) {
    monitor_wake_.wait_for(lock, period);
    if (stopping_)
      break;
    reap();
    // No thread beside the first one: nothing to look at until spread().
    if (threads_.empty()) {
      monitor_wake_.wait(lock, [this] { return stopping_ || !threads_.empty(); });
      continue;
    }
    // The permits of threads whose handlers wait go to others, while every
    // thread holding one is busy.
    const std::int64_t now = now_ns();
    bool acted = false;
    auto lend = [&](Record& r) {
      if (r.has_permit.load() && r.blocked(now)) {
        r.has_permit.store(false);
        r.lent = true;
        ++free_permits_;
        acted = true;
      }
    };
    lend(first_);
    for (auto& t : threads_)
      lend(t->record);
    auto idle_holder = [](const Record& r) {
      return r.has_permit.load() && r.busy_since.load(std::memory_order_relaxed) == 0;
    };
    bool every_holder_busy = !idle_holder(first_);
    for (const auto& t : threads_)
      every_holder_busy = every_holder_busy && (t->parked || !idle_holder(t->record));
    while (every_holder_busy && free_permits_ > 0 && hand_out_permit())
      acted = true;
    all_taken_.store(free_permits_ == 0);
    period = acted ? kMonitorFastest : std::min(period * 2, kMonitorSlowest);
  }
}

std::size_t LoopThreads::usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0)
    return 1;
  return static_cast<std::size_t>(CPU_COUNT(&set));
}

}  // namespace kong::server
