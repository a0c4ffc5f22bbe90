#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/result.h"

#include "bench/load_generator.h"

namespace kong::mock {

/// One trial's figures, per event where it says so.
struct TrialFigures {
  double events = 0;
  double seconds = 0;
  double events_per_second = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  double server_cpu_us = 0;     // per event
  double mock_kong_cpu_us = 0;  // per event
  double pdk_calls = 0;         // per event
  double rss_start_kib = 0;
  double rss_peak_kib = 0;
  double rss_end_kib = 0;
};

TrialFigures figures_of(const TrialMeasure& m);

/// A figure of the report, as the table, the JSON and the gate name it:
/// the one list of them.
struct Metric {
  std::string_view json_key;  // "server_cpu_us_per_event"
  std::string_view heading;   // "server CPU/ev"
  /// The name --max-regression gives it ("cpu"), empty when not gated.
  std::string_view gate_name;
  bool higher_is_better;
  double TrialFigures::*field;
  /// The change --max-regression allows it when it does not say.
  double default_limit = 0;
  /// A figure of mock-kong's that moves with this one when the machine's
  /// cost of running the two on one CPU moves (a shared machine's slow
  /// spell makes every switch between them dearer, for both alike); the
  /// gate compares this figure net of that one's change (docs/bench.md).
  double TrialFigures::*moves_with = nullptr;
};
const std::vector<Metric>& metrics();
/// The metric --max-regression calls `gate_name`; nullptr when none.
const Metric* find_gated_metric(std::string_view gate_name);

/// The middle value (the mean of the two middle ones); 0 for none.
double median_of(std::vector<double> values);

/// One case's trials (or the whole run's: "overall").
struct CaseFigures {
  std::string name;
  std::vector<TrialFigures> trials;
  /// --instructions: the plugin server's instructions per event, counted
  /// once (overall: the mean over the cases).
  std::optional<double> instructions;
  /// The median of each figure over the trials.
  TrialFigures median() const;
};

/// What --bench measured: the JSON report (--json, docs/bench.md), and
/// the baseline the gate compares with (--save-baseline writes the same).
struct BenchReport {
  std::string plugin;
  std::string protocol;
  std::string fixture;
  LoadShape load;
  std::optional<double> duration_s;
  std::optional<std::uint64_t> events;
  double warmup_s = 0;
  int repeat = 1;
  /// The CPUs mock-kong and the server were pinned to; empty when not.
  std::vector<int> cpus;
  std::vector<CaseFigures> cases;
  CaseFigures overall;
};

nlohmann::json to_json(const BenchReport& report);
/// Reads a report written by to_json; `file` starts errors.
Result<BenchReport> bench_report_from_json(const nlohmann::json& json, const std::string& file);

/// The table of figures: a row per case and one overall, medians over the
/// trials, then the server's memory.
void print_figures(std::FILE* out, const BenchReport& report);

/// "61.2 µs", "1.35 ms": a latency in microseconds, in the unit that reads best.
std::string format_microseconds(double us);
/// A value of `m` as the table prints it: "61,234", "14.2 µs", "2.0".
std::string format_metric(const Metric& m, double value);
/// A count with thousands apart: "1,234,567".
std::string format_count(double value);

}  // namespace kong::mock
