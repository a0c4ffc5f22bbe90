#pragma once

#include <array>
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
#include "server/stack_pool.h"
#include "server/stall_monitor.h"
#include "server/workers.h"

namespace kong::server {

/// When an EventDriver takes a handler off the I/O thread.
struct OffloadSettings {
  /// A bit per Phase whose handler may run on several threads at once.
  std::uint32_t concurrent_phases = 0;
  /// Events of such a phase go to workers while its handler's time per
  /// event averages more than this, and come back under half of it.
  std::chrono::microseconds offload_above{100};
};

/// Starts events and advances them to what Kong must hear, wherever their
/// handlers run. Sockets, the event tables and every outcome stay on the
/// loop's thread (the I/O thread); a handler runs:
/// - on the I/O thread, the usual case: a handler that makes PDK calls and
///   little else costs no hand-off between threads, and its outcome comes
///   back at once;
/// - on a worker, when it is heavy (its events took longer than the
///   offload threshold, on average) and may run concurrently (a const
///   member: see PluginType::concurrent_phases): its runs go to its home
///   worker, and the outcome comes back to the loop;
/// and the work it gives kong.blocking runs on the blocking pool, after
/// which the handler resumes at home. An outcome that did not come at once
/// goes to the event's listener.
class EventDriver {
 public:
  /// `workers` null or empty: every handler runs on the loop's thread.
  EventDriver(EventLoop& loop, BlockingPool& blocking, StackPool& stacks,
              StallMonitor* stalls = nullptr, Workers* workers = nullptr,
              OffloadSettings offload = {});

  /// A new event of `phase` for `plugin`, homed where its handler should run.
  std::shared_ptr<Event> start(std::int64_t id, Phase phase,
                               std::shared_ptr<PluginInstance> plugin);

  /// Runs `event` with Kong's answer to its last call (nothing, to start it).
  /// Returns the outcome when it came at once. Otherwise nullopt: `listener`
  /// hears it later on the loop's thread, unless the event's listener is
  /// cleared first (Kong gave the event up), in which case the handler is
  /// not resumed and unwinds when its last reference goes.
  std::optional<Event::Outcome> advance(const std::shared_ptr<Event>& event, protocol::Value result,
                                        std::optional<std::string> error,
                                        OutcomeListener& listener);

  /// The ending call of `event` went to Kong: unwinds its handler, at home.
  void end(const std::shared_ptr<Event>& event);

  /// Events whose handler is away from the loop's thread now (on a worker,
  /// or waiting for kong.blocking's work): what a clean exit would wait for.
  std::size_t elsewhere() const { return elsewhere_; }

  /// Whether events of `phase` go to workers now.
  bool offloading(Phase phase) const { return offloaded_[static_cast<unsigned>(phase)]; }

 private:
  /// On the event's home: runs it, hands blocking work to the pool, and
  /// posts the outcome to the loop.
  void run_at_home(const std::shared_ptr<Event>& event, protocol::Value result,
                   std::optional<std::string> error);
  /// Runs the blocked handler's work on the pool, then resumes it at home.
  void block(std::shared_ptr<Event> event, const std::function<void()>& work);
  void resume_after_work(const std::shared_ptr<Event>& event);
  /// On the loop's thread: the outcome to its listener, if any is left.
  void deliver(const std::shared_ptr<Event>& event, Event::Outcome outcome);
  /// The event is over: its handler's time goes into its phase's average.
  void account(const Event& event);

  EventLoop& loop_;
  BlockingPool& blocking_;
  StackPool& stacks_;
  StallMonitor* stalls_;
  Workers* workers_;
  OffloadSettings offload_;
  // Per phase, on the loop's thread: the handler's time per event (a
  // moving average, in ns), and whether its events go to workers.
  std::array<std::int64_t, std::size(kAllPhases)> cost_ns_{};
  std::array<bool, std::size(kAllPhases)> offloaded_{};
  std::size_t elsewhere_ = 0;  // on the loop's thread
};

}  // namespace kong::server
