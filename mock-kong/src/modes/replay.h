#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "kong/mock/session.h"

#include "modes/exit_status.h"

namespace kong::mock {

/// What `mock-kong --replay` was asked to do.
struct ReplayOptions {
  std::string fixture_file;
  ServerCommand server;
  /// --kong-conf: Kong's configuration, whose plugin servers run the
  /// fixture's plugins in place of `server`.
  std::string kong_conf_file;
  SessionOptions session;
  /// --case: names or globs; every case when empty.
  std::vector<std::string> cases;
  /// Print every case's PDK calls and final response, not only a failure's.
  bool verbose = false;
  /// Reports to write besides the text on `out`; none when empty.
  std::string coverage_file;
  std::string junit_file;
  std::string json_file;
};

/// Replays the fixture against the plugin, printing each case's PASS/FAIL
/// to `out` and diagnostics to stderr. The plugin is stopped and the private
/// prefix removed on every path, Ctrl-C included. Returns the exit status.
int replay(const ReplayOptions& options, std::FILE* out = stdout);

/// --list: prints the names of the fixture's (selected) cases, one per line.
int list_cases(const std::string& fixture_file, const std::vector<std::string>& patterns,
               std::FILE* out = stdout);

}  // namespace kong::mock
