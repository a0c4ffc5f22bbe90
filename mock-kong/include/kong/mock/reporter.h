#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture.h"
#include "kong/mock/plugin_info.h"
#include "kong/result.h"

namespace kong::mock {

/// What a run plays: the plugin, and the cases selected from a fixture.
struct RunHeader {
  const PluginInfo& plugin;
  const Fixture& fixture;
  std::size_t selected_cases;
  /// With several plugins, each, in the order Kong runs them (`plugin` is
  /// the first); empty with one.
  std::vector<const PluginInfo*> chain = {};
};

/// Turns the data of a run into one output format. Modes feed every
/// reporter the same calls: begin, case_done per case, end.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void begin(const RunHeader& run) = 0;
  virtual void case_done(const Case& c, const CaseResult& result) = 0;
  /// After the last case; an error says which output could not be written.
  virtual Status end() = 0;
};

/// The PASS/FAIL lines on a terminal: every mismatch and, for a failure (or
/// all cases when `verbose`), the PDK calls and the final response.
std::unique_ptr<Reporter> text_reporter(std::FILE* out, bool verbose);
/// JUnit XML as CI dashboards read it (docs/reports.md), written to `file`.
std::unique_ptr<Reporter> junit_reporter(std::string file);
/// Every case's outcome, mismatches, PDK calls and time as JSON (docs/reports.md).
std::unique_ptr<Reporter> json_reporter(std::string file);
/// The PDK functions that passing cases called, as a sorted JSON array of
/// Kong names, so that files from several runs union and diff cleanly.
std::unique_ptr<Reporter> coverage_reporter(std::string file);

/// "1 case", "4 cases".
std::string count_of(std::size_t n, const char* singular, const char* plural);

}  // namespace kong::mock
