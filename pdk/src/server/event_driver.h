#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "kong/pdk/plugin.h"
#include "kong/protocol/value.h"

#include "server/blocking_pool.h"
#include "server/event.h"
#include "server/event_loop.h"
#include "server/loop_threads.h"
#include "server/stack_pool.h"
#include "server/stall_monitor.h"

namespace kong::server {

/// When an EventDriver runs a handler out of the loop's lock.
struct OffloadSettings {
  /// A bit per Phase whose handler may run on several threads at once.
  std::uint32_t concurrent_phases = 0;
  /// Events of such a phase run out of the lock, on as many threads as
  /// `threads`, while its handler's time per event averages more than this,
  /// and in it again under half of it.
  std::chrono::microseconds offload_above{100};
  /// The threads that serve the loop then, the one that runs it included.
  std::size_t threads = 1;
};

/// Starts events and advances them to what Kong must hear. Sockets, the
/// event tables and every outcome belong to the threads serving the loop,
/// which handle them holding the loop's lock; a handler runs on the thread
/// that read Kong's message:
/// - holding the lock, the usual case: a handler that makes PDK calls and
///   little else costs nothing more, and runs one segment at a time, as on
///   one thread;
/// - out of the lock, when it is heavy (its events took longer than the
///   offload threshold, on average) and may run concurrently (a const
///   member: see PluginType::concurrent_phases): the loop is then served by
///   several threads (LoopThreads), which read, answer and run other
///   handlers meanwhile;
/// and the work it gives kong.blocking runs on the blocking pool, after
/// which a serving thread resumes the handler. An outcome that did not come
/// at once goes to the event's listener.
class EventDriver {
 public:
  /// `threads` null: every handler runs holding the loop's lock.
  EventDriver(EventLoop& loop, BlockingPool& blocking, StackPool& stacks,
              StallMonitor* stalls = nullptr, LoopThreads* threads = nullptr,
              OffloadSettings offload = {});

  /// A new event of `phase` for `plugin`; it runs out of the lock when its
  /// phase does now.
  std::shared_ptr<Event> start(std::int64_t id, Phase phase,
                               std::shared_ptr<PluginInstance> plugin);

  /// Runs `event` with Kong's answer to its last call (nothing, to start it).
  /// Returns the outcome when it came at once. Otherwise nullopt: `listener`
  /// hears it later on a serving thread, holding the loop's lock, unless the event's listener is
  /// cleared first (Kong gave the event up), in which case the handler is
  /// not resumed and unwinds when its last reference goes.
  std::optional<Event::Outcome> advance(const std::shared_ptr<Event>& event, protocol::Value result,
                                        std::optional<std::string> error,
                                        OutcomeListener& listener);

  /// The ending call of `event` went to Kong: unwinds its handler.
  void end(const std::shared_ptr<Event>& event);

  /// Events whose handler runs out of the lock now (on a serving thread,
  /// or waiting for kong.blocking's work): what a clean exit would wait for.
  std::size_t elsewhere() const { return elsewhere_.load(); }

  /// Whether events of `phase` run out of the lock now.
  bool offloading(Phase phase) const { return offloaded_[static_cast<unsigned>(phase)]; }

  /// Whether advance() may release the loop's lock: other serving threads
  /// may then change what the caller holds (its tables).
  bool may_unlock() const { return threads_ != nullptr && loop_.shared(); }

 private:
  /// Runs the handler, out of the lock when it may be.
  /// Taken by reference, moved once into the handler: no extra Value to
  /// move and destroy on the path every PDK call takes.
  Event::Outcome run(const std::shared_ptr<Event>& event, protocol::Value&& result,
                     std::optional<std::string>&& error);
  /// Runs the blocked handler's work on the pool, then resumes it on a
  /// serving thread.
  void block(std::shared_ptr<Event> event, const std::function<void()>& work);
  void resume_after_work(const std::shared_ptr<Event>& event);
  /// The event is over: its handler's time goes into its phase's average.
  void account(const Event& event);

  EventLoop& loop_;
  BlockingPool& blocking_;
  StackPool& stacks_;
  StallMonitor* stalls_;
  LoopThreads* threads_;
  OffloadSettings offload_;
  // Per phase, holding the lock: the handler's time per event (a moving
  // average, in ns), and whether its events run out of the lock.
  std::array<std::int64_t, std::size(kAllPhases)> cost_ns_{};
  std::array<bool, std::size(kAllPhases)> offloaded_{};
  std::atomic<std::size_t> elsewhere_{0};
};

}  // namespace kong::server
