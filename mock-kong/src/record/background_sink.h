#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "record/recording.h"

namespace kong::mock {

/// Passes a recording's updates on to `sink` on a thread of its own, so
/// that the relay goes on passing messages while cases are built and the
/// file written. Updates that pile up meanwhile are passed on as one: the
/// finished lifecycles of all, the open ones of the latest. Its thread runs
/// at the lowest priority; when more than kMaxBacklog lifecycles wait for
/// it, update() waits for it to catch up.
class BackgroundSink final : public RecordingSink {
 public:
  explicit BackgroundSink(RecordingSink& sink);
  /// Passes on what is left, then ends the thread.
  ~BackgroundSink() override;
  BackgroundSink(const BackgroundSink&) = delete;
  BackgroundSink& operator=(const BackgroundSink&) = delete;

  /// About 20 MB of hello lifecycles.
  static constexpr std::size_t kMaxBacklog = 10000;

  void update(std::vector<RecordedLifecycle> finished,
              const std::vector<const RecordedLifecycle*>& open) override;
  /// Waits until every update given so far has reached the sink.
  void drain();

 private:
  void run();

  RecordingSink& sink_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::vector<RecordedLifecycle> finished_;
  std::vector<RecordedLifecycle> open_;
  bool pending_ = false;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kong::mock
