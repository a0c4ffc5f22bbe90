#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kong/result.h"

#include "bench/bench_report.h"

namespace kong::mock {

/// How much worse a figure may get before the gate calls it a regression.
struct GateLimit {
  /// A figure of every trial; nullptr for the instructions per event,
  /// counted once per case (--instructions).
  const Metric* metric = nullptr;
  double max_change = 0;  // 0.05: 5 %
  std::string_view name() const { return metric ? metric->gate_name : "instructions"; }
};

/// Parses --max-regression: "cpu=5%,p99=20%,eps=5%", each a gated metric's
/// name (cpu, eps, p50, p90, p99, p99.9, calls, instructions) and a
/// percentage. The error names the part it cannot read.
Result<std::vector<GateLimit>> parse_max_regression(std::string_view spec);
/// The limits without --max-regression: cpu=5%, p99=20%, eps=5%, and
/// instructions=2% when both reports counted them.
std::vector<GateLimit> default_limits(bool instructions_counted);

/// What the gate concluded about one figure of one case.
enum class Verdict { no_change, improvement, regression, inconclusive };
std::string_view to_string(Verdict v);

struct GateRow {
  std::string case_name;
  /// nullptr: the instructions per event.
  const Metric* metric = nullptr;
  std::string_view name;
  double max_change = 0;
  /// Medians over the trials.
  double baseline = 0;
  double now = 0;
  /// (now - baseline) / baseline.
  double change = 0;
  /// How likely trials this far beyond the limit (toward the change seen)
  /// are when the change is only the limit; none for a count, which is
  /// exact.
  std::optional<double> p_value;
  Verdict verdict = Verdict::no_change;
  /// When the figure was compared net of mock-kong's drift
  /// (Metric::moves_with): the change as measured, and how far mock-kong's
  /// own figure moved (its median now less the baseline's).
  std::optional<double> measured_change;
  double driver_moved = 0;
};

/// The gate's decision over every case both reports hold, and overall.
struct GateResult {
  std::vector<GateRow> rows;
  /// Cases of one report that the other lacks, said in the table's notes.
  std::vector<std::string> notes;
  bool regressed() const;
  /// A regression of a measured figure (not of an exact count), which a
  /// second measurement is to confirm.
  bool regressed_on_measure() const;
};

/// Decides each limited figure of each case with one-sided Mann-Whitney U
/// tests of the trials of `now` against those of `baseline` moved to the
/// limit (x 1.05 for cpu=5%): a regression (or an improvement) is a change
/// significantly (p < `alpha`) beyond its limit; a change of the medians
/// beyond the limit that the trials cannot tell from it is inconclusive;
/// anything else is no change. An instruction count is exact: a change
/// beyond its limit decides alone.
///
/// A figure that moves with one of mock-kong's (server CPU per event with
/// mock-kong's own) is compared net of it when both runs were pinned to one
/// CPU and made the same PDK calls per event: each trial's figure less
/// mock-kong's change from the baseline's median. On one CPU the two take
/// turns, and a shared machine's slow spell makes every switch between them
/// dearer for both alike, by as much as 10 % for seconds at a time; mock-kong
/// does the same work for the same calls, so its change is the machine's.
GateResult decide(const BenchReport& baseline, const BenchReport& now,
                  const std::vector<GateLimit>& limits, double alpha = 0.05);

/// `result`, with each regression of a measured figure kept only when
/// `again`, the gate's decision on a second measurement taken after it,
/// finds it too; one it does not find is inconclusive, and a note gives
/// both changes. A slow spell of a shared machine lasts seconds and moves
/// one measurement; a plugin that got slower is slower in both.
GateResult confirm(GateResult result, const GateResult& again);

/// The verdicts as a table: case, metric, baseline, now, change, p-value,
/// verdict; then the notes and a summary line.
void print_gate(std::FILE* out, const GateResult& result, const std::string& baseline_file,
                std::size_t baseline_trials, std::size_t now_trials);

}  // namespace kong::mock
