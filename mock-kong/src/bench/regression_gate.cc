#include "bench/regression_gate.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "bench/comma_list.h"
#include "bench/mann_whitney.h"

namespace kong::mock {
namespace {

// The trials' figures of `m`; with `net_of`, each less its trial's figure
// of m.moves_with and plus `*net_of` (the baseline's median of it).
std::vector<double> values_of(const CaseFigures& c, const Metric& m, std::optional<double> net_of) {
  std::vector<double> values;
  for (const auto& t : c.trials)
    values.push_back(net_of ? t.*m.field - t.*m.moves_with + *net_of : t.*m.field);
  return values;
}

double change_of(double baseline, double now) {
  return baseline != 0 ? (now - baseline) / baseline : 0;
}

// Whether mock-kong did the same work per event on both sides.
bool same_calls(const TrialFigures& before, const TrialFigures& after) {
  return std::abs(after.pdk_calls - before.pdk_calls) <= 0.01 * std::max(1.0, before.pdk_calls);
}

// Whether `m` of these two cases is compared net of mock-kong's drift
// (decide()): runs on one CPU, mock-kong's figure measured on both sides,
// and the same PDK calls per event, hence the same work for mock-kong.
bool net_of_driver(const Metric& m, const TrialFigures& before, const TrialFigures& after,
                   bool on_one_cpu) {
  if (m.moves_with == nullptr || !on_one_cpu)
    return false;
  if (!(before.*m.moves_with > 0) || !(after.*m.moves_with > 0))
    return false;
  return same_calls(before, after);
}

GateRow decide_one(const CaseFigures& before, const CaseFigures& after, const GateLimit& limit,
                   bool on_one_cpu, double alpha) {
  GateRow row;
  row.case_name = after.name;
  row.metric = limit.metric;
  row.name = limit.name();
  row.max_change = limit.max_change;
  if (const Metric* m = limit.metric) {
    const TrialFigures before_median = before.median();
    const TrialFigures now_median = after.median();
    std::optional<double> net_of;
    if (net_of_driver(*m, before_median, now_median, on_one_cpu)) {
      net_of = before_median.*m->moves_with;
      row.measured_change = change_of(before_median.*m->field, now_median.*m->field);
      row.driver_moved = now_median.*m->moves_with - *net_of;
    }
    const std::vector<double> before_values = values_of(before, *m, net_of);
    const std::vector<double> now = values_of(after, *m, net_of);
    row.baseline = median_of(before_values);
    row.now = median_of(now);
    row.change = change_of(row.baseline, row.now);
    // Each way, the trials now against the baseline's moved to the limit:
    // only a change significantly beyond the limit counts, so that the
    // machine's own drift from run to run, within the limit, cannot.
    auto scaled = [&](double factor) {
      std::vector<double> v = before_values;
      for (double& x : v)
        x *= factor;
      return v;
    };
    const double up = mann_whitney_greater_p(now, scaled(1 + limit.max_change));
    const double down = mann_whitney_greater_p(scaled(1 - limit.max_change), now);
    const double p_worse = m->higher_is_better ? down : up;
    const double p_better = m->higher_is_better ? up : down;
    const double worse = m->higher_is_better ? -row.change : row.change;
    row.p_value = worse >= 0 ? p_worse : p_better;
    if (p_worse < alpha)
      row.verdict = Verdict::regression;
    else if (p_better < alpha)
      row.verdict = Verdict::improvement;
    else if (std::abs(worse) > limit.max_change)
      row.verdict = Verdict::inconclusive;
    else
      row.verdict = Verdict::no_change;
    return row;
  }
  // An instruction count is exact: the change alone decides.
  row.baseline = before.instructions.value_or(0);
  row.now = after.instructions.value_or(0);
  row.change = change_of(row.baseline, row.now);
  if (std::abs(row.change) <= limit.max_change)
    row.verdict = Verdict::no_change;
  else
    row.verdict = row.change > 0 ? Verdict::regression : Verdict::improvement;
  return row;
}

const CaseFigures* find_case(const BenchReport& r, const std::string& name) {
  for (const auto& c : r.cases) {
    if (c.name == name)
      return &c;
  }
  return nullptr;
}

}  // namespace

Result<std::vector<GateLimit>> parse_max_regression(std::string_view spec) {
  std::vector<GateLimit> limits;
  for (const std::string_view part : comma_list(spec)) {
    if (part.empty())
      continue;
    const std::size_t eq = part.find('=');
    auto bad = [&](const std::string& why) {
      return Error{fmt::format("--max-regression: {}: {}", part, why)};
    };
    if (eq == std::string_view::npos)
      return bad("expected METRIC=PERCENT%, e.g. cpu=5%");
    const std::string name(part.substr(0, eq));
    const Metric* metric = find_gated_metric(name);
    if (metric == nullptr && name != "instructions") {
      std::vector<std::string> names;
      for (const Metric& m : metrics()) {
        if (!m.gate_name.empty())
          names.emplace_back(m.gate_name);
      }
      names.emplace_back("instructions");
      return bad(fmt::format("no metric {} (the metrics: {})", name, fmt::join(names, ", ")));
    }
    std::string number(part.substr(eq + 1));
    if (!number.empty() && number.back() == '%')
      number.pop_back();
    char* end = nullptr;
    const double percent = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !(percent >= 0) ||
        percent > 1000)
      return bad("the change allowed is a percentage from 0% to 1000%");
    limits.push_back({metric, percent / 100});
  }
  if (limits.empty())
    return Error{"--max-regression: no metric given, e.g. cpu=5%"};
  return limits;
}

std::vector<GateLimit> default_limits(bool instructions_counted) {
  std::vector<GateLimit> limits;
  for (const Metric& m : metrics()) {
    if (m.default_limit > 0)
      limits.push_back({&m, m.default_limit});
  }
  if (instructions_counted)
    limits.push_back({nullptr, 0.02});
  return limits;
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::no_change:
      return "no change";
    case Verdict::improvement:
      return "improvement";
    case Verdict::regression:
      return "REGRESSION";
    case Verdict::inconclusive:
      return "inconclusive";
  }
  return "?";
}

bool GateResult::regressed() const {
  return std::any_of(rows.begin(), rows.end(),
                     [](const GateRow& r) { return r.verdict == Verdict::regression; });
}

bool GateResult::regressed_on_measure() const {
  return std::any_of(rows.begin(), rows.end(), [](const GateRow& r) {
    return r.verdict == Verdict::regression && r.p_value.has_value();
  });
}

GateResult confirm(GateResult result, const GateResult& again) {
  for (GateRow& row : result.rows) {
    if (row.verdict != Verdict::regression || !row.p_value)
      continue;
    const auto second = std::find_if(again.rows.begin(), again.rows.end(), [&](const GateRow& r) {
      return r.case_name == row.case_name && r.name == row.name;
    });
    if (second != again.rows.end() && second->verdict == Verdict::regression)
      continue;
    row.verdict = Verdict::inconclusive;
    result.notes.push_back(
        fmt::format("{} of {}: {:+.1f}%, beyond its limit; {} when measured again: not confirmed",
                    row.name, row.case_name, row.change * 100,
                    second == again.rows.end() ? std::string("not compared")
                                               : fmt::format("{:+.1f}%", second->change * 100)));
  }
  return result;
}

GateResult decide(const BenchReport& baseline, const BenchReport& now,
                  const std::vector<GateLimit>& limits, double alpha) {
  GateResult result;
  std::vector<std::pair<const CaseFigures*, const CaseFigures*>> pairs;
  for (const auto& c : now.cases) {
    if (const CaseFigures* before = find_case(baseline, c.name))
      pairs.emplace_back(before, &c);
    else
      result.notes.push_back(fmt::format("{}: not in the baseline, not compared", c.name));
  }
  for (const auto& c : baseline.cases) {
    if (find_case(now, c.name) == nullptr)
      result.notes.push_back(fmt::format("{}: in the baseline only, not measured now", c.name));
  }
  // Overall only when it sums the same cases on both sides.
  if (pairs.size() > 1 && pairs.size() == now.cases.size() && pairs.size() == baseline.cases.size())
    pairs.emplace_back(&baseline.overall, &now.overall);
  const bool on_one_cpu = baseline.cpus.size() == 1 && now.cpus.size() == 1;
  bool uncounted = false;
  for (const auto& [before, after] : pairs) {
    for (const GateLimit& limit : limits) {
      if (!limit.metric && (!before->instructions || !after->instructions)) {
        uncounted = true;
        continue;
      }
      const GateRow& row =
          result.rows.emplace_back(decide_one(*before, *after, limit, on_one_cpu, alpha));
      // What the netting changed, when it changed the verdict's footing.
      if (row.measured_change && std::abs(*row.measured_change - row.change) >= 0.01) {
        result.notes.push_back(fmt::format(
            "{} of {}: {:+.1f}% as measured; mock-kong's own CPU per event, the same work on "
            "the same CPU, moved {:+.1f} µs, the machine's doing, which the gate takes off",
            row.name, row.case_name, *row.measured_change * 100, row.driver_moved));
      } else if (on_one_cpu && limit.metric && limit.metric->moves_with &&
                 !same_calls(before->median(), after->median())) {
        result.notes.push_back(fmt::format(
            "{} of {}: compared as measured: the PDK calls per event changed ({:.1f} -> {:.1f}), "
            "and mock-kong's work with them",
            row.name, row.case_name, before->median().pdk_calls, after->median().pdk_calls));
      }
    }
  }
  if (uncounted) {
    result.notes.push_back(
        "instructions: not compared, as the baseline and this run did not both count them "
        "(--instructions)");
  }
  return result;
}

void print_gate(std::FILE* out, const GateResult& result, const std::string& baseline_file,
                std::size_t baseline_trials, std::size_t now_trials) {
  std::fprintf(out, "gate: against %s (%zu trial%s), now %zu trial%s\n", baseline_file.c_str(),
               baseline_trials, baseline_trials == 1 ? "" : "s", now_trials,
               now_trials == 1 ? "" : "s");
  std::size_t name_width = 4;
  for (const auto& r : result.rows)
    name_width = std::max(name_width, r.case_name.size());
  name_width = std::min<std::size_t>(name_width, 40);
  std::fprintf(out, "%s\n",
               fmt::format("{:<{}}  {:<17}  {:>13}  {:>13}  {:>8}  {:>7}  {}", "case", name_width,
                           "metric", "baseline", "now", "change", "p-value", "verdict")
                   .c_str());
  std::string shown_case;
  for (const auto& r : result.rows) {
    std::string name = r.case_name == shown_case ? "" : r.case_name;
    if (name.size() > name_width)
      name = name.substr(0, name_width - 1) + "…";
    shown_case = r.case_name;
    const std::string metric =
        fmt::format("{} ±{:g}%", r.name, std::round(r.max_change * 1000) / 10);
    auto value = [&](double v) { return r.metric ? format_metric(*r.metric, v) : format_count(v); };
    const std::string p = r.p_value ? fmt::format("{:.3f}", *r.p_value) : "exact";
    std::fprintf(out, "%s\n",
                 fmt::format("{:<{}}  {:<17}  {:>13}  {:>13}  {:>+7.1f}%  {:>7}  {}", name,
                             name_width, metric, value(r.baseline), value(r.now), r.change * 100, p,
                             to_string(r.verdict))
                     .c_str());
  }
  for (const auto& note : result.notes)
    std::fprintf(out, "note: %s\n", note.c_str());
  if (std::min(baseline_trials, now_trials) < 4) {
    std::fprintf(out,
                 "note: with fewer than 4 trials a side no change can be significant: "
                 "--repeat 10 lets the gate decide\n");
  }
  std::size_t regressions = 0;
  std::size_t inconclusive = 0;
  for (const auto& r : result.rows) {
    regressions += r.verdict == Verdict::regression ? 1 : 0;
    inconclusive += r.verdict == Verdict::inconclusive ? 1 : 0;
  }
  if (regressions > 0) {
    std::fprintf(out, "mock-kong: %zu regression%s\n", regressions, regressions == 1 ? "" : "s");
  } else if (inconclusive > 0) {
    std::fprintf(out,
                 "mock-kong: no regression; %zu figure%s changed more than allowed but not "
                 "beyond the noise (more trials, --repeat, can tell)\n",
                 inconclusive, inconclusive == 1 ? "" : "s");
  } else {
    std::fprintf(out, "mock-kong: no regression\n");
  }
}

}  // namespace kong::mock
