#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kong/mock/fixture_run.h"
#include "kong/mock/session.h"
#include "kong/result.h"

namespace kong::mock {

/// What `mock-kong --fuzz` was asked to do.
struct FuzzOptions {
  std::string fixture_file;
  ServerCommand server;
  SessionOptions session;
  /// --case: the cases to start from; all when empty.
  std::vector<std::string> cases;
  /// The same seed makes the same cases; a random one (printed) when unset.
  std::optional<std::uint64_t> seed;
  /// Stop after this many fuzzed cases, or after this long; both may be set.
  std::optional<std::uint64_t> runs;
  std::optional<std::chrono::seconds> duration;
  /// Where each finding is written as a fixture.
  std::string out_dir = "fuzz-findings";
  /// A handler failure (Kong's 500) is not a finding.
  bool allow_errors = false;
  /// How the plugin was given, for the replay hint.
  std::string plugin_hint;
};

/// What both fuzzers start with: the findings directory made, Ctrl-C set to
/// stop the plugin at once, the plugin's output kept off the terminal (a
/// finding carries the lines that matter), and the fixture opened on the
/// plugin with `session`. The error says why it cannot start.
Result<std::unique_ptr<FixtureRun>> start_fuzz_run(const FuzzOptions& options,
                                                   SessionOptions session);

/// Runs cases mutated from the fixture's against the plugin in one session,
/// writes each distinct finding, shrunk, to `out_dir` as a fixture that
/// --replay reproduces, and prints a summary to `out`. Returns 1 when it
/// found something, 0 when not, 2 when it could not run.
int fuzz(const FuzzOptions& options, std::FILE* out = stdout);

}  // namespace kong::mock
