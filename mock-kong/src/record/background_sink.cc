#include "record/background_sink.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <utility>

namespace kong::mock {

BackgroundSink::BackgroundSink(RecordingSink& sink) : sink_(sink), thread_([this] { run(); }) {}

BackgroundSink::~BackgroundSink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void BackgroundSink::update(std::vector<RecordedLifecycle> finished,
                            const std::vector<const RecordedLifecycle*>& open) {
  // Copied here, on the caller's thread, while the recording holds still.
  std::vector<RecordedLifecycle> snapshot;
  snapshot.reserve(open.size());
  for (const RecordedLifecycle* l : open)
    snapshot.push_back(*l);
  std::unique_lock lock(mutex_);
  for (auto& l : finished)
    finished_.push_back(std::move(l));
  open_ = std::move(snapshot);
  pending_ = true;
  wake_.notify_one();
  // Traffic the writer cannot keep up with waits for it, rather than its
  // lifecycles piling up in memory without bound.
  if (finished_.size() > kMaxBacklog)
    drained_.wait(lock, [this] { return finished_.size() <= kMaxBacklog / 2; });
}

void BackgroundSink::drain() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return !pending_ && !busy_; });
}

void BackgroundSink::run() {
  // The relay, the server and Kong come first: cases are written while they
  // wait (with them on 2 cores, a hello event took a third longer at
  // priority 0). As an idle-class thread it yields its CPU to any of them
  // that wakes, and the scheduler counts that CPU as free when it places
  // them; where the idle class is refused, it keeps the lowest priority.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
  const sched_param param{};
  ::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &param);
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return pending_ || stopping_; });
    if (!pending_)
      return;  // stopping, and nothing left
    std::vector<RecordedLifecycle> finished = std::exchange(finished_, {});
    drained_.notify_all();
    std::vector<RecordedLifecycle> open = std::exchange(open_, {});
    pending_ = false;
    busy_ = true;
    lock.unlock();
    std::vector<const RecordedLifecycle*> still;
    still.reserve(open.size());
    for (const auto& l : open)
      still.push_back(&l);
    sink_.update(std::move(finished), still);
    lock.lock();
    busy_ = false;
    drained_.notify_all();
  }
}

}  // namespace kong::mock
