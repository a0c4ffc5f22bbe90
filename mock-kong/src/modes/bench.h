#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "kong/mock/session.h"

#include "bench/load_generator.h"

namespace kong::mock {

/// What `mock-kong --bench` was asked to do (docs/bench.md).
struct BenchOptions {
  std::string fixture_file;
  ServerCommand server;
  SessionOptions session;
  /// --case: the cases to measure; all when empty.
  std::vector<std::string> cases;
  LoadShape load;
  /// Each case's measured part, per trial: --duration and/or --events.
  TrialLength length;
  /// Played before each measured part, not counted.
  std::chrono::nanoseconds warmup{std::chrono::seconds(1)};
  /// Trials: each case is measured this many times, the cases in turn.
  int repeat = 1;
  /// The report as JSON (--json), and as a baseline (--save-baseline).
  std::string json_file;
  std::string save_baseline;
  /// --baseline: the report to compare with, and the regressions allowed
  /// (--max-regression "cpu=5%,p99=20%,eps=5%").
  std::string baseline;
  std::string max_regression;
  /// --cpus: the CPUs mock-kong and the plugin server run on ("1", "0,1",
  /// "all"). Empty: one CPU, the last one mock-kong may use, when gating
  /// (--baseline, --save-baseline); all of them otherwise.
  std::string cpus;
  /// --instructions: count the server's instructions per event of each
  /// case with Valgrind, from runs of these many events (docs/bench.md).
  bool instructions = false;
  std::uint64_t instructions_short = 100;
  std::uint64_t instructions_long = 300;
};

/// Drives the fixture's cases against the plugin as Kong's workers would,
/// one case at a time, measures them, prints the figures to `out` and, with
/// a baseline, the gate's verdicts. Returns 0 when every answer was right
/// (and nothing regressed), 1 when an answer was wrong or a figure
/// regressed, 2 when it could not run.
int bench(const BenchOptions& options, std::FILE* out = stdout);

}  // namespace kong::mock
