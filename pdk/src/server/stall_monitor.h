#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "kong/protocol/phase.h"

namespace kong::server {

/// Says when a handler held the server's thread too long between two PDK
/// calls: every other request waited meanwhile. A handler that blocks (a
/// socket read, a sleep, a lock) or computes for long is the plugin's
/// mistake, and nothing else in Kong's log would show it. Said once per
/// phase's handler, so that a busy server does not flood the log, as Node's
/// blocked-event-loop detectors do.
class StallMonitor {
 public:
  /// `threshold` 0: never says anything.
  StallMonitor(std::string plugin_name, std::chrono::milliseconds threshold,
               std::FILE* out = stderr)
      : plugin_name_(std::move(plugin_name)), threshold_(threshold), out_(out) {}

  /// The handler of `phase` ran for `held` without yielding the thread.
  void observe(Phase phase, std::chrono::steady_clock::duration held) {
    if (threshold_.count() > 0 && held > threshold_)
      report(phase, held);
  }

 private:
  void report(Phase phase, std::chrono::steady_clock::duration held);

  std::string plugin_name_;
  std::chrono::milliseconds threshold_;
  std::FILE* out_;
  std::atomic<std::uint32_t> reported_{0};  // a bit per phase
};

}  // namespace kong::server
