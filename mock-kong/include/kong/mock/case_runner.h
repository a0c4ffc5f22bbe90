#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kong/mock/expectations.h"
#include "kong/mock/fixture.h"
#include "kong/mock/lifecycle.h"
#include "kong/result.h"

namespace kong::mock {

class PluginSession;

/// One case played and checked: what every mode reports.
struct CaseResult {
  std::string name;
  /// Where the case is in its fixture ("cases[2]").
  std::string path;
  /// What happened; nullopt when the case could not run (the reason is the
  /// one mismatch then).
  std::optional<CaseRun> run;
  /// Differences from the case's expectations; none when it passed.
  std::vector<Mismatch> mismatches;
  /// Wall time of the whole lifecycle.
  std::chrono::nanoseconds time{};
  /// What the plugin server printed while the case ran, "[name:pid] " first.
  std::vector<std::string> output;

  bool passed() const { return mismatches.empty(); }
  /// The case itself was unusable (its scope's instance would not start,
  /// say): it did not run.
  bool unrunnable() const { return !run.has_value(); }
  /// It did not run, or did not run to its end: the plugin server crashed,
  /// hung or broke the protocol. Reports count it as an error, not a failure.
  bool errored() const { return unrunnable() || run->fault.has_value(); }
};

/// Plays `c` on the session's instance and checks its expectations: the one
/// case runner under every mode. `interceptor` as for run_case().
CaseResult run_and_check(const Case& c, PluginSession& session,
                         CallInterceptor* interceptor = nullptr);
/// The same for the plugins of `chain`, as Kong runs several (run_case()).
CaseResult run_and_check(const Case& c, std::span<const ChainPlugin> chain,
                         CallInterceptor* interceptor = nullptr);
/// The same into `result`, which may hold an earlier result (of any case),
/// from `start`, the case's initial state: see run_case(). What --bench does
/// for every event.
void run_and_check(const Case& c, PluginSession& session, const KongState& start,
                   CaseResult& result);

/// Whether a case name is selected by `patterns` (each an exact name or a
/// glob with * and ?); every name is when there are none.
bool case_selected(const std::string& name, const std::vector<std::string>& patterns);

/// The cases of `fixture` that `patterns` select, in fixture order; an error
/// naming the pattern when one selects none (a typo would run nothing).
Result<std::vector<const Case*>> select_cases(const Fixture& fixture,
                                              const std::vector<std::string>& patterns);

}  // namespace kong::mock
