#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture.h"
#include "kong/mock/session.h"

#include "bench/latency_histogram.h"

namespace kong::mock {

/// How a trial's events arrive, as Kong's workers would send them.
struct LoadShape {
  /// Events in flight at once, each on connections from Kong's pool.
  std::size_t concurrency = 4;
  /// Open loop: events start at this many per second whether or not the
  /// plugin keeps up, and latency counts from each event's intended start
  /// (no coordinated omission). Closed loop when unset: each event starts
  /// when one ends.
  std::optional<double> rate;
};

/// When a trial stops starting events: after `events`, or once `duration`
/// has passed, whichever comes first.
struct TrialLength {
  std::optional<std::chrono::nanoseconds> duration;
  std::optional<std::uint64_t> events;
};

/// What one trial of one case measured. An event is one request of the case
/// through Kong's lifecycle: every phase the plugin handles.
struct TrialMeasure {
  std::uint64_t events = 0;
  /// From the first event's start to the last one's end.
  std::chrono::nanoseconds wall{};
  LatencyHistogram latency;
  /// The plugin server's CPU, user and kernel, all its threads and
  /// processes (zero for a server in this process).
  std::chrono::nanoseconds server_cpu{};
  /// mock-kong's own, all its threads.
  std::chrono::nanoseconds own_cpu{};
  std::uint64_t pdk_calls = 0;
  /// The server's resident memory (all its processes) when the trial
  /// started, the most sampled during it (every 100 ms), and at its end.
  std::int64_t rss_start_kib = 0;
  std::int64_t rss_peak_kib = 0;
  std::int64_t rss_end_kib = 0;
  /// The first event whose answer was not the case's expectations: the
  /// trial stopped there.
  std::optional<CaseResult> failure;

  double events_per_second() const;
};

/// Called about four times a second during a trial with the events done so
/// far, for a progress line.
using TrialProgress = std::function<void(std::uint64_t events)>;

/// Plays case `c` on the session's plugin under `shape` for `length`, each
/// event run and checked by the one case runner (run_and_check) in a fiber
/// of its own, and measures it.
TrialMeasure run_trial(const Case& c, PluginSession& session, const LoadShape& shape,
                       const TrialLength& length, const TrialProgress& progress = {});

}  // namespace kong::mock
