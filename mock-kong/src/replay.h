#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace kong::mock {

/// What `mock-kong --replay` was asked to do.
struct ReplayOptions {
  std::string fixture_file;
  /// PLUGIN [ARGS...]: a Go-convention server (-dump, -kong-prefix).
  std::vector<std::string> plugin_command;
  /// Kong's own settings (protocol.md §1), overriding the Go conventions.
  std::optional<std::string> query_cmd;
  std::optional<std::string> start_cmd;
  /// Socket path; a relative one is taken inside the private prefix.
  std::optional<std::string> socket;
  std::chrono::milliseconds start_timeout{10000};
  std::chrono::milliseconds call_timeout{10000};
  /// Print every PDK call and Kong's answer.
  bool verbose = false;
  /// Where to write the PDK functions that passing cases called, as a JSON
  /// array of Kong names (for coverage across fixtures); none when empty.
  std::string coverage_file;
};

/// Exit statuses of a replay.
inline constexpr int kAllPassed = 0;
inline constexpr int kSomeFailed = 1;
inline constexpr int kCannotRun = 2;

/// Runs the replay, printing each case's PASS/FAIL to `out` and diagnostics
/// to stderr. The plugin is stopped and the private prefix removed on every
/// path, Ctrl-C included.
int replay(const ReplayOptions& options, std::FILE* out = stdout);

}  // namespace kong::mock
