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

constexpr std::int64_t kBlockedAfterNs = 200'000;
// How often the monitor looks while threads serve: every millisecond after
// it started a thread, twice as long after each look that found nothing to
// do, up to 8 ms. A handler that blocks is seen within that, past its
// 200 µs; handlers that compute are not woken 1,000 times a second by it.
constexpr auto kMonitorFastest = std::chrono::microseconds(1000);
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
                         std::chrono::milliseconds idle_exit, std::size_t cpus)
    : loop_(loop),
      max_threads_(std::max<std::size_t>(max_threads, 1)),
      idle_exit_(idle_exit),
      cpus_(std::max<std::size_t>(cpus, 1)) {}

LoopThreads::~LoopThreads() {
  join();
}

void LoopThreads::join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
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
    // of the lock: its CPU clock, read by the monitor.
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
}

std::size_t LoopThreads::serving() const {
  return serving_.load();
}

std::size_t LoopThreads::busy() const {
  std::lock_guard lock(mutex_);
  std::size_t n = first_.busy_since.load(std::memory_order_relaxed) != 0 ? 1 : 0;
  for (const auto& t : threads_) {
    if (!t->ended.load() && t->record.busy_since.load(std::memory_order_relaxed) != 0)
      ++n;
  }
  return n;
}

void LoopThreads::spread(std::size_t count) {
  if (serving_.load(std::memory_order_relaxed) >= std::min(count, max_threads_) && loop_.shared())
    return;
  loop_.share();
  std::lock_guard lock(mutex_);
  if (stopping_)
    return;
  reap();
  count = std::min(count, max_threads_);
  while (1 + threads_.size() < count)
    start_one();
  if (!monitor_.joinable() && !threads_.empty())
    monitor_ = std::thread([this] { monitor(); });
  monitor_wake_.notify_all();
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

void LoopThreads::start_one() {
  serving_.fetch_add(1);
  auto t = std::make_unique<Thread>();
  Thread* self = t.get();
  self->thread = std::thread([this, self] {
    self->record.own();
    current_owner = this;
    current = &self->record;
    loop_.serve(idle_exit_);
    serving_.fetch_sub(1);
    self->ended.store(true);
  });
  threads_.push_back(std::move(t));
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
    // Every serving thread in a handler: while fewer compute than there
    // are CPUs, another takes what Kong sends meanwhile.
    const std::int64_t now = now_ns();
    std::size_t busy = 0;
    std::size_t computing = 0;
    auto look = [&](const Record& r) {
      if (r.busy_since.load(std::memory_order_relaxed) == 0)
        return;
      ++busy;
      if (!r.blocked(now))
        ++computing;
    };
    look(first_);
    for (const auto& t : threads_)
      look(t->record);
    if (busy == 1 + threads_.size() && computing < cpus_ && 1 + threads_.size() < max_threads_) {
      start_one();
      period = kMonitorFastest;
    } else {
      period = std::min(period * 2, kMonitorSlowest);
    }
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
